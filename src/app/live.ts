import { every, systemClock, type Clock } from '../core/clock.js';
import { ConfigError } from '../core/errors.js';
import { toVenueError } from '../execution/live/errors.js';
import type { LiveTrader } from '../execution/live/live-trader.js';
import { assertLiveChat, createLiveTrader, exchangeKeys } from '../execution/live/setup.js';
import type { LiveStart } from '../execution/live/key-check.js';
import { explain, liveStartAlerts } from '../notifier/render-live.js';
import { warmupPlan } from '../signal/lookback.js';
import type { CandleRule } from '../signal/rule.js';
import { loadConfig, loadLiveParams } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { LiveFeed, type FeedEvent, type FeedHealth, type LiveFeedOptions } from '../feed/live/live-feed.js';
import { assertLiveVenue, marketDataRestBase } from '../config/venue.js';
import type { Instrument } from '../core/instrument.js';
import { assertBaseTimeframe, resolveInstruments } from '../feed/markets.js';
import { createExchange } from '../feed/rest.js';
import type { Exchange } from 'ccxt';
import { duration, esc } from '../notifier/format.js';
import { lockInstance } from '../store/lock.js';
import { zScoreFactor, zThresholdWarnings } from '../config/z-reach.js';
import { timeframeMs } from '../core/timeframe.js';
import { systemdNotifier } from './systemd.js';
import type { ChatAdapter } from '../notifier/chat.js';
import { StateStore, corruptStateMessage } from '../store/state-store.js';
import { openChat } from './chat.js';
import { validatedSignals } from './signals.js';
import { reconcileJob, scheduleJobs, standardJobs } from './jobs.js';
import { appLogger, createRuntime, type FeedStatus, type Runtime } from '../kernel/kernel.js';
import type { BotEvent, PreviousRun } from '../kernel/events.js';
import { renderEvent } from '../notifier/render.js';

export interface RunOptions {
  mode: 'paper' | 'live';
  config?: string;
  input?: NodeJS.ReadableStream | null;
  output?: NodeJS.WritableStream;
  /** Overrides on top of the config file (tests). */
  overrides?: unknown;
  /** Pause between Telegram sends (tests: 0). */
  chatPacingMs?: number;
  /** Market clock (default the wall clock; tests pass the fake exchange's simulated clock). */
  clock?: Clock;
  /** Extra candle rules (tests: a rule that fires a card on the next close). */
  rules?: CandleRule[];
  /** Where exchange keys and the Telegram token come from (default process.env, with .env loaded by the CLI). */
  env?: NodeJS.ProcessEnv;
  /** Exchange request timeout of the live broker, ms (tests force timeouts with a short one). */
  exchangeTimeoutMs?: number;
  /** Feed tuning beyond the config (tests: fast ticks and reconnects). */
  feed?: Pick<LiveFeedOptions, 'tickMs' | 'restRetry'> & { reconnect?: { baseMs: number; maxMs: number }; rateLimitMs?: number };
}

/** A running bot: stop it with `stop()` (SIGINT/SIGTERM do the same in the CLI). */
export interface RunningBot {
  rt: Runtime;
  feed: LiveFeed;
  chat: ChatAdapter;
  /** Live execution (live mode only). */
  live?: LiveTrader;
  /** Resolves when the bot cannot go on (Telegram polling dead, another instance took over): stop and exit non-zero. */
  fatal: Promise<Error>;
  /** Tells the owner (best effort, bounded) and the log about a crash, before the process exits. */
  reportCrash(err: unknown): Promise<void>;
  stop(reason?: string): Promise<void>;
}

/** How far back a restart processes the closes it missed (beyond that they are history). */
const MAX_CATCH_UP_MS = 7 * 86_400_000;

/**
 * The configured coins' markets on the venue (one `loadMarkets`), retried while the venue is
 * unreachable (a temporary error), never for a coin it does not have (a ConfigError).
 */
async function loadInstruments(ex: Exchange, config: Config, retry = { baseMs: 1000, maxMs: 60_000 }, attempts = 5): Promise<Instrument[]> {
  const req = { baseCoins: config.baseCoins, quote: config.quote, marketType: config.exchange.marketType, explicit: config.exchange.markets };
  for (let i = 1; ; i++) {
    try {
      return await resolveInstruments(ex, req);
    } catch (e) {
      if ((e as { temporary?: boolean }).temporary !== true || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.min(retry.maxMs, retry.baseMs * 2 ** (i - 1))));
    }
  }
}

/**
 * Paper fees on perpetual swaps are the venue's own taker fee from its market info (Kraken
 * Futures: 0.05 %); spot keeps `broker.feeBps`, the owner's actual rate (VIP tiers, discounts).
 */
function venueFees(config: Config, instruments: readonly Instrument[]): Record<string, number> {
  if (config.exchange.marketType !== 'swap') return {};
  return Object.fromEntries(instruments.filter((i) => i.takerFeeBps !== undefined).map((i) => [i.symbol, i.takerFeeBps!]));
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

/** The feed events the owner hears about, as typed notices; the rest are only logged. */
function feedNotice(e: FeedEvent): BotEvent | null {
  switch (e.type) {
    case 'feed-down': return { type: 'feed', level: 'warning', feed: { code: 'down', reason: e.reason } };
    case 'feed-up': return { type: 'feed', level: 'info', feed: { code: 'up', downtimeMs: e.downtimeMs } };
    case 'gap': return { type: 'feed', level: 'warning', feed: { code: 'gap', symbol: e.symbol, missingBars: e.missingBars, toOpenTime: e.toOpenTime } };
    default: return null;
  }
}

/**
 * `edgebot run --mode paper|live`: warm-up history over REST, then live closes from the Binance
 * WebSocket (or REST polling) through the same pipeline and engine as replay, with the Telegram
 * or console chat. State persists in `paths.state`. Live mode differs only by adapters: the live
 * execution port (ccxt, keys from the environment), the exchange as an execution client and the reconcile job;
 * it is refused without keys and with the console chat.
 */
export async function startBot(o: RunOptions): Promise<RunningBot> {
  const config: Config = loadConfig({ file: o.config, overrides: o.overrides });
  const env = o.env ?? process.env;
  const secrets: string[] = [];
  // Live mode is refused before anything starts: a venue the live flow does not support, no
  // keys, or no chat to confirm orders from.
  if (o.mode === 'live') assertLiveVenue(config);
  const keys = o.mode === 'live' ? exchangeKeys(env) : undefined;
  if (keys) {
    assertLiveChat(config, env);
    secrets.push(keys.apiKey, keys.secret, ...(keys.password ? [keys.password] : []));
  }
  const log = appLogger(config, !!o.output, secrets);
  const clock = o.clock ?? systemClock;
  // The market-data exchange (nothing is sent yet): a base timeframe it has no candles for is refused now.
  const restBaseUrl = marketDataRestBase(config);
  const exchange = await createExchange({
    id: config.exchange.id,
    ...(restBaseUrl ? { restBaseUrl } : {}),
    ...(o.feed?.rateLimitMs ? { rateLimitMs: o.feed.rateLimitMs } : {}),
  });
  assertBaseTimeframe(exchange, config.feed.baseTimeframe);
  // One process per state file: a second one would trade the same account twice.
  const lock = lockInstance(config.paths.state);
  // A start that fails after this point leaves no lock behind.
  let running = false;
  try {
    let onStorage: (ok: boolean, err?: Error) => void = () => {};
    const store = await StateStore.open(config.paths.state, config.broker.startingBalance, { durable: true, onHealth: (ok, err) => onStorage(ok, err) });
    const lastRun = { ...store.data.runs };
    store.data.runs = { startedAt: clock.now(), pid: process.pid };
    store.save();
    let fatalResolve!: (e: Error) => void;
    const fatal = new Promise<Error>((r) => (fatalResolve = r));
    let feed: LiveFeed | undefined;
    // Venue fees of perpetuals, filled in once the venue's markets are loaded (before any candle).
    const feeBpsBySymbol: Record<string, number> = {};
    const live = keys ? await createLiveTrader(config, keys, o.exchangeTimeoutMs) : undefined;
    // Validated signals run next to the z-score rule (and any extra rules a test adds).
    const validated = validatedSignals(config, log);
    const rt = createRuntime({ notice: renderEvent, wallClock: true,
      mode: o.mode,
      ...validated,
      rules: [...validated.rules, ...(o.rules ?? [])],
      liveParams: loadLiveParams(config.paths.liveParams),
      clock,
      store,
      log,
      baseTimeframe: config.feed.baseTimeframe,
      ...(config.exchange.marketType === 'swap' ? { feeBpsBySymbol } : {}),
      feedStatus: () => (feed ? feedStatus(feed.health()) : null),
      onFeedNotice: (n) => log.warn({ notice: n }, 'feed notice'),
      ...(live ? { live, clients: [live] } : {}),
    });
    let started: LiveStart | undefined;
    if (live) {
      live.attach(rt);
      try {
        started = await live.connect();
      } catch (e) {
        if (e instanceof ConfigError) throw e; // the key check's refusal (a key that can withdraw)
        const err = toVenueError(e);
        if (err.kind === 'auth') throw new ConfigError(`live mode: ${explain(err, config.quote)}`, 'EXCHANGE_API_KEY', { cause: e });
        throw err;
      }
    }
    if (!rt.config.timeframes.every((tf) => tf !== '1m' || config.feed.baseTimeframe === '1m')) {
      throw new ConfigError('timeframes include 1m but feed.baseTimeframe is not 1m', 'timeframes');
    }
    onStorage = (ok, err) => {
      rt.risk.storageDown = !ok;
      if (!ok) {
        log.error({ err }, 'state file cannot be written');
        rt.outbox.enqueueVolatile({
          kind: 'text', buttons: [],
          html: `🚨 <b>Cannot write the state file</b> (${esc((err as NodeJS.ErrnoException | undefined)?.code ?? err?.message ?? 'error')}). ` +
            'New entries are refused until it can be written; open positions keep their stops and targets. Retrying.',
        });
      } else {
        log.info('state file writable again');
        rt.bus.emit({ type: 'system', level: 'info', notice: { code: 'storage-ok' } });
      }
    };
    const chat = await openChat(rt, {
      input: o.input === undefined ? process.stdin : o.input,
      output: o.output ?? process.stdout,
      secrets,
      ...(o.chatPacingMs !== undefined ? { minIntervalMs: o.chatPacingMs } : {}),
      onFatal: (err) => fatalResolve(err),
    });
    if (live && chat.kind !== 'telegram') {
      await chat.stop();
      throw new ConfigError('live mode is not allowed with the console chat', 'chat');
    }
    // The instruments come from the venue's markets, read once every local check has passed (and,
    // live, the key check): a coin the venue does not have stops the start here. The names are
    // the config's (BTCUSDT, BTCUSD.P), so the runtime was built with them already.
    let instruments: Instrument[];
    try {
      instruments = await loadInstruments(exchange, config, o.feed?.restRetry);
    } catch (e) {
      await chat.stop();
      await store.close();
      throw e;
    }
    Object.assign(feeBpsBySymbol, venueFees(config, instruments));
    log.info({ venue: config.exchange.id, instruments: instruments.map((i) => `${i.symbol}=${i.market}`), feeBpsBySymbol }, 'instruments resolved');
    if (store.outcome.kind === 'corrupt') {
      const text = corruptStateMessage(store.outcome, config.paths.state);
      log.error({ movedTo: store.outcome.movedTo }, text);
      rt.bus.emit({ type: 'alert', level: 'error', text });
    }
    for (const a of started ? liveStartAlerts(started) : []) rt.bus.emit(a);
    const n = rt.coinSymbols.length;
    for (const w of zThresholdWarnings(rt.liveParams, n, zScoreFactor(config.rating.zScoreScale, n))) {
      log.warn({ symbol: w.symbol, zScoreThreshold: w.zScoreThreshold, coins: w.coins }, w.message);
      rt.bus.emit({ type: 'alert', level: 'warning', text: w.message });
    }
    // Warm-up long enough for every lookback (rules, σ_ret, MA-z); config feed.warmupBars is a floor.
    const warmup = warmupPlan({ baseTimeframe: config.feed.baseTimeframe, rules: [...validated.rules, ...(o.rules ?? [])], rating: config.rating, liveParams: rt.liveParams, floorBars: config.feed.warmupBars });
    log.info({ warmup }, 'warm-up length derived');
    // After a restart the warm-up also reaches back to the oldest close the last run had not acted
    // on, so closes missed while the bot was down are processed once (up to a week of them).
    const baseMs = timeframeMs(config.feed.baseTimeframe);
    const acted = Object.values(store.data.engine.through);
    const missedBars = acted.length ? Math.ceil((clock.now() - Math.min(...acted)) / baseMs) + 2 : 0;
    const maxCatchUpBars = Math.ceil(MAX_CATCH_UP_MS / baseMs);
    if (missedBars > maxCatchUpBars) {
      rt.bus.emit({ type: 'system', level: 'warning', notice: { code: 'downtime', downMs: missedBars * baseMs, maxCatchUpMs: MAX_CATCH_UP_MS } });
    }
    feed = new LiveFeed({
      symbols: rt.coinSymbols,
      markets: Object.fromEntries(instruments.map((i) => [i.symbol, i.market])),
      exchangeInstance: exchange,
      timeframes: [...new Set([config.feed.baseTimeframe, config.rating.timeframe, ...rt.config.timeframes])],
      pipeline: rt.pipeline,
      clock,
      exchange: { id: config.exchange.id, ...(restBaseUrl ? { restBaseUrl } : {}) },
      type: config.feed.type === 'rest' ? 'rest' : 'ws',
      ws: {
        wsBaseUrl: config.feed.wsBaseUrl,
        closeGraceMs: config.feed.closeGraceMs,
        ...(o.feed?.reconnect ? { reconnect: o.feed.reconnect } : {}),
      },
      ...(o.feed?.tickMs ? { tickMs: o.feed.tickMs } : {}),
      ...(o.feed?.restRetry ? { restRetry: o.feed.restRetry } : {}),
      maxMissingBars: config.feed.maxMissingBars,
      warmupBars: Math.max(warmup.bars, Math.min(missedBars, maxCatchUpBars)),
      logger: log,
      onEvent: (e) => {
        if (e.type === 'dropped-frame' || e.type === 'provisional-mismatch') log.warn({ feedEvent: e }, 'feed event');
        const notice = feedNotice(e);
        if (notice) rt.bus.emit(notice);
      },
    });
    // Warm-up candles are history: they rebuild ratings and indicators, and act only where the
    // last run had not acted yet (it died first).
    const historyFrom = clock.now();
    rt.resumeAfterHistory(historyFrom);
    log.info({ historyFrom, through: store.data.engine.through }, 'history (warm-up) acts only after these close times');
    await feed.start();
    // A coin whose candle is late must not hold the cross-coin step past its grace: checked every second.
    const stopRatingsFlush = every(rt.clock, 1000, 0, (at) => rt.engine.flushRatings(at, config.rating.syncGraceMs));
    if (live) {
      // Whatever happened while the bot was down (fills, OCO exits, unknown orders) is settled first.
      const r = await live.reconcile();
      log.info({ ...r }, 'live reconcile at start');
      if (r.checked) {
        rt.bus.emit({ type: 'system', level: r.failed ? 'warning' : 'info', notice: { code: 'reconciled', venue: live.venue.venue, ...r } });
      }
    }
    const stopJobs = scheduleJobs(rt, [...standardJobs(rt), ...(live ? [reconcileJob(rt, live)] : [])]);
    const previous: PreviousRun = lastRun.startedAt === undefined ? { kind: 'first' }
      : lastRun.cleanStopAt !== undefined && lastRun.cleanStopAt >= lastRun.startedAt ? { kind: 'clean', stoppedAt: lastRun.cleanStopAt }
        : { kind: 'unclean', startedAt: lastRun.startedAt };
    rt.bus.emit({
      type: 'system',
      level: previous.kind === 'unclean' ? 'warning' : 'info',
      notice: {
        code: 'started', mode: o.mode, coins: rt.coinSymbols.length, venue: config.exchange.id, marketType: config.exchange.marketType, timeframes: rt.config.timeframes, parameterSets: Object.keys(rt.liveParams).length,
        validatedSignals: rt.signals.length, previous, stopped: rt.risk.state.killSwitch,
      },
    });
    log.info({ mode: o.mode, symbols: rt.coinSymbols.length, suppressedHistorySetups: rt.engine.suppressed, previous }, 'bot started');
    const notifier = systemdNotifier(log);
    notifier.ready(`${o.mode}: ${rt.coinSymbols.length} coins`);
    let dead = false;
    void fatal.then(() => (dead = true));
    // The watchdog is fed only while the loop turns and the chat can still hear the owner.
    const watchdogTimer = notifier.watchdogIntervalMs ? setInterval(() => !dead && notifier.watchdog(), notifier.watchdogIntervalMs) : undefined;
    watchdogTimer?.unref();

    let stopping: Promise<void> | undefined;
    const stop = (reason = 'shutdown', clean = true) => {
      stopping ??= (async () => {
        notifier.stopping(reason);
        stopRatingsFlush();
        clearInterval(watchdogTimer);
        stopJobs();
        live?.stop();
        await feed!.stop();
        rt.bus.emit({ type: 'system', level: clean ? 'info' : 'error', notice: { code: 'stopped', reason, clean } });
        if (clean) rt.store.data.runs.cleanStopAt = clock.now();
        rt.store.save();
        await chat.stop();
        await rt.store.close();
        lock.release();
        log.info({ reason, clean }, 'bot stopped');
      })();
      return stopping;
    };
    running = true;
    return {
      rt, feed, chat, fatal,
      ...(live ? { live } : {}),
      async reportCrash(err) {
        log.fatal({ err }, 'crash');
        rt.outbox.enqueueVolatile({ kind: 'text', buttons: [], html: `🚨 <b>edgebot crashed</b>: ${esc((err as Error)?.message ?? String(err))}. It exits now; a supervisor (systemd) restarts it.` });
        let t: NodeJS.Timeout | undefined;
        await Promise.race([stop(`crash: ${(err as Error)?.message ?? String(err)}`, false), new Promise<void>((r) => (t = setTimeout(r, 5000)))]);
        clearTimeout(t);
      },
      stop: (reason) => stop(reason),
    };
  } finally {
    if (!running) lock.release();
  }
}
