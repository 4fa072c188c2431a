import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Timeframe } from '../../src/core/timeframe.js';
import { klineStream, parseFrame } from '../../src/feed/binance/codec.js';
import { DEFAULT_WS_OPTIONS } from '../../src/feed/binance/connection.js';
import { BinanceKlineFeed } from '../../src/feed/binance/kline-feed.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import type { FeedEvent } from '../../src/feed/health.js';
import { LiveFeed, type LiveFeedOptions } from '../../src/feed/live/live-feed.js';
import { FakeBinance } from '../fakes/binance.js';
import {
  DATA_2021_1M,
  MINUTE,
  StepDriver,
  klineFrame,
  recordingPipeline,
  sleep,
  sourceCandles,
  waitFor,
} from '../fakes/binance/harness.js';

const T0 = Date.UTC(2021, 3, 5, 6, 0);
const TFS: Timeframe[] = ['1m', '5m'];
const GRACE = 1000;

let all: CandleSeries[];
beforeAll(() => {
  all = loadCandleDir(DATA_2021_1M, { from: T0 - 2 * 60 * MINUTE, to: T0 + 2 * 60 * MINUTE });
});

describe('parseFrame', () => {
  const streams = new Set([klineStream('BTCUSDT', '1m')]);
  const c: Candle = { openTime: T0, closeTime: T0 + MINUTE, open: 10, high: 12, low: 9, close: 11, volume: 5 };

  it('reads a combined-stream kline frame (close time = open + 1m; k.T is that − 1 ms)', () => {
    expect(parseFrame(klineFrame('BTCUSDT', c, true), streams, '1m')).toEqual({
      kind: 'kline',
      frame: { stream: 'btcusdt@kline_1m', symbol: 'BTCUSDT', candle: c, final: true, eventTime: T0 + MINUTE },
    });
  });

  it('names what is wrong with a bad frame', () => {
    const reason = (text: string) => {
      const p = parseFrame(text, streams, '1m');
      return p.kind === 'bad' ? p.reason : p.kind;
    };
    expect(reason('{"stream":')).toBe('bad-json');
    expect(reason('[1,2]')).toBe('bad-shape');
    expect(reason('{"stream":"btcusdt@kline_1m","data":{"e":"trade"}}')).toBe('bad-shape');
    expect(reason(klineFrame('ETHUSDT', c, true))).toBe('unknown-stream');
    expect(reason(klineFrame('BTCUSDT', c, true, { s: 'ETHUSDT' }))).toBe('unknown-stream');
    expect(reason(klineFrame('BTCUSDT', c, true, { i: '5m' }))).toBe('bad-shape');
    expect(reason(klineFrame('BTCUSDT', c, true, { c: 'NaN' }))).toBe('bad-number');
    expect(reason(klineFrame('BTCUSDT', c, true, { v: null }))).toBe('bad-number');
    expect(reason(klineFrame('BTCUSDT', c, true, { h: '8', l: '9' }))).toBe('invalid-candle');
    expect(reason(klineFrame('BTCUSDT', { ...c, openTime: T0 + 1 }, true))).toBe('invalid-candle');
    expect(reason(klineFrame('BTCUSDT', c, true, { x: 'yes' }))).toBe('bad-shape');
    expect(reason('{"event":{"e":"serverShutdown","E":1}}')).toBe('shutdown');
    expect(reason('{"result":null,"id":1}')).toBe('reply');
  });
});

describe('Binance kline WebSocket against the fake', () => {
  let fake: FakeBinance | undefined;
  let feed: LiveFeed | undefined;
  afterEach(async () => {
    await feed?.stop();
    await fake?.close();
    feed = fake = undefined;
  });

  /** A started LiveFeed over `symbols` with 30 bars of warm-up, WebSocket connected. */
  async function startFeed(symbols: string[], extra: Partial<LiveFeedOptions> = {}, ws: LiveFeedOptions['ws'] = {}) {
    const series = all.filter((s) => symbols.includes(s.symbol));
    fake = await FakeBinance.start({ series, now: T0 + 1000 });
    const rec = recordingPipeline('1m', TFS);
    const events: FeedEvent[] = [];
    feed = new LiveFeed({
      symbols,
      timeframes: TFS,
      pipeline: rec.pipeline,
      clock: fake.clock,
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 },
      ws: { wsBaseUrl: fake.wsBaseUrl, closeGraceMs: GRACE, reconnect: { baseMs: 2, maxMs: 20 }, ...ws },
      restRetry: { baseMs: 5, maxMs: 40 },
      warmupBars: 30,
      tickMs: 5,
      onEvent: (e) => events.push(e),
      ...extra,
    });
    await feed.start();
    await waitFor(() => feed!.health().connected, 'ws connected');
    const driver = new StepDriver(fake, feed, series, 1500);
    return { ...rec, events, series, driver, fake, feed };
  }

  it('drops malformed frames, counts them by reason exactly, and still delivers every close once', async () => {
    const { sink, events, series, driver, fake, feed } = await startFeed(['BTCUSDT', 'ETHUSDT']);
    const btc = series.find((s) => s.symbol === 'BTCUSDT')!;
    const src = sourceCandles(btc, T0 - 30 * MINUTE, T0 + 20 * MINUTE);
    const at = (t: number) => src.find((c) => c.openTime === t)!;
    for (let m = 0; m < 20; m++) {
      const open = T0 + m * MINUTE;
      if (m === 5) {
        fake.sendRaw('{"stream":"btcusdt@kline_1m","data":');
        fake.sendRaw(klineFrame('XRPUSDT', at(T0 + 4 * MINUTE), true));
        fake.sendRaw('{"hello":"world"}');
        // Poisoned final frames of the candle now forming: the real one follows and wins.
        fake.sendRaw(klineFrame('BTCUSDT', at(open), true, { c: 'NaN' }));
        fake.sendRaw(klineFrame('BTCUSDT', at(open), true, { h: '1', l: '2' }));
        // The previous close again, and an older one.
        fake.sendRaw(klineFrame('BTCUSDT', at(open - MINUTE), true));
        fake.sendRaw(klineFrame('BTCUSDT', at(open - 3 * MINUTE), true));
        await waitFor(() => feed.health().droppedFramesTotal === 7, 'seven dropped frames');
      }
      await driver.step(open);
    }
    const h = feed.health();
    expect(h.droppedFrames).toEqual({
      'bad-json': 1,
      'unknown-stream': 1,
      'bad-shape': 1,
      'bad-number': 1,
      'invalid-candle': 1,
      'duplicate-close': 1,
      'out-of-order-close': 1,
    });
    expect(events.filter((e) => e.type === 'dropped-frame').map((e) => e.type === 'dropped-frame' && e.reason).sort()).toEqual(
      ['bad-json', 'bad-number', 'bad-shape', 'duplicate-close', 'invalid-candle', 'out-of-order-close', 'unknown-stream'],
    );
    expect(sink.of('BTCUSDT', '1m')).toEqual(src);
    expect(feed.health().connected).toBe(true);
  });

  it('reports a stream host that refuses from the start, and polls REST until it accepts', async () => {
    const series = all.filter((s) => s.symbol === 'DOGEUSDT');
    fake = await FakeBinance.start({ series, now: T0 + 1000 });
    fake.pauseWs(3 * MINUTE);
    const { sink, pipeline } = recordingPipeline('1m', TFS);
    const events: FeedEvent[] = [];
    feed = new LiveFeed({
      symbols: ['DOGEUSDT'],
      timeframes: TFS,
      pipeline,
      clock: fake.clock,
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 },
      ws: { wsBaseUrl: fake.wsBaseUrl, closeGraceMs: GRACE, reconnect: { baseMs: 2, maxMs: 20 } },
      warmupBars: 30,
      tickMs: 5,
      onEvent: (e) => events.push(e),
    });
    await feed.start();
    await waitFor(() => events.length === 1, 'feed-down');
    expect(events[0]).toMatchObject({ type: 'feed-down', reason: expect.stringContaining('503') });
    expect(feed.health()).toMatchObject({ connected: false, restFallback: true });
    const driver = new StepDriver(fake, feed, series, 1500);
    for (let m = 0; m < 3; m++) await driver.step(T0 + m * MINUTE);
    expect(feed.health().candles.rest).toBe(3);
    await waitFor(() => feed!.health().connected, 'ws connected once the pause is over');
    for (let m = 3; m < 6; m++) await driver.step(T0 + m * MINUTE);
    expect(events.map((e) => e.type)).toEqual(['feed-down', 'feed-up']);
    expect(sink.of('DOGEUSDT', '1m')).toEqual(sourceCandles(series[0], T0 - 30 * MINUTE, T0 + 6 * MINUTE));
    expect(feed.health()).toMatchObject({ connected: true, restFallback: false, downSince: null, reconnects: 0 });
  });

  it('answers a server ping with a pong', async () => {
    const { fake } = await startFeed(['BTCUSDT']);
    fake.ping();
    await waitFor(() => fake.wsStats.pongs === 1, 'pong');
    fake.ping();
    fake.ping();
    await waitFor(() => fake.wsStats.pongs === 3, 'three pongs');
  });

  it('rotates on serverShutdown and by age without losing or repeating a close', async () => {
    const { sink, events, series, driver, fake, feed } = await startFeed(['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], {}, { rotateAfterMs: 10 * MINUTE });
    // Rotations: notices at minutes 3 and 4, then by age at about 14, 24 and 34; the next would be
    // after minute 44, so the run stops at 42 to keep the count exact.
    for (let m = 0; m < 41; m++) {
      if (m === 3 || m === 4) {
        // Twice in a row: the second notice arrives on the replacement connection.
        const before = feed.health().rotations;
        fake.sendServerShutdown();
        await waitFor(() => feed.health().rotations === before + 1, 'rotation');
      }
      // By age: more than 10 simulated minutes after the previous rotation, a tick replaces it.
      if (m === 16 || m === 28 || m === 40) {
        const want = 2 + (m - 4) / 12;
        await waitFor(() => feed.health().rotations === want, `rotation by age at minute ${m}`);
      }
      await driver.step(T0 + m * MINUTE);
    }
    const h = feed.health();
    expect(h.rotations).toBe(5);
    expect(h.reconnects).toBe(0);
    expect(h.candles.rest).toBe(0); // nothing was missed, so nothing needed backfill
    expect(events.filter((e) => e.type === 'feed-down')).toEqual([]);
    expect(fake.wsStats.connections).toBe(1 + h.rotations);
    for (const s of series) expect(sink.of(s.symbol, '1m')).toEqual(sourceCandles(s, T0 - 30 * MINUTE, T0 + 41 * MINUTE));
  });

  it('closes a candle by timer when its final frame never comes, and REST verification flags the difference', async () => {
    const { sink, events, series, driver, fake, feed } = await startFeed(['BTCUSDT', 'ETHUSDT']);
    const missing = T0 + 3 * MINUTE;
    fake.suppressFinalFrame('BTCUSDT', missing);
    for (let m = 0; m < 8; m++) await driver.step(T0 + m * MINUTE);
    await waitFor(() => feed.health().provisional.mismatched === 1, 'REST verification');

    const btc = sink.of('BTCUSDT', '1m');
    const src = sourceCandles(series.find((s) => s.symbol === 'BTCUSDT')!, T0 - 30 * MINUTE, T0 + 8 * MINUTE);
    expect(btc.map((c) => c.openTime)).toEqual(src.map((c) => c.openTime)); // exactly once, in order
    const i = btc.findIndex((c) => c.openTime === missing);
    // The provisional candle carries the last update's values (the fake's half-formed candle)...
    expect(btc[i]).not.toEqual(src[i]);
    expect(btc[i].open).toBe(src[i].open);
    // ...every other candle is the real one.
    expect(btc.filter((_, k) => k !== i)).toEqual(src.filter((_, k) => k !== i));
    expect(sink.of('ETHUSDT', '1m')).toEqual(sourceCandles(series.find((s) => s.symbol === 'ETHUSDT')!, T0 - 30 * MINUTE, T0 + 8 * MINUTE));
    expect(feed.health().provisional).toEqual({ closed: 1, mismatched: 1 });
    const mismatch = events.find((e) => e.type === 'provisional-mismatch');
    expect(mismatch).toMatchObject({ symbol: 'BTCUSDT', openTime: missing, rest: src[i] });
  });

  it('keeps order and exactly-once when frames arrive late', async () => {
    const { sink, series, driver, fake, feed } = await startFeed(['BTCUSDT', 'ETHUSDT']);
    fake.delayFrames(15);
    for (let m = 0; m < 6; m++) await driver.step(T0 + m * MINUTE);
    fake.delayFrames(0);
    for (let m = 6; m < 10; m++) await driver.step(T0 + m * MINUTE);
    for (const s of series) expect(sink.of(s.symbol, '1m')).toEqual(sourceCandles(s, T0 - 30 * MINUTE, T0 + 10 * MINUTE));
    expect(feed.health().droppedFramesTotal).toBe(0);
  });
});

describe('BinanceKlineFeed', () => {
  let fake: FakeBinance | undefined;
  let kf: BinanceKlineFeed | undefined;
  afterEach(async () => {
    kf?.stop();
    await fake?.close();
    kf = fake = undefined;
  });

  it('closes a candle when the next one starts without a final frame, and splits streams over connections', async () => {
    const series = all.filter((s) => ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'].includes(s.symbol));
    fake = await FakeBinance.start({ series, now: T0, updateOffsetsMs: [0, 30_000] });
    const closes: { symbol: string; openTime: number; provisional: boolean }[] = [];
    let ups = 0;
    kf = new BinanceKlineFeed(
      series.map((s) => s.symbol),
      '1m',
      { ...DEFAULT_WS_OPTIONS, wsBaseUrl: fake.wsBaseUrl, closeGraceMs: 10 * MINUTE, maxStreamsPerConnection: 2 },
      fake.clock,
      {
        onClose: (symbol, c, provisional) => closes.push({ symbol, openTime: c.openTime, provisional }),
        onUp: () => ups++,
        onDown: () => {},
        onDropped: () => {},
        onRotated: () => {},
      },
    );
    kf.start();
    await waitFor(() => ups === 2, 'two connections');
    expect(kf.connectionCounts).toEqual({ open: 2, total: 2 });
    fake.suppressFinalFrame('ETHUSDT', T0 + MINUTE);
    for (let m = 0; m < 3; m++) {
      fake.advanceTo(T0 + (m + 1) * MINUTE);
      await sleep(5);
    }
    fake.advanceTo(T0 + 3 * MINUTE + 1);
    await waitFor(() => closes.length === 9, 'nine closes');
    const eth = closes.filter((c) => c.symbol === 'ETHUSDT');
    expect(eth).toEqual([
      { symbol: 'ETHUSDT', openTime: T0, provisional: false },
      { symbol: 'ETHUSDT', openTime: T0 + MINUTE, provisional: true },
      { symbol: 'ETHUSDT', openTime: T0 + 2 * MINUTE, provisional: false },
    ]);
  });
});
