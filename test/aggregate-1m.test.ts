import { describe, expect, it } from 'vitest';
import type { Candle } from '../src/core/candle.js';
import { copyCandle } from '../src/core/candle.js';
import { readCandleFile } from '../src/feed/csv.js';
import { CandlePipeline } from '../src/feed/pipeline.js';
import { ReplayFeed } from '../src/feed/replay.js';

/**
 * Buckets where Binance's own 1m candles do not add up to its 5m candle (the 2021-04-22/23 crash;
 * data/README.md). Times are 5m open times, UTC.
 */
const CRASH_ALL = [
  '2021-04-22T02:10', '2021-04-22T02:15', '2021-04-22T02:20',
  ...['01:40', '01:45', '01:50', '01:55', '02:00', '02:05', '02:10', '02:15', '02:20', '02:25', '02:35', '02:40', '02:45'].map((t) => `2021-04-23T${t}`),
];
const CRASH_SOME: Record<string, string[]> = { BNBUSDT: ['2021-04-21T08:05'], SOLUSDT: ['2021-04-21T08:05'] };
const skipped = (symbol: string) => new Set([...CRASH_ALL, ...(CRASH_SOME[symbol] ?? [])].map((t) => Date.parse(`${t}:00Z`)));

describe('1m → 5m aggregation', () => {
  for (const symbol of ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'DOGEUSDT']) {
    it(`${symbol}: equals Binance's own 5m candles over 2021-04-02 … 2021-05-13 (crash buckets aside)`, async () => {
      const base = readCandleFile(`data/binance-2021-1m/${symbol}.csv.gz`);
      const ref = readCandleFile(`data/binance-2021-5m/${symbol}.csv.gz`);
      expect(base.timeframe).toBe('1m');
      expect(ref.timeframe).toBe('5m');
      const got = new Map<number, Candle>();
      const pipeline = new CandlePipeline('1m', ['1m', '5m'], {
        onCandle: (_s, tf, c) => {
          if (tf === '5m') got.set(c.openTime, copyCandle(c));
        },
      }, () => {}, Infinity);
      await new ReplayFeed([base], pipeline).run();
      const skip = skipped(symbol);
      let compared = 0;
      for (let i = 0; i < ref.length; i++) {
        const t = ref.openTime[i];
        if (skip.has(t)) continue;
        const c = got.get(t);
        const at = new Date(t).toISOString();
        expect(c, `${symbol} ${at} missing`).toBeDefined();
        expect([c!.open, c!.high, c!.low, c!.close], `${symbol} ${at}`).toEqual([ref.open[i], ref.high[i], ref.low[i], ref.close[i]]);
        expect(Math.abs(c!.volume - ref.volume[i]), `${symbol} ${at} volume`).toBeLessThanOrEqual(1e-6 * ref.volume[i]);
        compared++;
      }
      expect(compared).toBe(ref.length - Array.from(ref.openTime).filter((t) => skip.has(t)).length);
      expect(compared).toBeGreaterThan(11_800);
    });
  }
});
