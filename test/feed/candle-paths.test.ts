import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { klineStream, parseFrame } from '../../src/feed/binance/codec.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import { ReplayFeed } from '../../src/feed/replay.js';
import { createExchange, fetchHistory, rowToCandle } from '../../src/feed/rest.js';
import { checkCandle, MAX_OPEN_TIME } from '../../src/feed/validate.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, HOUR, MINUTE, klineFrame, recordingPipeline } from '../fakes/binance/harness.js';

const T0 = Date.UTC(2021, 3, 20, 0, 0);
const ok: Candle = { openTime: T0, closeTime: T0 + MINUTE, open: 10, high: 12, low: 9, close: 11, volume: 5 };

describe('checkCandle: prices > 0 and finite, volume ≥ 0, a sane open time', () => {
  it.each<[string, Partial<Candle>, string]>([
    ['low 0', { low: 0 }, 'non-positive-price'],
    ['low negative', { low: -1 }, 'non-positive-price'],
    ['all prices negative', { open: -10, high: -9, low: -12, close: -11 }, 'non-positive-price'],
    ['all prices 0', { open: 0, high: 0, low: 0, close: 0 }, 'non-positive-price'],
    ['NaN low', { low: NaN }, 'not-finite'],
    ['Infinite high', { high: Infinity }, 'not-finite'],
    ['NaN volume', { volume: NaN }, 'not-finite'],
    ['negative volume', { volume: -0.5 }, 'negative-volume'],
    ['open time past MAX_OPEN_TIME', { openTime: MAX_OPEN_TIME + MINUTE * 1000 }, 'bad-time'],
    ['negative open time', { openTime: -MINUTE }, 'bad-time'],
  ])('%s → %s', (_name, over, problem) => {
    expect(checkCandle({ ...ok, ...over }, MINUTE)).toBe(problem);
  });
  it('accepts a sound candle and volume 0', () => {
    expect(checkCandle(ok, MINUTE)).toBeNull();
    expect(checkCandle({ ...ok, volume: 0 }, MINUTE)).toBeNull();
  });
});

describe('WebSocket frames', () => {
  const streams = new Set([klineStream('BTCUSDT', '1m')]);
  const reason = (over: Record<string, unknown>) => {
    const p = parseFrame(klineFrame('BTCUSDT', ok, true, over), streams, '1m');
    return p.kind === 'bad' ? `${p.reason}: ${p.detail}` : p.kind;
  };
  it('drops low ≤ 0, negative prices and volume, NaN', () => {
    expect(reason({ l: '0' })).toMatch(/^invalid-candle: .* non-positive-price$/);
    expect(reason({ l: '-1.5' })).toMatch(/non-positive-price$/);
    expect(reason({ o: '-11', h: '-9', l: '-12', c: '-10' })).toMatch(/non-positive-price$/);
    expect(reason({ v: '-3' })).toMatch(/negative-volume$/);
    expect(reason({ l: 'NaN' })).toMatch(/^bad-number/);
    expect(reason({ t: 1e300 })).toMatch(/bad-time$/);
    expect(reason({})).toBe('kline');
  });
});

describe('REST rows', () => {
  it('rowToCandle places only rows with a grid open time, never throws', () => {
    expect(rowToCandle([T0, 10, 12, 9, 11, 5], MINUTE)).toEqual(ok);
    expect(rowToCandle([T0, '10', '12', '9', '11', '5'], MINUTE)).toEqual(ok);
    expect(rowToCandle([T0 + 1, 10, 12, 9, 11, 5], MINUTE)).toBeNull();
    for (const bad of [null, 7, 'x', {}, [], [NaN], [-MINUTE, 1, 1, 1, 1, 1]]) expect(rowToCandle(bad, MINUTE)).toBeNull();
    const c = rowToCandle([T0, null, 'abc', undefined, {}, -1], MINUTE)!;
    expect([c.open, c.high, c.low, c.close, c.volume]).toEqual([NaN, NaN, NaN, NaN, -1]);
    expect(checkCandle(c, MINUTE)).toBe('not-finite');
  });

  describe('from a fake Binance whose candles are broken', () => {
    let fake: FakeBinance;
    let btc: CandleSeries;
    const bad = new Map<number, Partial<Record<'open' | 'high' | 'low' | 'close' | 'volume', number>>>([
      [T0 - 5 * MINUTE, { low: 0 }],
      [T0 - 4 * MINUTE, { open: -1, low: -2 }],
      [T0 - 3 * MINUTE, { volume: -7 }],
    ]);
    beforeAll(async () => {
      const [src] = loadCandleDir(DATA_2021_1M, { from: T0 - HOUR, to: T0 + HOUR }).filter((s) => s.symbol === 'BTCUSDT');
      const copy = (x: Float64Array) => Float64Array.from(x);
      btc = { ...src, openTime: copy(src.openTime), open: copy(src.open), high: copy(src.high), low: copy(src.low), close: copy(src.close), volume: copy(src.volume) };
      for (let i = 0; i < btc.length; i++) {
        const over = bad.get(btc.openTime[i]);
        if (over) for (const [k, v] of Object.entries(over)) btc[k as 'low'][i] = v;
      }
      fake = await FakeBinance.start({ series: [btc], now: T0 + 30_000 });
    });
    afterAll(async () => {
      await fake.close();
    });
    it('fetchHistory returns them as given; the pipeline drops and counts each', async () => {
      const ex = await createExchange({ id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 });
      const got = await fetchHistory(ex, { symbol: 'BTCUSDT', timeframe: '1m', since: T0 - 10 * MINUTE, now: fake.now() });
      expect(got).toHaveLength(10);
      const { pipeline, notices, sink } = recordingPipeline('1m', ['1m']);
      for (const c of got) pipeline.push('BTCUSDT', c);
      expect(notices.filter((n) => n.type === 'dropped').map((n) => n.type === 'dropped' && [n.openTime, n.problem])).toEqual([
        [T0 - 5 * MINUTE, 'non-positive-price'],
        [T0 - 4 * MINUTE, 'non-positive-price'],
        [T0 - 3 * MINUTE, 'negative-volume'],
      ]);
      expect(pipeline.droppedTotal()).toBe(3);
      expect(sink.deliveries.map((d) => d.candle.openTime).every((t) => !bad.has(t))).toBe(true);
    });
  });
});

describe('CSV files', () => {
  it('rows with low ≤ 0, negative prices or volume, or an empty field are dropped and counted, not fatal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-csv-bad-'));
    const rows = [
      'open_time_ms,open,high,low,close,volume',
      `${T0},10,12,9,11,5`,
      `${T0 + MINUTE},10,12,0,11,5`, // low 0
      `${T0 + 2 * MINUTE},-10,-9,-12,-11,5`, // negative prices
      `${T0 + 3 * MINUTE},10,12,9,11,-5`, // negative volume
      `${T0 + 4 * MINUTE},10,,9,11,5`, // empty high
      `${T0 + 5 * MINUTE},10,12,9,11,0`,
    ];
    writeFileSync(join(dir, 'BTCUSDT.csv'), rows.join('\n') + '\n');
    const series = loadCandleDir(dir);
    const { pipeline, notices, sink } = recordingPipeline('1m', ['1m'], 100);
    await new ReplayFeed(series, pipeline).run();
    expect(notices.filter((n) => n.type === 'dropped').map((n) => n.type === 'dropped' && n.problem)).toEqual([
      'non-positive-price', 'non-positive-price', 'negative-volume', 'not-finite',
    ]);
    expect(sink.deliveries.map((d) => d.candle.openTime)).toEqual([T0, T0 + 5 * MINUTE]);
  });
});
