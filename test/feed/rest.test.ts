import type { Exchange } from 'ccxt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ExchangeError } from '../../src/core/errors.js';
import type { Timeframe } from '../../src/core/timeframe.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import type { FeedEvent } from '../../src/feed/health.js';
import { LiveFeed } from '../../src/feed/live/live-feed.js';
import { backfill, createExchange, fetchHistory, PollSchedule } from '../../src/feed/rest.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, HOUR, MINUTE, StepDriver, recordingPipeline, sourceCandles, waitFor } from '../fakes/binance/harness.js';

const T0 = Date.UTC(2021, 3, 20, 0, 0);
const TFS: Timeframe[] = ['1m', '5m', '15m'];

/** Every http(s) URL string inside a nested urls object. */
function httpUrls(v: unknown): string[] {
  if (typeof v === 'string') return /^https?:/.test(v) ? [v] : [];
  if (v && typeof v === 'object') return Object.values(v).flatMap(httpUrls);
  return [];
}

describe('createExchange', () => {
  it('points every Binance REST API URL at restBaseUrl, keeping the paths', async () => {
    const ex = await createExchange({ id: 'binance', restBaseUrl: 'http://127.0.0.1:9/' });
    const api = ex.urls.api as Record<string, string>;
    expect(api.public).toBe('http://127.0.0.1:9/api/v3');
    expect(api.private).toBe('http://127.0.0.1:9/api/v3');
    expect(api.v1).toBe('http://127.0.0.1:9/api/v1');
    expect(api.sapi).toBe('http://127.0.0.1:9/sapi/v1');
    expect(httpUrls(ex.urls.api).every((u) => u.startsWith('http://127.0.0.1:9/'))).toBe(true);
    expect(httpUrls((ex.urls as Record<string, unknown>).test).every((u) => u.startsWith('http://127.0.0.1:9/'))).toBe(true);
    expect(ex.enableRateLimit).toBe(true);
    expect(ex.options.fetchMarkets).toEqual({ types: ['spot'] });
  });

  it('does the same for any ccxt exchange (krakenfutures) and refuses unknown ids', async () => {
    const ex = await createExchange({ id: 'krakenfutures', restBaseUrl: 'http://127.0.0.1:9' });
    const urls = httpUrls(ex.urls.api);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((u) => u.startsWith('http://127.0.0.1:9'))).toBe(true);
    await expect(createExchange({ id: 'no-such-exchange' })).rejects.toBeInstanceOf(ExchangeError);
    // Without an override the exchange keeps its own hosts.
    const real = await createExchange({ id: 'binance' });
    expect((real.urls.api as Record<string, string>).public).toBe('https://api.binance.com/api/v3');
  });
});

describe('REST history and polling against the fake', () => {
  let series: CandleSeries[];
  let fake: FakeBinance;
  let ex: Exchange;
  beforeAll(async () => {
    series = loadCandleDir(DATA_2021_1M, { from: T0 - 48 * HOUR, to: T0 + 6 * HOUR });
    fake = await FakeBinance.start({ series, now: T0 + 30_000 });
    ex = await createExchange({ id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('paginates fetchOHLCV, drops the still-open row, and returns the file values', async () => {
    const before = fake.restCount('/api/v3/klines');
    const got = await fetchHistory(ex, { symbol: 'BTCUSDT', timeframe: '1m', since: T0 - 2500 * MINUTE, now: fake.now() });
    const btc = series.find((s) => s.symbol === 'BTCUSDT')!;
    expect(got).toEqual(sourceCandles(btc, T0 - 2500 * MINUTE, T0));
    expect(fake.restCount('/api/v3/klines') - before).toBe(3); // 1000 + 1000 + 500
    // `until` clips (exclusive), a ccxt market symbol works too.
    const two = await fetchHistory(ex, { symbol: 'BTC/USDT', timeframe: '1m', since: T0 - 10 * MINUTE, until: T0 - 8 * MINUTE, now: fake.now() });
    expect(two.map((c) => c.openTime)).toEqual([T0 - 10 * MINUTE, T0 - 9 * MINUTE]);
    await expect(fetchHistory(ex, { symbol: 'XRPUSDT', timeframe: '1m', since: T0, now: fake.now() })).rejects.toBeInstanceOf(ExchangeError);
  });

  it('merges several symbols by close time, skips what the exchange does not have', async () => {
    fake.advanceTo(Date.UTC(2021, 3, 20, 4, 32, 10));
    const got = await backfill(ex, [{ symbol: 'ETHUSDT', from: Date.UTC(2021, 3, 20, 1, 58) }, { symbol: 'BTCUSDT', from: Date.UTC(2021, 3, 20, 1, 59) }], '1m', fake.now());
    expect(got.map((g) => `${g.symbol} ${new Date(g.candle.openTime).toISOString().slice(11, 16)}`)).toEqual([
      'ETHUSDT 01:58',
      'ETHUSDT 01:59',
      'BTCUSDT 01:59',
      'ETHUSDT 04:30',
      'BTCUSDT 04:30',
      'ETHUSDT 04:31',
      'BTCUSDT 04:31',
    ]);
  });

  it('maps a failing exchange to a temporary ExchangeError', async () => {
    fake.failRest('/api/v3/klines', 1);
    const err = await fetchHistory(ex, { symbol: 'BTCUSDT', timeframe: '1m', since: T0, now: fake.now() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExchangeError);
    expect((err as ExchangeError).temporary).toBe(true);
  });
});

describe('PollSchedule', () => {
  it('is due once per interval, grace after each close', () => {
    const p = new PollSchedule('1m', 2000);
    expect(p.due(T0)).toBe(true);
    p.polled(T0 + 2000);
    expect(p.next).toBe(T0 + MINUTE + 2000);
    expect(p.due(T0 + MINUTE + 1999)).toBe(false);
    p.polled(T0 + MINUTE + 30_000);
    expect(p.next).toBe(T0 + 2 * MINUTE + 2000);
    p.asap();
    expect(p.due(0)).toBe(true);
  });
});

describe('LiveFeed type "rest" (REST polling)', () => {
  let fake: FakeBinance | undefined;
  let feed: LiveFeed | undefined;
  afterEach(async () => {
    await feed?.stop();
    await fake?.close();
    feed = fake = undefined;
  });

  it('polls every close after the grace, over ccxt, exactly once and in order, and reports REST outages', async () => {
    const from = Date.UTC(2021, 3, 20, 1, 30);
    const series = loadCandleDir(DATA_2021_1M, { from: from - 2 * HOUR, to: from + 4 * HOUR }).filter((s) => ['BTCUSDT', 'DOGEUSDT'].includes(s.symbol));
    fake = await FakeBinance.start({ series, now: from + 1000 });
    const { sink, pipeline } = recordingPipeline('1m', TFS, 5);
    const events: FeedEvent[] = [];
    feed = new LiveFeed({
      type: 'rest',
      symbols: ['BTCUSDT', 'DOGEUSDT'],
      timeframes: TFS,
      pipeline,
      clock: fake.clock,
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 },
      ws: { closeGraceMs: 1000 },
      restRetry: { baseMs: 5, maxMs: 20 },
      maxMissingBars: 5,
      warmupBars: 60,
      tickMs: 5,
      onEvent: (e) => events.push(e),
    });
    await feed.start();
    const driver = new StepDriver(fake, feed, series, 1500);
    const polls = fake.restCount('/api/v3/klines');
    for (let m = 0; m < 40; m++) {
      if (m === 10) fake.failRest('/api/v3/klines', 2);
      await driver.step(from + m * MINUTE);
    }
    // Across the exchange's 02:00–04:30 gap: nothing to poll, then the gap alert when data resumes.
    fake.advanceTo(Date.UTC(2021, 3, 20, 4, 31, 1) + 500);
    await driver.waitDelivered(Date.UTC(2021, 3, 20, 4, 30));
    await feed.stop();

    expect(fake.wsStats.connections).toBe(0);
    for (const s of series) expect(sink.of(s.symbol, '1m')).toEqual(sourceCandles(s, from - 60 * MINUTE, Date.UTC(2021, 3, 20, 4, 31)));
    const h = feed.health();
    expect(h.type).toBe('rest');
    expect(h.restFallback).toBe(true);
    expect(h.candles.warmup).toBe(120);
    expect(h.candles.ws).toBe(0);
    expect(h.restErrors).toBe(2);
    // Roughly one request per symbol per minute: polling is paced by the schedule, not the tick.
    expect(fake.restCount('/api/v3/klines') - polls).toBeLessThanOrEqual(2 * 40 + 2 + 4);
    expect(events.map((e) => e.type)).toEqual(['feed-down', 'feed-up', 'gap', 'gap']);
    expect(events.filter((e) => e.type === 'gap').map((e) => e.type === 'gap' && e.missingBars)).toEqual([150, 150]);
  });

  it('works for any ccxt id by construction, and refuses the Binance WebSocket for others', async () => {
    const { pipeline } = recordingPipeline('1m', TFS);
    const base = { symbols: ['BTCUSDT'], timeframes: TFS, pipeline, clock: { now: () => T0 }, warmupBars: 10 };
    expect(() => new LiveFeed({ ...base, exchange: { id: 'krakenfutures' } })).toThrow(ConfigError);
    const kraken = new LiveFeed({ ...base, type: 'rest', exchange: { id: 'krakenfutures', restBaseUrl: 'http://127.0.0.1:9' } });
    expect(kraken.health()).toMatchObject({ type: 'rest', exchange: 'krakenfutures', state: 'starting' });
    // Warm-up goes to the (unreachable) loopback base URL and fails as an ExchangeError.
    const failing = new LiveFeed({ ...base, type: 'rest', exchange: { id: 'krakenfutures', restBaseUrl: 'http://127.0.0.1:9', timeoutMs: 500 }, warmupAttempts: 1 });
    await expect(failing.start()).rejects.toBeInstanceOf(ExchangeError);
    await failing.stop();
  });
});

describe('LiveFeed warm-up', () => {
  it('retries a failing warm-up and counts the errors', async () => {
    const series = loadCandleDir(DATA_2021_1M, { from: T0 - HOUR, to: T0 + HOUR }).filter((s) => s.symbol === 'SOLUSDT');
    const fake = await FakeBinance.start({ series, now: T0 + 1000 });
    const { sink, pipeline } = recordingPipeline('1m', TFS);
    const feed = new LiveFeed({
      type: 'rest',
      symbols: ['SOLUSDT'],
      timeframes: TFS,
      pipeline,
      clock: fake.clock,
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 },
      restRetry: { baseMs: 5, maxMs: 20 },
      warmupBars: 30,
      tickMs: 5,
    });
    fake.failRest('/api/v3/klines', 2);
    await feed.start();
    expect(sink.of('SOLUSDT', '1m')).toEqual(sourceCandles(series[0], T0 - 30 * MINUTE, T0));
    expect(feed.health().restErrors).toBe(2);
    await waitFor(() => feed.health().state === 'live', 'live');
    await feed.stop();
    await fake.close();
  });
});
