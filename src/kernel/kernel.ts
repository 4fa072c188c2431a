import { withTimers, type Clock, type TimerClock } from '../core/clock.js';
import { displaySymbol } from '../core/instrument.js';
import type { Timeframe } from '../core/timeframe.js';
import type { Config, LiveParams } from '../config/schema.js';
import { EventBus } from './bus.js';
import { CandlePipeline, type FeedNotice } from '../feed/pipeline.js';
import { CandleHistory } from '../feed/candle-history.js';
import type { CandleRule } from '../signal/rule.js';
import type { StateStore } from '../store/state-store.js';
import { Outbox } from '../store/outbox.js';
import { packRatings, unpackRatings } from '../store/ratings-codec.js';
import type { Card } from './card.js';
import type { BotEvent } from './events.js';
import { createLogger, type Logger } from '../core/log.js';
import type { ExecutionClient } from './ports.js';
import type { Engine } from './engine.js';
import type { SimulatedBroker } from './simulated-broker.js';
import type { LiveExecution, TradeService } from './trade-service.js';
import type { RiskManager } from '../risk/risk.js';
import type { Portfolio } from './portfolio.js';
import { wireKernel } from './wire.js';
import { DriftService } from '../signal/drift-service.js';
import { emptyKpiState, KpiService } from './kpi.js';
import { EvidenceBook, paperOnlyReason } from '../signal/evidence.js';
import type { ValidatedFile } from '../signal/validated.js';

export type { Mode } from '../core/mode.js';
import type { Mode } from '../core/mode.js';

/** Feed health as `/status` shows it; each feed adapter provides its own. */
export interface FeedStatus {
  connected: boolean;
  /** Free-form lines (reconnects, dropped frames, stale timeframes). */
  details: string[];
}

/** A loaded validated signal, as `/signals` lists it. */
export interface SignalSummary {
  id: string;
  rule: string;
  symbol: string;
  timeframe: Timeframe;
  winRate?: number;
  profitFactor?: number;
  trades?: number;
}

/** Everything one bot process runs on. Built once by `createRuntime`; the same for every mode. */
export interface Runtime {
  mode: Mode;
  config: Config;
  liveParams: LiveParams;
  /** The engine's clock, with timers (scheduled jobs run on it). */
  clock: TimerClock;
  startedAt: number;
  store: StateStore;
  bus: EventBus;
  broker: SimulatedBroker;
  risk: RiskManager;
  engine: Engine;
  pipeline: CandlePipeline;
  /** The last candles per instrument and timeframe, for chart images; absent when charts are off. */
  history?: CandleHistory;
  trades: TradeService;
  /** Messages for the owner, persisted before they are sent. */
  outbox: Outbox;
  log: Logger;
  coinSymbols: string[];
  signals: SignalSummary[];
  /** Backtest evidence per signal id (validated.json v2). */
  evidence: EvidenceBook;
  /** The drift monitor: pauses signals whose forward record falls below their backtest. */
  drift: DriftService;
  /** Execution KPIs (execution rate, slippage, fill time, feed uptime, signal latency) and their alerts. */
  kpi: KpiService;
  feedStatus: () => FeedStatus | null;
  /** Every position, over the paper account and any venue client (live). */
  portfolio: Portfolio;
  /**
   * Before a live start's warm-up: candles the previous run acted on (or, on a first start,
   * everything closed before `start`, ms UTC) are history and will not act again.
   */
  resumeAfterHistory(start: number): void;
}

/**
 * The process logger: JSON lines in `paths.logDir`, warnings also on stderr unless the caller
 * owns the streams (stdout belongs to the console chat). `secrets` are scrubbed from every line.
 */
export function appLogger(config: Config, callerOwnsStreams: boolean, secrets: readonly string[]): Logger {
  return createLogger({
    level: config.log.level,
    dir: config.paths.logDir,
    console: callerOwnsStreams ? null : process.stderr,
    consoleLevel: 'warn',
    secrets: () => secrets,
  });
}

export interface RuntimeOptions {
  mode: Mode;
  config: Config;
  liveParams: LiveParams;
  clock: Clock & { advance?(t: number): void };
  store: StateStore;
  log: Logger;
  baseTimeframe: Timeframe;
  /** Symbols monitored for ratings (BTCUSDT, BTCUSD.P …); default: config baseCoins + quote (+ `.P` on swaps). */
  coinSymbols?: string[];
  /**
   * Paper fee per symbol where the venue states its own (perpetuals), bps; others pay `broker.feeBps`.
   * Read at each fill, so the caller may fill it in once the venue's markets are loaded.
   */
  feeBpsBySymbol?: Record<string, number>;
  rules?: CandleRule[];
  signals?: SignalSummary[];
  /** validated.json as loaded (src/app/signals.ts), for the evidence on cards; null/absent = none. */
  validatedFile?: ValidatedFile | null;
  live?: LiveExecution;
  /** Venue clients beside the paper account (live mode's exchange): their positions count everywhere. */
  clients?: ExecutionClient[];
  feedStatus?: () => FeedStatus | null;
  onFeedNotice?: (n: FeedNotice) => void;
  /**
   * Words for an event raised while the kernel is wired, before any chat listens (a drift pause a
   * crash left undone): the chat layer's `renderEvent`. Its message goes straight into the outbox.
   */
  notice: (e: BotEvent) => { html: string; buttons: { text: string; data: string }[][] } | null;
  /**
   * The clock is the wall clock (paper, live): signal latency (candle close → delivered) is
   * measured. A replay's clock is candle time, where latency means nothing. Default false.
   */
  wallClock?: boolean;
}

/**
 * Whether chat charts may be drawn: `chat.charts` when set, else on unless the chat is the console
 * (a Telegram chat draws them by default; "auto" may turn out to be Telegram).
 */
export function chartsWanted(config: Config): boolean {
  return config.chat.charts ?? config.chat.type !== 'console';
}

/**
 * The bot process's kernel: `wireKernel` on the store's state, plus the event bus, the drift
 * monitor, the candle pipeline and the outbox. Persisted state (paper account, risk and kill
 * switch, cards, ratings) is restored from the store.
 */
export function createRuntime(o: RuntimeOptions): Runtime {
  const { config, store, log } = o;
  const state = store.data;
  const bus = new EventBus((err, e) => log.error({ err, event: e.type }, 'event listener failed'));
  const persist = () => store.save();
  const coinSymbols = o.coinSymbols ?? config.baseCoins.map((c) => displaySymbol(c, config.quote, config.exchange.marketType));
  const evidence = new EvidenceBook(o.validatedFile ?? null, o.liveParams, config.rating.timeframe);
  state.drift ??= { signals: {} };
  // The live gate: validated, or `execution.liveUnvalidated`; never while paused.
  const paperOnly = (signalId: string) => paperOnlyReason(evidence.get(signalId), drift.isPaused(signalId), config.execution.liveUnvalidated);
  const { broker, risk, portfolio, engine, trades, ratings } = wireKernel({
    config, clock: o.clock, baseTimeframe: o.baseTimeframe, coinSymbols, liveParams: o.liveParams, rules: o.rules ?? [],
    paper: state.paper, riskState: state.risk, emit: (e) => bus.emit(e), persist, clients: o.clients ?? [],
    ...(o.feeBpsBySymbol ? { feeBpsBySymbol: o.feeBpsBySymbol } : {}),
    engine: { through: state.engine.through, signalInfo: (signalId) => ({ evidence: evidence.get(signalId), paperOnly: paperOnly(signalId) }) },
    trades: { paperOnly, ...(o.live ? { live: o.live } : {}) },
  });
  const drift = new DriftService({
    signals: state.drift.signals, evidence, trades: () => portfolio.closedTrades(), clock: o.clock,
    // The pause is in the state at once; its alert follows once the exit event that caused it has
    // reached every listener, so the chat shows the close first, then the pause.
    emit: (e) => queueMicrotask(() => bus.emit(e)), persist,
  });
  for (const c of state.cards) engine.cards.set(c.id, c as Card);
  const clock = withTimers(o.clock);
  // A card's buttons go away when it expires, on the engine's clock (so a replay expires them
  // too), not when someone next taps it; restored cards already past it expire at once.
  const expireLater = (c: Card) => {
    if (c.status === 'open') clock.setTimer(c.expiresAt, () => trades.expire(c.id));
  };
  for (const c of engine.cards.values()) expireLater(c);
  // Ratings continue from the last run's step when they were made with the same coins and
  // options; otherwise the warm-up rebuilds them.
  const ratingsKey = JSON.stringify([coinSymbols, config.rating, coinSymbols.map((s) => o.liveParams[s]?.movingAverages ?? null)]);
  const stored = state.engine.ratings;
  const saved = stored && 'packed' in stored ? unpackRatings(stored) : stored;
  const ratingsRestored = saved?.key === ratingsKey && engine.restoreRatings(saved);
  // Ratings change only when they step: pack them once per step, not once per write (at 1,000
  // coins the snapshot is most of the state file, and every message waits for a write).
  let packedSteps = -1;
  store.beforeWrite(() => {
    if (ratings.steps > 0 && ratings.steps !== packedSteps) {
      state.engine.ratings = packRatings({ key: ratingsKey, ...engine.ratingsState() });
      packedSteps = ratings.steps;
    }
  });
  const timeframes = [...new Set([o.baseTimeframe, config.rating.timeframe, ...config.timeframes])];
  // Charts need the candles a card was made on: the history sees each candle before the engine.
  const history = chartsWanted(config) ? new CandleHistory() : undefined;
  const pipeline = new CandlePipeline(o.baseTimeframe, timeframes, history ? history.sinkBefore(engine) : engine, o.onFeedNotice, config.feed.maxMissingBars);

  state.kpi ??= emptyKpiState();
  const kpi = new KpiService({
    state: state.kpi, clock: o.clock, cards: engine.cards, thresholds: config.kpi, startedAt: o.clock.now(), persist,
    measureLatency: o.wallClock ?? false,
    // After the event that caused it has reached every listener (the fill shows before its alert).
    emit: (e) => queueMicrotask(() => bus.emit(e)),
  });
  bus.subscribe((e) => kpi.onEvent(e));
  // Keep the stored cards and log in step with what the engine announces.
  bus.subscribe((e) => {
    if (e.type === 'card') {
      expireLater(e.card);
      state.cards.push(e.card);
      state.signalLog.push({ time: e.card.createdAt, cardId: e.card.id, signalId: e.card.signalId, symbol: e.card.symbol, status: e.card.status });
      if (o.config.execution.autoTrade === 'paper' && e.card.status === 'open') trades.paper(e.card.id);
      persist();
    } else if (e.type === 'entry' || e.type === 'exit') {
      const card = engine.cards.get(e.type === 'entry' ? e.position.cardId : e.trade.cardId);
      if (card && e.type === 'entry') card.positionId = e.position.id;
      // The drift monitor tests the signal's forward record after every close (it persists and alerts itself).
      if (e.type === 'exit') drift.onTradeClosed(e.trade);
      persist();
    } else if (e.type === 'risk-limit') {
      // The alert marks (and a flatten's kill switch) are saved with the message that reports them.
      persist();
    }
  });

  // A pause a crash (or a new validated.json) left undone is made now. No chat listens yet, so its
  // alert goes straight into the persisted outbox; the chat delivers it once started.
  const outbox = new Outbox(store);
  outbox.onDelivered((items) => kpi.onDelivered(items));
  for (const pause of drift.sweep()) {
    const r = o.notice({ type: 'signal-paused', pause });
    if (r) outbox.enqueue({ kind: 'text', priority: 'urgent', ...r });
  }

  return {
    mode: o.mode, config, liveParams: o.liveParams, clock, startedAt: o.clock.now(), store, bus, broker, risk,
    engine, pipeline, ...(history ? { history } : {}), trades, outbox, log, coinSymbols, signals: o.signals ?? [], evidence, drift, kpi, feedStatus: o.feedStatus ?? (() => null),
    portfolio,
    resumeAfterHistory(start: number) {
      engine.resumeAfter(state.engine.through, start, ratingsRestored ? ratings.lastStepTime : start);
    },
  };
}
