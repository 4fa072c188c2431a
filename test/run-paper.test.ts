import { renderEvent } from '../src/notifier/render.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../src/app/live.js';
import { createRuntime } from '../src/kernel/kernel.js';
import { ReplayClock } from '../src/core/clock.js';
import { loadConfig, loadLiveParams } from '../src/config/load.js';
import { loadCandleDir, type CandleSeries } from '../src/feed/csv.js';
import { ReplayFeed } from '../src/feed/replay.js';
import { createLogger } from '../src/core/log.js';
import { StateStore } from '../src/store/state-store.js';
import { FakeBinance } from './fakes/binance.js';
import { DATA_2021_1M, MINUTE, StepDriver, waitFor } from './fakes/binance/harness.js';

// `edgebot run --mode paper` against a fake Binance on loopback: warm-up over ccxt REST, live
// closes over the WebSocket, cards in the console chat — and the same MA-z as a replay.
const T0 = Date.UTC(2021, 3, 5, 0, 0);
const WARMUP = 600;
const LIVE = 150;

describe('run --mode paper against a fake Binance', () => {
  let series: CandleSeries[];
  let fake: FakeBinance;
  let bot: RunningBot;
  let dir: string;
  let out = '';
  const input = new PassThrough();
  const overrides = () => ({
    baseCoins: ['BNB', 'BTC', 'DOGE', 'ETH', 'SOL'],
    timeframes: ['5m', '15m'],
    chat: 'console',
    execution: { autoTrade: 'paper' },
    exchange: { restBaseUrl: fake.restBaseUrl },
    feed: { wsBaseUrl: fake.wsBaseUrl, baseTimeframe: '1m', closeGraceMs: 1000, warmupBars: WARMUP, maxMissingBars: 3 },
    paths: { state: join(dir, 'state.json'), liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-run-'));
    const params: Record<string, unknown> = {};
    for (const c of ['BTC', 'ETH', 'SOL', 'BNB', 'DOGE']) {
      params[`${c}USDT`] = { zScoreThreshold: 1.0, movingAverages: 6, profitPercent: 1, stopLossPercent: 0.5, allocationPercent: 10 };
    }
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    series = loadCandleDir(DATA_2021_1M, { from: T0 - (WARMUP + 60) * MINUTE, to: T0 + (LIVE + 5) * MINUTE });
    fake = await FakeBinance.start({ series, now: T0 + 1000 });
    const output = new PassThrough();
    output.on('data', (d: Buffer) => (out += d.toString()));
    bot = await startBot({
      mode: 'paper',
      overrides: overrides(),
      input,
      output,
      clock: fake.clock,
      feed: { tickMs: 5, reconnect: { baseMs: 2, maxMs: 20 }, rateLimitMs: 1 },
    });
  });

  afterAll(async () => {
    await bot?.stop('test over');
    await fake?.close();
  });

  it('warms up over REST without posting history as cards, then goes live', async () => {
    expect(bot.rt.engine.stats.candles).toBe(WARMUP * series.length);
    expect(bot.rt.engine.stats.cards).toBe(0);
    await waitFor(() => bot.feed.health().connected, 'ws connected');
    await waitFor(() => out.includes('edgebot started (paper)'), 'startup message');
  });

  it('the MA-z at the first live close equals a replay over the same candles', async () => {
    const driver = new StepDriver(fake, bot.feed, series, 1500);
    await driver.step(T0);
    await driver.step(T0 + MINUTE);
    await driver.step(T0 + 2 * MINUTE);
    await driver.step(T0 + 3 * MINUTE);
    await driver.step(T0 + 4 * MINUTE); // closes the first live 5m rating interval
    const live = bot.rt.engine.ratingsSnapshot();

    const config = loadConfig({ overrides: overrides() });
    const store = await StateStore.open(join(dir, 'replay-state.json'), config.broker.startingBalance);
    const rt = createRuntime({ notice: renderEvent,
      mode: 'replay', config, liveParams: loadLiveParams(config.paths.liveParams), clock: new ReplayClock(), store,
      log: createLogger(), baseTimeframe: '1m',
    });
    const replaySeries = loadCandleDir(DATA_2021_1M, { from: T0 - WARMUP * MINUTE, to: T0 + 5 * MINUTE });
    await new ReplayFeed(replaySeries, rt.pipeline).run();
    expect(rt.engine.stats.candles).toBe(bot.rt.engine.stats.candles);
    expect(live).toEqual(rt.engine.ratingsSnapshot());
    expect(live.some((r) => r.maZ !== 0)).toBe(true);
  });

  it('scans live closes, posts cards and paper-trades them; /status shows the feed', async () => {
    const driver = new StepDriver(fake, bot.feed, series, 1500);
    for (let m = 5; m < LIVE; m++) await driver.step(T0 + m * MINUTE);
    expect(bot.rt.engine.stats.cards).toBeGreaterThan(0);
    // Shown once the state that holds it is on disk (write-ahead outbox).
    await waitFor(() => /🟢 BUY [A-Z]+USDT · 5m · Glicko-2 z-score/.test(out), 'a card in the console');
    expect(bot.rt.broker.account.positions.length + bot.rt.broker.account.trades.length).toBeGreaterThan(0);
    input.write('/status\n');
    await waitFor(() => out.includes('Binance WebSocket'), '/status reply');
    expect(out).toMatch(/Feed: 🟢 connected/);
    expect(out).toMatch(/5m: last close/);
  });

  it('tells the owner when the feed goes down and comes back', async () => {
    fake.pauseWs(3 * MINUTE);
    fake.dropAll();
    await waitFor(() => out.includes('Market data feed down'), 'feed-down message');
    const driver = new StepDriver(fake, bot.feed, series, 1500);
    for (let m = LIVE; m < LIVE + 4; m++) await driver.step(T0 + m * MINUTE);
    fake.resumeWs();
    await waitFor(() => out.includes('Market data feed back'), 'feed-up message', 10_000);
  });
});
