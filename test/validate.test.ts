import { describe, expect, it } from 'vitest';
import type { Candle } from '../src/core/candle.js';
import { CandlePipeline, type FeedNotice } from '../src/feed/pipeline.js';

const M = 60_000;
const ok = (t: number, over: Partial<Candle> = {}): Candle => ({ openTime: t, closeTime: t + M, open: 10, high: 11, low: 9, close: 10.5, volume: 3, ...over });

describe('candle validation in the pipeline', () => {
  it('drops broken candles with a reason, keeps the good ones, and flags long gaps', () => {
    const notices: FeedNotice[] = [];
    const seen: number[] = [];
    const p = new CandlePipeline('1m', ['1m'], { onCandle: (_s, _tf, c) => seen.push(c.openTime) }, (n) => notices.push(n), 3);
    expect(p.push('BTCUSDT', ok(0))).toBe(true);
    expect(p.push('BTCUSDT', ok(M, { high: Number.NaN }))).toBe(false);
    expect(p.push('BTCUSDT', ok(M, { high: 10.2 }))).toBe(false); // high below close
    expect(p.push('BTCUSDT', ok(M, { low: 10.6 }))).toBe(false); // low above close
    expect(p.push('BTCUSDT', ok(M, { volume: -1 }))).toBe(false);
    expect(p.push('BTCUSDT', ok(M + 7))).toBe(false); // off the 1m grid
    expect(p.push('BTCUSDT', ok(M))).toBe(true);
    expect(p.push('BTCUSDT', ok(M))).toBe(false); // duplicate close
    expect(p.push('BTCUSDT', ok(0))).toBe(false); // out of order
    expect(p.push('BTCUSDT', ok(6 * M))).toBe(true); // 4 bars missing > maxMissingBars 3
    expect(seen).toEqual([0, M, 6 * M]);
    expect(notices.filter((n) => n.type === 'dropped').map((n) => n.type === 'dropped' && n.problem)).toEqual([
      'not-finite', 'high-below-body', 'low-above-body', 'negative-volume', 'off-grid', 'duplicate', 'out-of-order',
    ]);
    expect(notices.find((n) => n.type === 'gap')).toMatchObject({ symbol: 'BTCUSDT', missingBars: 4 });
    expect(p.droppedTotal()).toBe(7);
  });
});
