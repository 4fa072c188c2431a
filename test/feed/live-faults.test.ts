import { afterEach, describe, expect, it } from 'vitest';
import type { Timeframe } from '../../src/core/timeframe.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import type { FeedEvent } from '../../src/feed/health.js';
import { LiveFeed, type LiveFeedOptions } from '../../src/feed/live/live-feed.js';
import { FakeBinance } from '../fakes/binance.js';
import {
  DATA_2021_1M,
  HOUR,
  MINUTE,
  StepDriver,
  mulberry32,
  recordingPipeline,
  referenceDeliveries,
  sleep,
  sourceCandles,
  waitFor,
} from '../fakes/binance/harness.js';

const TFS: Timeframe[] = ['1m', '5m', '15m'];
const MAX_MISSING = 5;
const GRACE = 1000;
const AFTER_CLOSE = 1500;
const WARMUP = 120;

/** LiveFeed options for the fake: small wall-clock backoffs, simulated-clock grace and rotation. */
function feedOptions(fake: FakeBinance, series: CandleSeries[], extra: Partial<LiveFeedOptions> & Pick<LiveFeedOptions, 'pipeline'>): LiveFeedOptions {
  return {
    symbols: series.map((s) => s.symbol),
    timeframes: TFS,
    clock: fake.clock,
    exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 },
    ws: { wsBaseUrl: fake.wsBaseUrl, closeGraceMs: GRACE, reconnect: { baseMs: 2, maxMs: 20 } },
    restRetry: { baseMs: 5, maxMs: 40 },
    maxMissingBars: MAX_MISSING,
    warmupBars: WARMUP,
    tickMs: 5,
    ...extra,
  };
}

type Fault =
  | { kind: 'mid-candle' }
  | { kind: 'at-close' }
  | { kind: 'outage-stepped'; minutes: number; restFailures: number }
  | { kind: 'outage-jump'; minutes: number }
  | { kind: 'shutdown' };

describe('LiveFeed under fault injection', () => {
  let fake: FakeBinance | undefined;
  let feed: LiveFeed | undefined;
  afterEach(async () => {
    await feed?.stop();
    await fake?.close();
    feed = fake = undefined;
  });

  it('delivers a day of 1m closes for 5 symbols exactly once and in order through ≥ 50 disconnects', async () => {
    const day = Date.UTC(2021, 3, 5);
    const end = day + 24 * HOUR;
    const series = loadCandleDir(DATA_2021_1M, { from: day - WARMUP * MINUTE - HOUR, to: end + HOUR });
    fake = await FakeBinance.start({ series, now: day + 1000 });
    const { sink, pipeline, notices } = recordingPipeline('1m', TFS, MAX_MISSING);
    const events: FeedEvent[] = [];
    const rng = mulberry32(20210405);
    feed = new LiveFeed(
      feedOptions(fake, series, {
        pipeline,
        onEvent: (e) => events.push(e),
        random: mulberry32(7),
        // Several symbols per connection, three connections; rotation after 30 simulated minutes.
        ws: { wsBaseUrl: fake.wsBaseUrl, closeGraceMs: GRACE, reconnect: { baseMs: 2, maxMs: 20 }, maxStreamsPerConnection: 2, rotateAfterMs: 30 * MINUTE },
      }),
    );
    await feed.start();
    await waitFor(() => feed!.health().connected, 'ws connected');

    // The fault plan: 60 distinct minutes, seeded; one outage longer than maxMissingBars.
    const plan = new Map<number, Fault>();
    plan.set(700, { kind: 'outage-jump', minutes: 4 * MAX_MISSING });
    while (plan.size < 60) {
      const m = 5 + Math.floor(rng() * 1400);
      if ([...plan.keys()].some((k) => Math.abs(k - m) < 25 && plan.get(k)!.kind.startsWith('outage') || k === m)) continue;
      const r = rng();
      plan.set(
        m,
        r < 0.3 ? { kind: 'mid-candle' }
        : r < 0.55 ? { kind: 'at-close' }
        : r < 0.75 ? { kind: 'outage-stepped', minutes: 2 + Math.floor(rng() * 5), restFailures: rng() < 0.5 ? 3 : 0 }
        : r < 0.92 ? { kind: 'outage-jump', minutes: 2 + Math.floor(rng() * 5) }
        : { kind: 'shutdown' },
      );
    }

    const driver = new StepDriver(fake, feed, series, AFTER_CLOSE);
    let drops = 0;
    for (let m = 0; m < 1440; m++) {
      const open = day + m * MINUTE;
      const fault = plan.get(m);
      if (!fault) {
        await driver.step(open);
        continue;
      }
      switch (fault.kind) {
        case 'mid-candle':
          fake.advanceTo(open + 20_000);
          drops += fake.dropAll();
          await driver.step(open);
          break;
        case 'at-close':
          // Cut right after the close frames went out: they may or may not have been read.
          await driver.toClose(open, { wait: false });
          drops += fake.dropAll();
          await driver.settle(open);
          break;
        case 'outage-stepped':
          // Down for several minutes; REST polling must keep closes flowing meanwhile.
          drops += fake.dropAll();
          fake.pauseWs(fault.minutes * MINUTE);
          if (fault.restFailures) fake.failRest('/api/v3/klines', fault.restFailures);
          for (let k = 0; k < fault.minutes; k++) {
            await driver.toClose(open + k * MINUTE, { wait: false });
            await driver.settle(open + k * MINUTE);
          }
          m += fault.minutes - 1;
          break;
        case 'outage-jump': {
          // Minutes pass in one jump; backfill on reconnect (or a poll) covers all of them.
          drops += fake.dropAll();
          fake.pauseWs(fault.minutes * MINUTE);
          const last = open + (fault.minutes - 1) * MINUTE;
          fake.advanceTo(last + MINUTE + AFTER_CLOSE);
          await driver.waitDelivered(last);
          m += fault.minutes - 1;
          break;
        }
        case 'shutdown': {
          // Every connection is replaced (new one first), and nothing is lost meanwhile.
          const before = feed.health().rotations;
          fake.sendServerShutdown();
          await waitFor(() => feed!.health().rotations >= before + 3, 'rotation of all 3 connections');
          await driver.step(open);
          break;
        }
      }
    }
    await driver.waitDelivered(end - MINUTE);
    await feed.stop();

    // Every base candle exactly once, in order, equal to the file.
    for (const s of series) {
      expect(sink.of(s.symbol, '1m'), s.symbol).toEqual(sourceCandles(s, day - WARMUP * MINUTE, end));
    }
    // The aggregated timeframes too (per symbol; across symbols the order may differ after a reconnect).
    const ref = await referenceDeliveries(series, TFS, day - WARMUP * MINUTE, end);
    for (const s of series) {
      for (const tf of ['5m', '15m'] as const) expect(sink.of(s.symbol, tf), `${s.symbol} ${tf}`).toEqual(ref.of(s.symbol, tf));
    }
    const h = feed.health();
    expect(drops).toBeGreaterThanOrEqual(50);
    expect(h.reconnects).toBeGreaterThanOrEqual(50);
    // serverShutdown rotated all 3 connections each time; age (30 simulated minutes) rotated more.
    const shutdowns = [...plan.values()].filter((f) => f.kind === 'shutdown').length;
    expect(shutdowns).toBeGreaterThan(0);
    expect(h.rotations).toBeGreaterThan(3 * shutdowns);
    expect(h.candles.rest).toBeGreaterThan(0);
    expect(h.restErrors).toBeGreaterThan(0);
    expect(h.droppedFramesTotal).toBe(0);
    expect(h.provisional.closed).toBe(0);
    // Data was there all along (REST filled every hole): no gap alert, nothing dropped by the pipeline.
    expect(events.filter((e) => e.type === 'gap')).toEqual([]);
    expect(notices).toEqual([]);
    expect(pipeline.droppedTotal()).toBe(0);
    const downs = events.filter((e) => e.type === 'feed-down').length;
    expect(downs).toBeGreaterThanOrEqual(50);
    expect(events.filter((e) => e.type === 'feed-up').length).toBe(downs);
  }, 60_000);

  it('raises the gap alert when the exchange itself has no candles (2021-04-20 02:00–04:30)', async () => {
    const from = Date.UTC(2021, 3, 20, 1, 0);
    const end = Date.UTC(2021, 3, 20, 5, 0);
    const series = loadCandleDir(DATA_2021_1M, { from: from - WARMUP * MINUTE, to: end + HOUR });
    fake = await FakeBinance.start({ series, now: from + 1000 });
    const { sink, pipeline } = recordingPipeline('1m', TFS, MAX_MISSING);
    const events: FeedEvent[] = [];
    feed = new LiveFeed(feedOptions(fake, series, { pipeline, onEvent: (e) => events.push(e) }));
    await feed.start();
    await waitFor(() => feed!.health().connected, 'ws connected');
    const driver = new StepDriver(fake, feed, series, AFTER_CLOSE);
    const minutes = (end - from) / MINUTE;
    for (let m = 0; m < minutes; m++) {
      const open = from + m * MINUTE;
      // A disconnect inside the exchange's gap: REST polling finds nothing, which is no alert yet.
      if (open === Date.UTC(2021, 3, 20, 3, 0)) {
        fake.dropAll();
        fake.pauseWs(3 * MINUTE);
      }
      await driver.step(open);
    }
    await feed.stop();

    const gaps = events.filter((e) => e.type === 'gap');
    expect(gaps).toEqual(
      series.map((s) => ({
        type: 'gap',
        symbol: s.symbol,
        missingBars: 150,
        fromOpenTime: Date.UTC(2021, 3, 20, 1, 59),
        toOpenTime: Date.UTC(2021, 3, 20, 4, 30),
        unverified: false,
      })),
    );
    for (const s of series) expect(sink.of(s.symbol, '1m')).toEqual(sourceCandles(s, from - WARMUP * MINUTE, end));
    expect(feed.health().gaps).toBe(series.length);
  }, 30_000);

  it('lets live closes through when REST keeps failing, and reports the lost bars as a gap', async () => {
    const from = Date.UTC(2021, 3, 5, 9, 0);
    const series = loadCandleDir(DATA_2021_1M, { from: from - WARMUP * MINUTE, to: from + HOUR }).filter((s) => ['BTCUSDT', 'ETHUSDT'].includes(s.symbol));
    fake = await FakeBinance.start({ series, now: from + 1000 });
    const { sink, pipeline } = recordingPipeline('1m', TFS, MAX_MISSING);
    const events: FeedEvent[] = [];
    feed = new LiveFeed(feedOptions(fake, series, { pipeline, onEvent: (e) => events.push(e), catchUpTimeoutMs: 5 * MINUTE }));
    await feed.start();
    await waitFor(() => feed!.health().connected, 'ws connected');
    const driver = new StepDriver(fake, feed, series, AFTER_CLOSE);
    for (let m = 0; m < 5; m++) await driver.step(from + m * MINUTE);
    // REST goes away for good; the WebSocket drops and is refused for two minutes.
    fake.failRest('/api/v3/klines', 1_000_000);
    fake.dropAll();
    fake.pauseWs(2 * MINUTE);
    for (let m = 5; m < 7; m++) {
      await driver.toClose(from + m * MINUTE, { wait: false });
      fake.advanceTo(from + (m + 1) * MINUTE + AFTER_CLOSE);
      await sleep(20);
    }
    await waitFor(() => feed!.health().connected, 'ws reconnected');
    // Live closes wait behind the failing catch-up, until catchUpTimeoutMs has passed.
    for (let m = 7; m < 15; m++) {
      await driver.toClose(from + m * MINUTE, { wait: false });
      fake.advanceTo(from + (m + 1) * MINUTE + AFTER_CLOSE);
      await sleep(20);
    }
    await driver.waitDelivered(from + 14 * MINUTE);
    fake.failRest('/api/v3/klines', 0);

    const lost = [from + 5 * MINUTE, from + 6 * MINUTE];
    for (const s of series) {
      const want = sourceCandles(s, from - WARMUP * MINUTE, from + 15 * MINUTE).filter((c) => !lost.includes(c.openTime));
      expect(sink.of(s.symbol, '1m')).toEqual(want);
    }
    expect(events.filter((e) => e.type === 'gap')).toEqual(
      series.map((s) => ({ type: 'gap', symbol: s.symbol, missingBars: 2, fromOpenTime: from + 4 * MINUTE, toOpenTime: from + 7 * MINUTE, unverified: true })),
    );
    expect(feed.health().restErrors).toBeGreaterThan(0);
  });
});
