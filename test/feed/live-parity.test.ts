import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timeframe } from '../../src/core/timeframe.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import { LiveFeed } from '../../src/feed/live/live-feed.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, MINUTE, StepDriver, recordingPipeline, referenceDeliveries, waitFor } from '../fakes/binance/harness.js';

// Warm-up + live over the real clients must hand the pipeline exactly what a plain replay of
// the same candles does: same (symbol, timeframe, candle) sequence, same order.
const T0 = Date.UTC(2021, 3, 5, 0, 0);
const WARMUP = 300;
const LIVE = 150;
const TFS: Timeframe[] = ['1m', '2m', '5m', '15m', '1h'];

describe('LiveFeed warm-up parity', () => {
  let series: CandleSeries[];
  let fake: FakeBinance;

  beforeAll(async () => {
    series = loadCandleDir(DATA_2021_1M, { from: T0 - WARMUP * MINUTE - 60 * MINUTE, to: T0 + (LIVE + 5) * MINUTE });
    fake = await FakeBinance.start({ series, now: T0 + 1000 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('delivers the same sequence as ReplayFeed over the same candles', async () => {
    const { sink, pipeline } = recordingPipeline('1m', TFS);
    const symbols = series.map((s) => s.symbol);
    const feed = new LiveFeed({
      symbols,
      timeframes: TFS,
      pipeline,
      clock: fake.clock,
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 },
      ws: { wsBaseUrl: fake.wsBaseUrl, closeGraceMs: 1000, reconnect: { baseMs: 2, maxMs: 20 } },
      warmupBars: WARMUP,
      tickMs: 5,
    });
    await feed.start();
    expect(sink.deliveries.filter((d) => d.tf === '1m')).toHaveLength(WARMUP * symbols.length);
    await waitFor(() => feed.health().connected, 'ws connected');
    const driver = new StepDriver(fake, feed, series, 1500);
    for (let m = 0; m < LIVE; m++) await driver.step(T0 + m * MINUTE);
    await feed.stop();

    const ref = await referenceDeliveries(series, TFS, T0 - WARMUP * MINUTE, T0 + LIVE * MINUTE);
    expect(sink.deliveries.length).toBe(ref.deliveries.length);
    expect(sink.deliveries).toEqual(ref.deliveries);
    const h = feed.health();
    expect(h.candles).toEqual({ warmup: WARMUP * symbols.length, rest: 0, ws: LIVE * symbols.length });
    expect(h.droppedFramesTotal).toBe(0);
    expect(h.gaps).toBe(0);
  });
});
