import { describe, expect, it } from 'vitest';
import type { Candle } from '../src/core/candle.js';
import { copyCandle } from '../src/core/candle.js';
import type { Timeframe } from '../src/core/timeframe.js';
import { readCandleFile } from '../src/feed/csv.js';
import { CandlePipeline } from '../src/feed/pipeline.js';
import { ReplayFeed } from '../src/feed/replay.js';

describe('5m → 15m/30m/1h aggregation', () => {
  for (const symbol of ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'POLUSDT']) {
    it(`${symbol}: equals Binance's own 1h candles over 2025-01-01 … 2025-06-17`, async () => {
      const base = readCandleFile(`data/binance-2025-5m/${symbol}.csv.gz`);
      const ref = readCandleFile(`data/binance-2025-1h/${symbol}.csv.gz`);
      const got = new Map<Timeframe, Candle[]>();
      const pipeline = new CandlePipeline('5m', ['5m', '15m', '30m', '1h'], {
        onCandle: (_s, tf, c) => {
          const l = got.get(tf) ?? [];
          l.push(copyCandle(c));
          got.set(tf, l);
        },
      });
      await new ReplayFeed([base], pipeline).run();
      const hours = got.get('1h')!;
      expect(hours).toHaveLength(ref.length);
      expect(got.get('15m')).toHaveLength(base.length / 3);
      expect(got.get('30m')).toHaveLength(base.length / 6);
      for (let i = 0; i < ref.length; i++) {
        const h = hours[i];
        expect(h.openTime).toBe(ref.openTime[i]);
        expect(h.closeTime).toBe(ref.openTime[i] + 3_600_000);
        expect(h.open).toBe(ref.open[i]);
        expect(h.high).toBe(ref.high[i]);
        expect(h.low).toBe(ref.low[i]);
        expect(h.close).toBe(ref.close[i]);
        expect(Math.abs(h.volume - ref.volume[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, ref.volume[i]));
      }
    });
  }

  it('closes a higher candle after an exchange gap when the next bucket starts', () => {
    const out: [Timeframe, number, number][] = [];
    const p = new CandlePipeline('5m', ['15m'], { onCandle: (_s, tf, c) => out.push([tf, c.openTime, c.volume]) });
    const m5 = 300_000;
    const mk = (t: number): Candle => ({ openTime: t, closeTime: t + m5, open: 1, high: 2, low: 0.5, close: 1.5, volume: 1 });
    p.push('X', mk(0));
    p.push('X', mk(m5)); // the bucket's last 5m candle (10m) is missing
    p.push('X', mk(6 * m5));
    expect(out.filter(([tf]) => tf === '15m')).toEqual([['15m', 0, 2]]);
  });
});
