import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Timeframe } from '../../src/core/timeframe.js';
import { CandlePipeline } from '../../src/feed/pipeline.js';

const M5 = 300_000;
const candle = (openTime: number, close: number): Candle => ({ openTime, closeTime: openTime + M5, open: close, high: close + 1, low: close - 1, close, volume: 2 });

describe('integer instrument ids through the pipeline', () => {
  it('ids are dense in first-seen order and reach the sink with every base and higher candle', () => {
    const got: [string, Timeframe, number | undefined, number, number][] = [];
    const pipe = new CandlePipeline('5m', ['5m', '15m'], { onCandle: (s, tf, c, id) => got.push([s, tf, id, c.openTime, c.close]) });
    expect(pipe.instrumentId('ETHUSDT')).toBe(0);
    expect(pipe.instrumentId('BTCUSDT')).toBe(1);
    expect(pipe.instrumentId('ETHUSDT')).toBe(0);
    for (let k = 0; k < 3; k++) {
      pipe.push('BTCUSDT', candle(k * M5, 100 + k));
      pipe.pushAt(0, candle(k * M5, 10 + k));
    }
    expect(got).toEqual([
      ['BTCUSDT', '5m', 1, 0, 100], ['ETHUSDT', '5m', 0, 0, 10],
      ['BTCUSDT', '5m', 1, M5, 101], ['ETHUSDT', '5m', 0, M5, 11],
      ['BTCUSDT', '5m', 1, 2 * M5, 102], ['BTCUSDT', '15m', 1, 0, 102],
      ['ETHUSDT', '5m', 0, 2 * M5, 12], ['ETHUSDT', '15m', 0, 0, 12],
    ]);
    expect(pipe.lastOpenTime('ETHUSDT')).toBe(2 * M5);
    expect(pipe.lastOpenTime('XRPUSDT')).toBe(-Infinity);
  });

  it('bucket bounds: a gap closes the open bucket with what it has, and the next bucket starts on the grid', () => {
    const got: [Timeframe, number, number, number][] = [];
    const pipe = new CandlePipeline('5m', ['15m', '1h'], { onCandle: (_s, tf, c) => { if (tf !== '5m') got.push([tf, c.openTime, c.closeTime, c.close]); } });
    // 00:00 and 00:05, then nothing until 00:25 (00:10 … 00:20 missing), then through 01:00.
    for (const k of [0, 1, 5, 6, 7, 8, 9, 10, 11, 12]) pipe.push('X', candle(k * M5, 100 + k));
    expect(got).toEqual([
      ['15m', 0, 3 * M5, 101], // closed by the gap: its last base candle never came
      ['15m', 3 * M5, 6 * M5, 105], // 00:15–00:30 holds only 00:25
      ['15m', 6 * M5, 9 * M5, 108],
      ['15m', 9 * M5, 12 * M5, 111],
      ['1h', 0, 12 * M5, 111],
    ]);
  });
});
