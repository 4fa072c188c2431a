import { renderEvent } from '../notifier/render.js';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ReplayClock } from '../core/clock.js';
import { timeframeMs } from '../core/timeframe.js';
import { loadConfig, loadLiveParams } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { zScoreFactor, zThresholdWarnings, type ZThresholdWarning } from '../config/z-reach.js';
import { fitToBase } from '../config/base-timeframe.js';
import { rStats, toRecord } from '../backtest/stats.js';
import { firstOpenTime, loadCandleData, type BadDataFile } from '../feed/csv.js';
import { ReplayFeed } from '../feed/replay.js';
import { StateStore } from '../store/state-store.js';
import { appLogger, createRuntime, type Runtime } from '../kernel/kernel.js';
import { openChat } from './chat.js';
import type { ChatAdapter } from '../notifier/chat.js';
import { ConsoleChat } from '../notifier/console-chat.js';
import { UsageError } from '../core/errors.js';
import { validatedSignals } from './signals.js';
import { scheduleJobs, standardJobs } from './jobs.js';

export interface ReplayOptions {
  /** Folder of `<SYMBOL>.csv[.gz]` candle files; symbols come from the file names. */
  data: string;
  /** Config file; without one, replay uses the console chat and `autoTrade: "paper"`. */
  config?: string;
  /** Clip to open times in [from, to), ms UTC. */
  from?: number;
  to?: number;
  /** 0 = as fast as possible, N = N× real time. */
  speed?: number;
  /** State file; replays start from a fresh one each run (default: `replay-state.json` beside `paths.state`). */
  statePath?: string;
  /** Streams (tests use their own). */
  input?: NodeJS.ReadableStream | null;
  output?: NodeJS.WritableStream;
  /** Pause between Telegram sends in ms (default 1000, about Telegram's 1 message/s per chat). */
  chatPacingMs?: number;
  /** Leave corrupt data files out (listed in a warning and in `skipped`) instead of refusing the run. */
  skipBadFiles?: boolean;
  /**
   * Stop the replay clock after each time step that produced a tradable card and wait for the
   * console chat's input (commands and taps are handled; `next` or the end of the input resumes).
   * Needs the console chat; without `config`, auto-trading is off so the owner taps.
   */
  pauseOnCard?: boolean;
}

/** The replay's last line (SPEC: one JSON object). Money in quote currency. */
export interface ReplaySummary {
  candles: number;
  cards: number;
  trades: number;
  winRate: number;
  pnl: number;
  maxDrawdownPercent: number;
  /** Profit factor in R (Σ positive R / Σ |negative R|, capped at 99) and mean R per trade. */
  profitFactorR: number;
  meanR: number;
  elapsedMs: number;
  candlesPerSecond: number;
}

/** A prepared replay: the runtime, its chat and feed, ready to `run()`; tests drive it step by step. */
export interface ReplaySession {
  rt: Runtime;
  chat: ChatAdapter;
  feed: ReplayFeed;
  config: Config;
  /** Data files refused and left out (`skipBadFiles`). */
  skipped: BadDataFile[];
  /** Parameter sets whose z-score threshold cannot fire with the replay's coins (also logged). */
  zWarnings: ZThresholdWarning[];
  /** Replays to the end and closes the chat. */
  run(): Promise<ReplaySummary>;
  summary(elapsedMs: number): ReplaySummary;
  close(): Promise<void>;
}

/**
 * Builds a replay of historical candles through the whole bot: pipeline → engine → cards →
 * chat, with the simulated broker.
 */
export async function prepareReplay(o: ReplayOptions): Promise<ReplaySession> {
  const configured = o.config
    ? loadConfig({ file: o.config })
    : loadConfig({ overrides: { chat: 'console', execution: { autoTrade: o.pauseOnCard ? 'off' : 'paper' } } });
  const { series, skipped } = loadCandleData(o.data, { from: o.from, to: o.to, skipBadFiles: o.skipBadFiles });
  const base = series[0].timeframe;
  const { config, notes } = fitToBase(configured, base);
  const start = firstOpenTime(series, o.data);
  // Next to the configured state file, never the bot's own: data/replay-state.json by default.
  const statePath = o.statePath ?? join(dirname(config.paths.state), 'replay-state.json');
  rmSync(statePath, { force: true });
  // A replay's state is rebuilt from its data on every run: written once, at the end, no fsync.
  const store = await StateStore.open(statePath, config.broker.startingBalance, { durable: false, writeOnClose: true });
  const secrets: string[] = [];
  const log = appLogger(config, !!o.output, secrets);
  for (const n of notes) log.warn(n);
  if (skipped.length) log.warn({ skipped: skipped.map((b) => b.error.message) }, `skipped ${skipped.length} bad data file(s): ${skipped.map((b) => b.file).join(', ')}`);
  // Time begins at the first event, the first candle's close: a replay starting at 00:00 has no
  // "yesterday" to summarize at 00:01.
  const clock = new ReplayClock(start + timeframeMs(base));
  // Validated signals run next to the z-score rule.
  const validated = validatedSignals(config, log);
  const liveParams = loadLiveParams(config.paths.liveParams);
  // A threshold the z-scores of this many coins can never reach would silently never fire.
  const zWarnings = zThresholdWarnings(liveParams, series.length, zScoreFactor(config.rating.zScoreScale, series.length));
  for (const w of zWarnings) log.warn({ symbol: w.symbol, zScoreThreshold: w.zScoreThreshold, coins: w.coins }, w.message);
  const rt = createRuntime({ notice: renderEvent,
    mode: 'replay',
    ...validated,
    liveParams,
    clock,
    store,
    log,
    baseTimeframe: base,
    coinSymbols: series.map((s) => s.symbol),
    onFeedNotice: (n) => log.warn({ notice: n }, 'feed notice'),
  });
  const chat = await openChat(rt, {
    input: o.input === undefined ? process.stdin : o.input,
    output: o.output ?? process.stdout,
    secrets,
    ...(o.chatPacingMs !== undefined ? { minIntervalMs: o.chatPacingMs } : {}),
    ...(o.pauseOnCard ? { holdInput: true } : {}),
  });
  if (o.pauseOnCard && !(chat instanceof ConsoleChat)) {
    await chat.stop();
    await store.close();
    throw new UsageError('--pause-on-card needs the console chat (no Telegram config, or "chat": "console")');
  }
  // Set when a time step made a card the owner can act on; the replay pauses after that step.
  let cardShown = false;
  if (o.pauseOnCard) rt.bus.subscribe((e) => {
    if (e.type === 'card' && e.card.status === 'open') cardShown = true;
  });
  // Said in the chat too: a replay that silently rated nothing would look like a market without signals.
  for (const text of notes) rt.bus.emit({ type: 'alert', level: 'warning', text });
  // The daily and weekly summaries (and the heartbeat) run on the replay clock, at simulated time.
  const stopJobs = scheduleJobs(rt, standardJobs(rt));
  const feed = new ReplayFeed(series, rt.pipeline);
  log.info({ data: o.data, symbols: series.length, base, candles: feed.total }, 'replay starting');

  const summary = (elapsedMs: number): ReplaySummary => {
    const a = rt.broker.account;
    const r = rStats(a.trades.map(toRecord));
    const wins = a.trades.filter((t) => t.pnl > 0).length;
    const candles = rt.engine.stats.candles;
    return {
      candles,
      cards: rt.engine.stats.cards,
      trades: a.trades.length,
      winRate: a.trades.length ? round(wins / a.trades.length, 4) : 0,
      pnl: round(rt.broker.equity() - config.broker.startingBalance, 2),
      maxDrawdownPercent: round(a.maxDrawdownPercent, 2),
      profitFactorR: r.profitFactor,
      meanR: r.avgR,
      elapsedMs: Math.round(elapsedMs),
      candlesPerSecond: Math.round(candles / Math.max(elapsedMs, 1) * 1000),
    };
  };
  const close = async () => {
    stopJobs();
    await chat.flush();
    await chat.stop();
    await store.close();
  };
  return {
    rt, chat, feed, config, skipped, zWarnings, summary, close,
    async run() {
      const t0 = performance.now();
      let pausedMs = 0;
      const repl = o.pauseOnCard && chat instanceof ConsoleChat ? chat : undefined;
      const pauseWhen = repl ? () => cardShown && !repl.inputEnded : undefined;
      for (;;) {
        const finished = await feed.run({ speed: o.speed ?? 0, ...(pauseWhen ? { pauseWhen } : {}) });
        if (finished || !repl || !cardShown) break;
        cardShown = false;
        const p0 = performance.now();
        await repl.waitForResume(clock.now());
        pausedMs += performance.now() - p0;
      }
      // Time spent waiting for the owner is not replay time.
      const s = summary(performance.now() - t0 - pausedMs);
      log.info(s, 'replay finished');
      await close();
      return s;
    },
  };
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
