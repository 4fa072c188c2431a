import { createHash } from 'node:crypto';
import type { Candle } from '../core/candle.js';
import type { Clock } from '../core/clock.js';
import type { BotEvent } from './events.js';
import { sideAllowed, type MarketType, type Side } from '../core/instrument.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import type { CandleSink } from '../feed/pipeline.js';
import type { SimulatedBroker } from './simulated-broker.js';
import type { Portfolio } from './portfolio.js';
import type { ExecutionClient } from './ports.js';
import type { CrossCoinRatings, RatingsState } from '../rating/cross-coin.js';
import type { RiskManager } from '../risk/risk.js';
import type { PaperOnlyReason, SignalEvidence } from '../signal/evidence.js';
import type { CandleRule } from '../signal/rule.js';
import type { Setup } from '../signal/types.js';
import { ZScoreRule } from '../signal/zscore-rule.js';
import type { Card } from './card.js';

/** Everything the engine is wired to. Mode differences live in these adapters, never in the loop. */
export interface EngineDeps {
  /** Advanced to each base candle's close in replay/backtest; the wall clock live. */
  clock: Clock & { advance?(t: number): void };
  baseTimeframe: Timeframe;
  /** Rating interval timeframe (one game per coin per candle). */
  ratingTimeframe: Timeframe;
  /** Symbol per coin index of `ratings`. */
  coinSymbols: readonly string[];
  ratings: CrossCoinRatings;
  zRule: ZScoreRule;
  /** Validated-signal rules and any other candle rules. */
  rules: readonly CandleRule[];
  /** The paper venue: the engine drives its fills with every base candle. */
  broker: SimulatedBroker;
  /** Every position (paper and any venue), for limits and z-score reversal exits. */
  portfolio: Portfolio;
  risk: RiskManager;
  emit: (e: BotEvent) => void;
  /** Card buttons expire after this many candles of the card's timeframe. */
  cardExpiryBars: number;
  /** The venue's market type (config `exchange.marketType`): shorts are tradable on "swap" only. Default "spot". */
  marketType?: MarketType;
  /** How many recent cards to keep for taps and `/signals`. */
  cardMemory?: number;
  /**
   * Per symbol, the close time (ms UTC) of the last base candle acted on; the engine keeps it
   * current (the runtime persists this very object). Default: a private record.
   */
  through?: Record<string, number>;
  /**
   * A signal's backtest evidence and whether its cards are paper-only (unvalidated or paused),
   * asked once per card. Default: no evidence, Live offered (the trade service still gates it).
   */
  signalInfo?: (signalId: string) => { evidence: SignalEvidence | undefined; paperOnly: PaperOnlyReason | null };
}

/** Run counters for `/status` and the replay summary. */
export interface EngineStats {
  candles: number;
  closes: number;
  cards: number;
  ratingSteps: number;
  lastCloseTime: number;
}

/**
 * The one loop (SPEC §2): closed candle → broker exits → ratings → signals → risk gate → card.
 * It is a CandleSink, so replay, backtest, paper and live feed it the same way. Per candle it
 * allocates nothing unless something fires.
 */
export class Engine implements CandleSink {
  readonly stats: EngineStats = { candles: 0, closes: 0, cards: 0, ratingSteps: 0, lastCloseTime: 0 };
  readonly cards = new Map<string, Card>();
  readonly #d: EngineDeps;
  readonly #coinIndex = new Map<string, number>();
  /**
   * Per feed instrument id (see CandleSink): the coin index of `ratings` (−1: not a rated coin) and
   * the symbol it was resolved for. Filled on an id's first candle, so the per-candle path indexes
   * an array instead of looking the symbol up; the symbol is kept to check the id still means it.
   */
  readonly #coinOfInstrument: number[] = [];
  readonly #symbolOfInstrument: string[] = [];
  readonly #lastClose: Float64Array;
  readonly #setups: Setup[] = [];
  readonly #onBroker: Parameters<SimulatedBroker['onBaseCandle']>[2];
  readonly #through: Record<string, number>;
  /** Per symbol: base candles closing at or before this are history (see {@link resumeAfter}). */
  #historyUntil: Record<string, number> = {};
  #historyDefault = -Infinity;
  /** Rating steps at or before this close time are history. */
  #ratingsHistoryUntil = -Infinity;
  #pendingInterval = -1;
  /** Setups suppressed because they fired on history. */
  suppressed = 0;
  /** Close time of the last risk-limit check (once per close time, not per instrument). */
  #riskCheckedAt = -Infinity;

  constructor(deps: EngineDeps) {
    this.#d = deps;
    this.#through = deps.through ?? {};
    deps.coinSymbols.forEach((s, i) => this.#coinIndex.set(s, i));
    this.#lastClose = new Float64Array(deps.coinSymbols.length);
    this.#onBroker = (e) => {
      if (e.type === 'exit') deps.risk.onTradeClosed(e.trade);
      deps.emit(e);
    };
  }

  /**
   * History never acts (SPEC §9). After a restart the warm-up runs through the engine again; a
   * base candle of `symbol` closing at or before `through[symbol]` (what the last run acted on)
   * — or, for a symbol it never saw, at or before `from` (the start time) — only rebuilds
   * indicators and ratings: it makes no card, fills and exits nothing. Candles after it were
   * never acted on (the process died first) and are processed once, as live. Rating steps at or
   * before `ratingsThrough` (the restored ratings' last step, else `from`) likewise make no card
   * and exit nothing.
   */
  resumeAfter(through: Readonly<Record<string, number>>, from: number, ratingsThrough = from): void {
    this.#historyUntil = { ...through };
    this.#historyDefault = from;
    this.#ratingsHistoryUntil = ratingsThrough;
  }

  /** True when a candle of `symbol` closing at `closeTime` is history and must not act. */
  isHistory(symbol: string, closeTime: number): boolean {
    return closeTime <= (this.#historyUntil[symbol] ?? this.#historyDefault);
  }

  onCandle(symbol: string, tf: Timeframe, c: Candle, instrument?: number): void {
    const d = this.#d;
    this.stats.closes++;
    if (tf === d.baseTimeframe) {
      this.stats.candles++;
      this.stats.lastCloseTime = c.closeTime;
      d.clock.advance?.(c.closeTime);
      if (this.isHistory(symbol, c.closeTime)) d.broker.mark(symbol, c.close);
      else {
        d.broker.onBaseCandle(symbol, c, this.#onBroker);
        this.#through[symbol] = c.closeTime;
        if (c.closeTime !== this.#riskCheckedAt) {
          this.#riskCheckedAt = c.closeTime;
          this.checkRiskLimits(c.closeTime);
        }
      }
    }
    if (tf === d.ratingTimeframe) this.#onRatingCandle(symbol, c, instrument);
    const setups = this.#setups;
    for (const rule of d.rules) rule.onCandle(symbol, tf, c, setups);
    if (setups.length) {
      if (this.isHistory(symbol, c.closeTime)) this.suppressed += setups.length;
      else for (const s of setups) this.#publish(s);
      setups.length = 0;
    }
  }

  /**
   * Alerts each risk limit the account has newly hit (once per limit per UTC day), and with
   * `risk.onDailyLossLimit: "flatten"` acts on the daily loss limit at once: the kill switch goes
   * on (stays until /resume), queued entries are cancelled and every open position — paper and
   * live — is asked to close at market (the next base candle's open for paper). Runs on every
   * base close time; callers that count entries or exchange errors may call it too.
   */
  checkRiskLimits(now: number): void {
    const d = this.#d;
    const hits = d.risk.watch(d.portfolio.accountView(), now);
    for (const hit of hits) {
      if (hit.limit === 'daily-loss' && d.risk.cfg.onDailyLossLimit === 'flatten') hit.flatten = this.#flatten();
      d.emit({ type: 'risk-limit', hit });
    }
  }

  #flatten(): { positions: number; cancelledEntries: number } {
    const d = this.#d;
    d.risk.state.killSwitch = true;
    const pending = d.broker.account.pending.map((p) => p.cardId);
    for (const id of pending) d.broker.cancelEntry(id);
    let n = 0;
    for (const client of d.portfolio.clients) {
      for (const p of client.heldPositions()) {
        client.requestExit(p.id, 'risk');
        n++;
      }
    }
    return { positions: n, cancelledEntries: pending.length };
  }

  /**
   * Runs a pending cross-coin step whose grace period has passed (live: some coin's candle is
   * late). Replay never needs it: every coin's candle arrives before the next interval's.
   */
  flushRatings(now: number, syncGraceMs: number): void {
    if (this.#pendingInterval >= 0 && now >= this.#pendingInterval + syncGraceMs) this.#stepRatings();
  }

  /** Coin index of `symbol` in `ratings`, or −1; through the instrument id's cached entry when there is one. */
  #coinOf(symbol: string, instrument: number | undefined): number {
    if (instrument === undefined) return this.#coinIndex.get(symbol) ?? -1;
    // Same string object from the same pipeline: the comparison is a pointer check.
    if (this.#symbolOfInstrument[instrument] !== symbol) {
      this.#symbolOfInstrument[instrument] = symbol;
      this.#coinOfInstrument[instrument] = this.#coinIndex.get(symbol) ?? -1;
    }
    return this.#coinOfInstrument[instrument];
  }

  #onRatingCandle(symbol: string, c: Candle, instrument: number | undefined): void {
    const i = this.#coinOf(symbol, instrument);
    if (i < 0) return;
    const r = this.#d.ratings;
    if (c.closeTime <= r.lastStepTime) return; // too late: that interval was already rated without it
    if (this.#pendingInterval >= 0 && c.closeTime > this.#pendingInterval) this.#stepRatings();
    this.#pendingInterval = c.closeTime;
    this.#lastClose[i] = c.close;
    r.record(i, c.close, c.volume);
    if (r.recorded === r.n) this.#stepRatings();
  }

  #stepRatings(): void {
    const d = this.#d;
    const t = this.#pendingInterval;
    this.#pendingInterval = -1;
    d.ratings.step(t);
    this.stats.ratingSteps++;
    const acts = t > this.#ratingsHistoryUntil;
    const books = d.portfolio.clients.map((c) => ({ client: c, positions: c.openPositions() }));
    const exits: { client: ExecutionClient; id: string }[] = [];
    for (let i = 0; i < d.coinSymbols.length; i++) {
      const symbol = d.coinSymbols[i];
      const signalId = ZScoreRule.signalId(symbol);
      exits.length = 0;
      let held: Side | null = null;
      // A step can only exit a position that was open before the interval closed.
      for (const b of books) {
        let id: string | undefined;
        for (const p of b.positions) {
          if (p.signalId === signalId && !p.exitRequested && p.entryTime < t) {
            id = p.id;
            held = p.side ?? 'long';
          }
        }
        if (id !== undefined) exits.push({ client: b.client, id });
      }
      const a = d.zRule.evaluate(i, this.#lastClose[i], t, held);
      if (!a) continue;
      if (!acts) {
        if (a.kind !== 'reversal') this.suppressed++;
        continue;
      }
      if (a.kind === 'reversal') {
        for (const x of exits) x.client.requestExit(x.id, 'zscore-reversal');
      } else this.#publish(a.setup);
    }
  }

  /** Risk-gates and sizes a setup, makes its card and announces it. */
  #publish(s: Setup): void {
    const d = this.#d;
    const now = s.time;
    const broker = d.broker;
    const equity = broker.equity();
    const sizing = d.risk.size(s.entry, s.stop, equity, s.allocationPercent);
    const info = d.signalInfo?.(s.signalId);
    const marketType = d.marketType ?? 'spot';
    // A short is tradable only where the market allows it, whatever the rule says.
    const tradable = s.tradable && sideAllowed(marketType, s.direction);
    const block = tradable ? d.risk.check(s.symbol, sizing, d.portfolio.accountView(), now) : null;
    const blocked = tradable ? block?.reason ?? null : 'informational: spot cannot short';
    // An alerting limit posts the first card it blocks today (its notice); later ones are recorded, not posted.
    const limit = block?.limit;
    const notice = limit ? d.risk.firstBlockedToday(limit, now) : false;
    const card: Card = {
      id: cardId(s),
      createdAt: now,
      expiresAt: now + d.cardExpiryBars * timeframeMs(s.timeframe),
      signalId: s.signalId,
      rule: s.rule,
      name: s.name,
      symbol: s.symbol,
      timeframe: s.timeframe,
      direction: s.direction,
      entry: s.entry,
      stop: s.stop,
      target: s.target,
      stopPercent: (Math.abs(s.entry - s.stop) / s.entry) * 100,
      targetPercent: (Math.abs(s.target - s.entry) / s.entry) * 100,
      rr: Math.abs(s.target - s.entry) / Math.abs(s.entry - s.stop),
      ...sizing,
      reason: s.reason,
      // A close processed late (after a restart) can yield a card that has already lapsed.
      status: !tradable ? 'info' : blocked ? 'blocked' : d.clock.now() >= now + d.cardExpiryBars * timeframeMs(s.timeframe) ? 'expired' : 'open',
      ...(s.maxHoldBars ? { maxHoldBars: s.maxHoldBars } : {}),
      ...(s.allocationPercent !== undefined ? { allocationPercent: s.allocationPercent } : {}),
      ...(s.inSample ? { inSample: s.inSample } : {}),
      ...(s.outOfSample ? { outOfSample: s.outOfSample } : {}),
      ...(s.confidence !== undefined ? { confidence: s.confidence } : {}),
      ...(s.context ? { context: s.context } : {}),
      ...(info?.evidence ? { evidence: info.evidence } : {}),
      ...(info?.paperOnly && tradable ? { paperOnly: info.paperOnly } : {}),
      ...(marketType === 'swap' ? { marketType } : {}),
      ...(blocked ? { blockedReason: blocked } : {}),
      ...(limit ? { blockedLimit: limit, ...(notice ? { limitNotice: true } : {}) } : {}),
    };
    this.#remember(card);
    this.stats.cards++;
    // The limit's own alert goes first, so the notice card follows it.
    if (limit) this.checkRiskLimits(now);
    d.emit({ type: 'card', card, ...(limit && !notice ? { quiet: true } : {}) });
  }

  #remember(card: Card): void {
    this.cards.set(card.id, card);
    const max = this.#d.cardMemory ?? 500;
    if (this.cards.size > max) this.cards.delete(this.cards.keys().next().value!);
  }

  /** The ratings and the z-score rule's crossing memory, for the state file. */
  ratingsState(): RatingsState & { prevMaZ: number[] } {
    return { ...this.#d.ratings.snapshot(), prevMaZ: this.#d.zRule.previous };
  }

  /** Continues ratings from {@link ratingsState}; false (nothing changed) when the shapes differ. */
  restoreRatings(s: RatingsState & { prevMaZ: number[] }): boolean {
    if (!this.#d.ratings.restore(s)) return false;
    this.#d.zRule.previous = s.prevMaZ;
    return true;
  }

  /** Current MA-z, z and rating per coin, for `/signals` and `/status`. */
  ratingsSnapshot(): { symbol: string; rating: number; z: number; maZ: number }[] {
    const r = this.#d.ratings;
    return this.#d.coinSymbols.map((symbol, i) => ({ symbol, rating: r.rating(i).rating, z: r.z(i), maZ: r.maZ(i) }));
  }
}

/**
 * Card ids are derived from what fired and when, so the same close can never produce two cards
 * with different ids (a replayed or re-delivered close maps to the same id) — and a live order's
 * client id, derived from the card id, is stable across restarts. 12 base64url chars.
 */
export function cardId(s: Pick<Setup, 'signalId' | 'symbol' | 'timeframe' | 'time'>): string {
  return createHash('sha256').update(`${s.signalId}|${s.symbol}|${s.timeframe}|${s.time}`).digest('base64url').slice(0, 12);
}
