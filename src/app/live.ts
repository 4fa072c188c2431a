import { systemClock, type Clock } from '../core/clock.js';
import { ConfigError } from '../core/errors.js';
import { loadConfig, loadLiveParams } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { LiveFeed, type FeedEvent, type FeedHealth, type LiveFeedOptions } from '../feed/live.js';
import { createLogger } from '../notifier/logger.js';
import { duration } from '../notifier/format.js';
import type { ChatAdapter } from '../notifier/chat.js';
import { StateStore, corruptStateMessage } from '../store/state-store.js';
import { openChat } from './chat.js';
import { scheduleJobs, standardJobs } from './jobs.js';
import { createRuntime, type FeedStatus, type Runtime } from './runtime.js';

export interface RunOptions {
  mode: 'paper';
  config?: string;
  input?: NodeJS.ReadableStream | null;
  output?: NodeJS.WritableStream;
  /** Overrides on top of the config file (tests). */
  overrides?: unknown;
  /** Pause between Telegram sends (tests: 0). */
  chatPacingMs?: number;
  /** Market clock (default the wall clock; tests pass the fake exchange's simulated clock). */
  clock?: Clock;
  /** Feed tuning beyond the config (tests: fast ticks and reconnects). */
  feed?: Pick<LiveFeedOptions, 'tickMs' | 'restRetry'> & { reconnect?: { baseMs: number; maxMs: number }; rateLimitMs?: number };
}

/** A running bot: stop it with `stop()` (SIGINT/SIGTERM do the same in the CLI). */
export interface RunningBot {
  rt: Runtime;
  feed: LiveFeed;
  chat: ChatAdapter;
  stop(reason?: string): Promise<void>;
}

/** `/status` lines for the live feed. */
export function feedStatus(h: FeedHealth): FeedStatus {
  const details = [
    `${h.type === 'ws' ? 'Binance WebSocket' : `${h.exchange} REST polling`} · ${h.state}` +
      (h.type === 'ws' ? ` · connections ${h.connections.open}/${h.connections.total}` : '') +
      (h.restFallback && h.type === 'ws' ? ' · REST fallback active' : ''),
    `reconnects ${h.reconnects} · rotations ${h.rotations} · dropped frames ${h.droppedFramesTotal} · REST errors ${h.restErrors} · gaps ${h.gaps}`,
  ];
  for (const [tf, t] of Object.entries(h.timeframes)) {
    if (t) details.push(`${tf}: last close ${t.ageMs === null ? 'none yet' : `${duration(t.ageMs)} ago`}${t.stale ? ' ⚠️ stale' : ''}`);
  }
  return { connected: h.connected, details };
}

function feedAlert(e: FeedEvent): { level: 'info' | 'warning'; text: string } | null {
  switch (e.type) {
    case 'feed-down': return { level: 'warning', text: `Market data feed down: ${e.reason}. Falling back to REST and reconnecting.` };
    case 'feed-up': return { level: 'info', text: `Market data feed back after ${duration(e.downtimeMs)}; missed candles were backfilled.` };
    case 'gap': return { level: 'warning', text: `${e.symbol}: the exchange has no candles for ${e.missingBars} bars before ${new Date(e.toOpenTime).toISOString().slice(0, 16)} UTC.` };
    default: return null;
  }
}

/**
 * `edgebot run --mode paper`: warm-up history over REST, then live closes from the Binance
 * WebSocket (or REST polling) through the same pipeline and engine as replay, with the simulated
 * broker and the Telegram or console chat. State persists in `paths.state`.
 */
export async function startBot(o: RunOptions): Promise<RunningBot> {
  const config: Config = loadConfig({ file: o.config, overrides: o.overrides });
  const secrets: string[] = [];
  const log = createLogger({
    level: config.log.level,
    dir: config.paths.logDir,
    // stdout belongs to the console chat; warnings also go to stderr (not when a caller owns the streams).
    console: o.output ? null : process.stderr,
    consoleLevel: 'warn',
    secrets: () => secrets,
  });
  const store = await StateStore.open(config.paths.state, config.broker.startingBalance);
  const clock = o.clock ?? systemClock;
  let feed: LiveFeed | undefined;
  const rt = createRuntime({
    mode: o.mode,
    config,
    liveParams: loadLiveParams(config.paths.liveParams),
    clock,
    store,
    log,
    baseTimeframe: config.feed.baseTimeframe,
    feedStatus: () => (feed ? feedStatus(feed.health()) : null),
    onFeedNotice: (n) => log.warn({ notice: n }, 'feed notice'),
  });
  if (!config.timeframes.every((tf) => tf !== '1m' || config.feed.baseTimeframe === '1m')) {
    throw new ConfigError('timeframes include 1m but feed.baseTimeframe is not 1m', 'timeframes');
  }
  const chat = await openChat(rt, {
    input: o.input === undefined ? process.stdin : o.input,
    output: o.output ?? process.stdout,
    secrets,
    ...(o.chatPacingMs !== undefined ? { minIntervalMs: o.chatPacingMs } : {}),
  });
  if (store.outcome.kind === 'corrupt') {
    const text = corruptStateMessage(store.outcome, config.paths.state);
    log.error({ movedTo: store.outcome.movedTo }, text);
    rt.bus.emit({ type: 'alert', level: 'error', text });
  }
  feed = new LiveFeed({
    symbols: rt.coinSymbols,
    timeframes: [...new Set([config.feed.baseTimeframe, config.rating.timeframe, ...config.timeframes])],
    pipeline: rt.pipeline,
    clock,
    exchange: {
      id: config.exchange.id,
      restBaseUrl: config.exchange.restBaseUrl,
      ...(o.feed?.rateLimitMs ? { rateLimitMs: o.feed.rateLimitMs } : {}),
    },
    type: config.feed.type === 'rest' ? 'rest' : 'ws',
    ws: {
      wsBaseUrl: config.feed.wsBaseUrl,
      closeGraceMs: config.feed.closeGraceMs,
      ...(o.feed?.reconnect ? { reconnect: o.feed.reconnect } : {}),
    },
    ...(o.feed?.tickMs ? { tickMs: o.feed.tickMs } : {}),
    ...(o.feed?.restRetry ? { restRetry: o.feed.restRetry } : {}),
    maxMissingBars: config.feed.maxMissingBars,
    warmupBars: config.feed.warmupBars,
    logger: log,
    onEvent: (e) => {
      if (e.type === 'dropped-frame' || e.type === 'provisional-mismatch') log.warn({ feedEvent: e }, 'feed event');
      const a = feedAlert(e);
      if (a) rt.bus.emit({ type: 'alert', ...a });
    },
  });
  // Warm-up candles are history: they build ratings and indicators but make no cards.
  rt.engine.publishFrom = clock.now();
  await feed.start();
  const ratingsTimer = setInterval(() => rt.engine.flushRatings(clock.now(), config.rating.syncGraceMs), 1000);
  ratingsTimer.unref();
  const stopJobs = scheduleJobs(rt, standardJobs(rt));
  rt.bus.emit({
    type: 'alert',
    level: 'info',
    text: `🚀 edgebot started (${o.mode}): ${rt.coinSymbols.length} coins, ${config.timeframes.join('/')}, ` +
      `${Object.keys(rt.liveParams).length} parameter sets, ${rt.signals.length} validated signals.` +
      (rt.risk.state.killSwitch ? ' Trading is STOPPED (/resume to allow entries).' : ''),
  });
  log.info({ mode: o.mode, symbols: rt.coinSymbols.length, suppressedWarmupSetups: rt.engine.suppressed }, 'bot started');

  let stopping: Promise<void> | undefined;
  return {
    rt, feed, chat,
    stop(reason = 'shutdown') {
      stopping ??= (async () => {
        clearInterval(ratingsTimer);
        stopJobs();
        await feed!.stop();
        rt.bus.emit({ type: 'alert', level: 'info', text: `🛑 edgebot stopped (${reason}).` });
        await chat.stop();
        rt.store.save();
        await rt.store.flush();
        log.info({ reason }, 'bot stopped');
      })();
      return stopping;
    },
  };
}
