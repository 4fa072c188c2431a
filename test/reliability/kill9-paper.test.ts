import { renderEvent } from '../../src/notifier/render.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/kernel/kernel.js';
import { ReplayClock } from '../../src/core/clock.js';
import { loadConfig, loadLiveParams } from '../../src/config/load.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import { ReplayFeed } from '../../src/feed/replay.js';
import { createLogger } from '../../src/core/log.js';
import type { State } from '../../src/store/schema.js';
import { StateStore } from '../../src/store/state-store.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, MINUTE, mulberry32 } from '../fakes/binance/harness.js';
import { BotProcess } from './bot-process.js';
import { SimTime } from './sim-time.js';

// `edgebot run --mode paper` as a real process against the fake Binance, killed with SIGKILL at
// random points (during start-up, while trading, right after a reply, right after a card) and
// restarted each time. Simulated market time keeps running while the bot is down, as it does on
// a VPS: closes missed meanwhile are processed once after the restart. The final state must
// equal an uninterrupted run (a replay of the same candles through the same kernel) trade by
// trade and card by card.
const T0 = Date.UTC(2021, 3, 5, 0, 0);
const WARMUP = 240;
/** Real ms per simulated minute: a restart (~2 s) lets several closes pass unseen. */
const MS_PER_MINUTE = 250;
const DATA_MINUTES = 480;
const KILLS = 20;
const COINS = ['BNB', 'BTC', 'DOGE', 'ETH', 'SOL'];

type Trade = State['paper']['trades'][number];
const tradeKey = (t: Pick<Trade, 'cardId' | 'symbol' | 'qty' | 'entryPrice' | 'entryTime' | 'exitPrice' | 'exitTime' | 'reason'>) =>
  ({ cardId: t.cardId, symbol: t.symbol, qty: t.qty, entryPrice: t.entryPrice, entryTime: t.entryTime, exitPrice: t.exitPrice, exitTime: t.exitTime, reason: t.reason });

describe('kill -9 at random points (paper, real process)', () => {
  let dir: string;
  let series: CandleSeries[];
  let fake: FakeBinance;
  let sim: SimTime;
  let pump: NodeJS.Timeout;
  let overrides: Record<string, unknown>;
  let configFile: string;
  const runs: BotProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-kill9-'));
    const params: Record<string, unknown> = {};
    for (const c of COINS) params[`${c}USDT`] = { zScoreThreshold: 1.0, movingAverages: 6, profitPercent: 1, stopLossPercent: 0.5, allocationPercent: 10 };
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    series = loadCandleDir(DATA_2021_1M, { from: T0 - 1000 * MINUTE, to: T0 + DATA_MINUTES * MINUTE });
    // No in-progress frames: every close comes from a final frame or REST, never from a guess.
    fake = await FakeBinance.start({ series, now: T0 + 1000, updateOffsetsMs: [] });
    sim = new SimTime(join(dir, 'clock.json'), T0 + 1000, MS_PER_MINUTE);
    pump = setInterval(() => fake.advanceTo(sim.now()), 5);
    overrides = {
      baseCoins: COINS,
      timeframes: ['5m'],
      chat: 'console',
      // Cards stay tradable long enough that a close processed after a restart is not stale.
      execution: { autoTrade: 'paper', cardExpiryBars: 50 },
      // A step waits for every coin; the grace only matters when a coin is missing.
      rating: { syncGraceMs: 600_000 },
      exchange: { restBaseUrl: fake.restBaseUrl },
      feed: { wsBaseUrl: fake.wsBaseUrl, baseTimeframe: '1m', closeGraceMs: 60_000, warmupBars: WARMUP, maxMissingBars: 3 },
      paths: { state: join(dir, 'state.json'), liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
    };
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(overrides));
  });

  afterAll(async () => {
    clearInterval(pump);
    for (const r of runs) await r.kill();
    await fake?.close();
  });

  const start = () => {
    const bot = new BotProcess(['run', '--mode', 'paper', '--config', configFile], {}, sim.file);
    runs.push(bot);
    return bot;
  };
  const started = (bot: BotProcess) => bot.waitOut((o) => o.includes('edgebot started (paper)'), 'startup message');

  it(`after ${KILLS} SIGKILLs the trades, positions and cards equal an uninterrupted run`, async () => {
    const rnd = mulberry32(8);
    const kinds = { startup: 0, trading: 0, reply: 0, card: 0 };
    sim.resume();
    for (let k = 0; k < KILLS; k++) {
      const bot = start();
      const kind = k === 0 ? 'trading' : (['startup', 'trading', 'reply', 'card'] as const)[Math.floor(rnd() * 4)];
      if (kind === 'startup') {
        // Anywhere from spawn to just after the first live close.
        await new Promise((r) => setTimeout(r, 200 + rnd() * 2500));
      } else {
        await started(bot);
        if (kind === 'trading') await new Promise((r) => setTimeout(r, 100 + rnd() * 600));
        else if (kind === 'reply') {
          bot.send('/positions');
          await bot.waitOut((o) => /Open positions|No open positions/.test(o), '/positions reply');
        } else {
          const cards = (bot.out.match(/🟢 BUY/g) ?? []).length;
          const deadline = sim.now() + 10 * MINUTE;
          await bot.waitOut((o) => (o.match(/🟢 BUY/g) ?? []).length > cards || sim.now() > deadline, 'a card');
        }
      }
      await bot.kill('SIGKILL');
      kinds[kind]++;
    }
    // The last run catches up, trades a while and stops cleanly.
    const last = start();
    await started(last);
    const end = sim.now() + 10 * MINUTE;
    await new Promise<void>((r) => {
      const t = setInterval(() => sim.now() >= end && (clearInterval(t), r()), 20);
    });
    sim.pause();
    expect(end).toBeLessThan(T0 + DATA_MINUTES * MINUTE);
    last.send('/status');
    await last.waitOut((o) => o.split('Status').length > 2 || o.includes('Status:'), '/status');
    await last.kill('SIGTERM');
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State;
    console.log(`kill -9: ${KILLS} kills (${JSON.stringify(kinds)}), simulated time ${new Date(T0).toISOString()} → ${new Date(sim.now()).toISOString()}`);

    // The uninterrupted run: the same candles, up to where the bot got, through one kernel.
    const config = loadConfig({ overrides });
    const store = await StateStore.open(join(dir, 'reference.json'), config.broker.startingBalance, { durable: false });
    const rt = createRuntime({ notice: renderEvent,
      mode: 'replay', config, liveParams: loadLiveParams(config.paths.liveParams), clock: new ReplayClock(), store,
      log: createLogger(), baseTimeframe: '1m',
    });
    // Like the first run: its warm-up began WARMUP bars before it started, and everything that
    // had closed when it started is history.
    const log = readFileSync(join(dir, 'logs', 'edgebot.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const firstStart = log.find((l) => l.historyFrom !== undefined).historyFrom as number;
    const from = log.find((l) => l.msg === 'warm-up').from as number;
    const clipped = loadCandleDir(DATA_2021_1M, { from, to: T0 + DATA_MINUTES * MINUTE }).map((s) => {
      const to = state.engine.through[s.symbol] ?? -Infinity;
      let n = 0;
      while (n < s.length && s.openTime[n] + MINUTE <= to) n++;
      const sub = (x: Float64Array) => x.subarray(0, n);
      return { ...s, length: n, openTime: sub(s.openTime), open: sub(s.open), high: sub(s.high), low: sub(s.low), close: sub(s.close), volume: sub(s.volume) };
    });
    rt.engine.resumeAfter({}, firstStart);
    await new ReplayFeed(clipped, rt.pipeline).run();

    const ref = rt.broker.account;
    expect(ref.trades.length).toBeGreaterThan(0);
    expect(state.paper.trades.map(tradeKey)).toEqual(ref.trades.map(tradeKey));
    expect(state.paper.positions.map((p) => [p.cardId, p.entryTime, p.entryPrice, p.qty])).toEqual(ref.positions.map((p) => [p.cardId, p.entryTime, p.entryPrice, p.qty]));
    expect(state.cards.map((c) => [c.id, c.symbol, c.createdAt, c.status])).toEqual([...rt.engine.cards.values()].map((c) => [c.id, c.symbol, c.createdAt, c.status]));
    // Nothing twice: one signal-log entry per card.
    expect(new Set(state.signalLog.map((s) => s.cardId)).size).toBe(state.signalLog.length);
    expect(state.outbox.items).toEqual([]);
  }, 180_000);
});
