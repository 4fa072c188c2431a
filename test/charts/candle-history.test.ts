import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { CandleHistory } from '../../src/feed/candle-history.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { CandlePipeline } from '../../src/feed/pipeline.js';

const DATA_2025_5M = fileURLToPath(new URL('../../data/binance-2025-5m', import.meta.url));
const M5 = 300_000;
const T0 = Date.UTC(2025, 2, 1);

/** The i-th 5m candle from T0 with prices that say which one it is (close = 100 + i). */
const c5 = (i: number): Candle => ({
  openTime: T0 + i * M5, closeTime: T0 + (i + 1) * M5, open: 100 + i - 0.5, high: 101 + i, low: 99 + i, close: 100 + i, volume: i,
});

describe('CandleHistory', () => {
  it('keeps the last `capacity` candles per pair, oldest first, across the ring wrap', () => {
    const h = new CandleHistory(5);
    for (let i = 0; i < 13; i++) h.onCandle('BTCUSDT', '5m', c5(i));
    expect(h.size('BTCUSDT', '5m')).toBe(5);
    expect(h.last('BTCUSDT', '5m', 100).map((c) => c.close)).toEqual([108, 109, 110, 111, 112]);
    expect(h.last('BTCUSDT', '5m', 2)).toEqual([c5(11), c5(12)]);
    expect(h.last('BTCUSDT', '5m', 0)).toEqual([]);
  });

  it('before it fills, returns what it has', () => {
    const h = new CandleHistory(120);
    for (let i = 0; i < 3; i++) h.onCandle('ETHUSDT', '5m', c5(i));
    expect(h.last('ETHUSDT', '5m', 100)).toEqual([c5(0), c5(1), c5(2)]);
    expect(h.last('ETHUSDT', '1h', 100)).toEqual([]);
    expect(h.last('SOLUSDT', '5m', 100)).toEqual([]);
  });

  it('keeps pairs apart and ignores re-delivered or older closes', () => {
    const h = new CandleHistory(10);
    h.onCandle('BTCUSDT', '5m', c5(0));
    h.onCandle('ETHUSDT', '5m', c5(7));
    h.onCandle('BTCUSDT', '5m', c5(1));
    h.onCandle('BTCUSDT', '5m', { ...c5(1), close: 999 });
    h.onCandle('BTCUSDT', '5m', c5(0));
    expect(h.last('BTCUSDT', '5m', 10).map((c) => c.close)).toEqual([100, 101]);
    expect(h.last('ETHUSDT', '5m', 10).map((c) => c.close)).toEqual([107]);
  });

  it('copies numbers, so a feed reusing its candle object does not rewrite history', () => {
    const h = new CandleHistory(4);
    const reused = c5(0);
    h.onCandle('BTCUSDT', '5m', reused);
    Object.assign(reused, c5(1));
    h.onCandle('BTCUSDT', '5m', reused);
    expect(h.last('BTCUSDT', '5m', 4)).toEqual([c5(0), c5(1)]);
  });

  it('sinkBefore passes the pipeline\'s instrument id on to the next sink', () => {
    const h = new CandleHistory(4);
    const ids: (number | undefined)[] = [];
    const sink = h.sinkBefore({ onCandle: (_s, _tf, _c, instrument) => ids.push(instrument) });
    sink.onCandle('BTCUSDT', '5m', c5(0), 3);
    sink.onCandle('BTCUSDT', '5m', c5(1));
    expect(ids).toEqual([3, undefined]);
  });

  it('keeps only the timeframes asked for', () => {
    const h = new CandleHistory(4, ['1h']);
    h.onCandle('BTCUSDT', '5m', c5(0));
    expect(h.size('BTCUSDT', '5m')).toBe(0);
  });

  it('sinkBefore records a candle before the next sink sees it', () => {
    const h = new CandleHistory(4);
    const seen: number[] = [];
    const sink = h.sinkBefore({ onCandle: (symbol, tf, c) => seen.push(h.last(symbol, tf, 1)[0]?.closeTime === c.closeTime ? c.close : -1) });
    sink.onCandle('BTCUSDT', '5m', c5(0));
    sink.onCandle('BTCUSDT', '5m', c5(1));
    expect(seen).toEqual([100, 101]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new CandleHistory(0)).toThrow(RangeError);
  });

  it('as the pipeline sink on real Binance 5m candles, holds the same 5m and 1h candles the feed closed', () => {
    const btc = loadCandleDir(DATA_2025_5M, { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 2) }).find((s) => s.symbol === 'BTCUSDT')!;
    const h = new CandleHistory(100);
    const pipe = new CandlePipeline('5m', ['5m', '1h'], h);
    for (let i = 0; i < btc.length; i++) {
      pipe.push('BTCUSDT', {
        openTime: btc.openTime[i], closeTime: btc.openTime[i] + M5, open: btc.open[i], high: btc.high[i], low: btc.low[i],
        close: btc.close[i], volume: btc.volume[i],
      });
    }
    expect(btc.length).toBe(288);
    const m5 = h.last('BTCUSDT', '5m', 100);
    expect(m5).toHaveLength(100);
    expect(m5.at(-1)!.openTime).toBe(btc.openTime[287]);
    expect(m5.at(-1)!.close).toBe(btc.close[287]);
    expect(m5[0].openTime).toBe(btc.openTime[188]);
    // 24 hourly candles closed that day; the last is 23:00–24:00, built from the last 12 five-minute ones.
    const h1 = h.last('BTCUSDT', '1h', 100);
    expect(h1).toHaveLength(24);
    const last = h1.at(-1)!;
    expect(last.openTime).toBe(Date.UTC(2025, 0, 1, 23));
    expect(last.closeTime).toBe(Date.UTC(2025, 0, 2));
    expect(last.open).toBe(btc.open[276]);
    expect(last.close).toBe(btc.close[287]);
    expect(last.high).toBe(Math.max(...btc.high.subarray(276, 288)));
    expect(last.low).toBe(Math.min(...btc.low.subarray(276, 288)));
  });
});
