import type { Clock } from '../core/clock.js';
import { displaySymbol } from '../core/instrument.js';
import type { Timeframe } from '../core/timeframe.js';
import type { Config, LiveParams } from '../config/schema.js';
import { Engine } from '../engine/engine.js';
import { crossCoinSetup } from '../engine/cross-coin-setup.js';
import { EventBus } from '../engine/bus.js';
import { SimulatedBroker } from '../execution/simulated.js';
import { TradeService, type LiveExecution } from '../execution/trade-service.js';
import { CandlePipeline, type FeedNotice } from '../feed/pipeline.js';
import { RiskManager } from '../risk/risk.js';
import type { CandleRule } from '../signal/rule.js';
import type { StateStore } from '../store/state-store.js';
import { Outbox } from '../store/outbox.js';
import type { Card } from '../engine/card.js';
import { createLogger, type Logger } from '../notifier/logger.js';
import { renderPause } from '../notifier/render.js';
import { allTrades, type PositionBook } from '../portfolio/book.js';
import { DriftService } from '../signal/drift-service.js';
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
  clock: Clock;
  startedAt: number;
  store: StateStore;
  bus: EventBus;
  broker: SimulatedBroker;
  risk: RiskManager;
  engine: Engine;
  pipeline: CandlePipeline;
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
  feedStatus: () => FeedStatus | null;
  /** Positions held outside the simulated broker (live mode). */
  external?: PositionBook;
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
  /** Live positions, seen by the risk gate, exits and commands. */
  external?: PositionBook;
  feedStatus?: () => FeedStatus | null;
  onFeedNotice?: (n: FeedNotice) => void;
}

/**
 * Wires store → broker/risk → ratings → engine → pipeline, and the trade service on top.
 * Persisted state (paper account, risk and kill switch, cards) is restored from the store.
 */
export function createRuntime(o: RuntimeOptions): Runtime {
  const { config, store, log } = o;
  const state = store.data;
  const bus = new EventBus((err, e) => log.error({ err, event: e.type }, 'event listener failed'));
  const broker = new SimulatedBroker({ ...config.broker, ...(o.feeBpsBySymbol ? { feeBpsBySymbol: o.feeBpsBySymbol } : {}) }, state.paper);
  const risk = new RiskManager(config.risk, state.risk);
  const coinSymbols = o.coinSymbols ?? config.baseCoins.map((c) => displaySymbol(c, config.quote, config.exchange.marketType));
  const { ratings, zRule } = crossCoinSetup(config, coinSymbols, o.liveParams);
  const persist = () => store.save();
  const evidence = new EvidenceBook(o.validatedFile ?? null, o.liveParams, config.rating.timeframe);
  state.drift ??= { signals: {} };
  const drift = new DriftService({
    signals: state.drift.signals, evidence, trades: () => allTrades(broker, o.external), clock: o.clock,
    // The pause is in the state at once; its alert follows once the exit event that caused it has
    // reached every listener, so the chat shows the close first, then the pause.
    emit: (e) => queueMicrotask(() => bus.emit(e)), persist,
  });
  // The live gate: validated, or `execution.liveUnvalidated`; never while paused.
  const paperOnly = (signalId: string) => paperOnlyReason(evidence.get(signalId), drift.isPaused(signalId), config.execution.liveUnvalidated);
  const engine = new Engine({
    clock: o.clock,
    baseTimeframe: o.baseTimeframe,
    ratingTimeframe: config.rating.timeframe,
    coinSymbols,
    ratings,
    zRule,
    rules: o.rules ?? [],
    broker,
    ...(o.external ? { external: o.external } : {}),
    risk,
    emit: (e) => bus.emit(e),
    cardExpiryBars: config.execution.cardExpiryBars,
    marketType: config.exchange.marketType,
    through: state.engine.through,
    signalInfo: (signalId) => ({ evidence: evidence.get(signalId), paperOnly: paperOnly(signalId) }),
  });
  for (const c of state.cards) engine.cards.set(c.id, c as Card);
  // Ratings continue from the last run's step when they were made with the same coins and
  // options; otherwise the warm-up rebuilds them.
  const ratingsKey = JSON.stringify([coinSymbols, config.rating, coinSymbols.map((s) => o.liveParams[s]?.movingAverages ?? null)]);
  const saved = state.engine.ratings;
  const ratingsRestored = saved?.key === ratingsKey && engine.restoreRatings(saved);
  store.beforeWrite(() => {
    if (ratings.steps > 0) state.engine.ratings = { key: ratingsKey, ...engine.ratingsState() };
  });
  const trades = new TradeService({
    clock: o.clock, cards: engine.cards, broker, risk, emit: (e) => bus.emit(e), persist, paperOnly,
    ...(o.live ? { live: o.live } : {}),
    ...(o.external ? { external: o.external } : {}),
  });
  const timeframes = [...new Set([o.baseTimeframe, config.rating.timeframe, ...config.timeframes])];
  const pipeline = new CandlePipeline(o.baseTimeframe, timeframes, engine, o.onFeedNotice, config.feed.maxMissingBars);

  // Keep the stored cards and log in step with what the engine announces.
  bus.subscribe((e) => {
    if (e.type === 'card') {
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
    }
  });

  // A pause a crash (or a new validated.json) left undone is made now. No chat listens yet, so its
  // alert goes straight into the persisted outbox; the chat delivers it once started.
  const outbox = new Outbox(store);
  for (const p of drift.sweep()) outbox.enqueue({ kind: 'text', ...renderPause(p) });

  return {
    mode: o.mode, config, liveParams: o.liveParams, clock: o.clock, startedAt: o.clock.now(), store, bus, broker, risk,
    engine, pipeline, trades, outbox, log, coinSymbols, signals: o.signals ?? [], evidence, drift, feedStatus: o.feedStatus ?? (() => null),
    ...(o.external ? { external: o.external } : {}),
    resumeAfterHistory(start: number) {
      engine.resumeAfter(state.engine.through, start, ratingsRestored ? ratings.lastStepTime : start);
    },
  };
}
