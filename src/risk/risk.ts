import type { Config } from '../config/schema.js';
import type { VenueFailure } from '../core/errors.js';
import type { RiskLimit, RiskLimitHit } from './limits.js';

export type { RiskLimit, RiskLimitHit } from './limits.js';
import type { Trade } from '../portfolio/types.js';

/** Persisted risk state (SPEC §8). Times ms UTC; equity in quote currency. */
export interface RiskState {
  /** `/stop` kill switch: no new entries while true. Survives restarts. */
  killSwitch: boolean;
  /** symbol → time until which no new entry is allowed (after a loss or a failed order). */
  cooldowns: Record<string, number>;
  /** UTC day (YYYY-MM-DD) the day counters belong to. */
  day: string;
  dayStartEquity: number;
  dayTrades: number;
  /** Consecutive exchange errors; the circuit breaker opens at `circuitBreakerErrors`. */
  exchangeErrors: number;
  circuitOpen: boolean;
  /** Per limit, the UTC day (YYYY-MM-DD) its alert went out: one alert per limit per day. */
  alerted?: Partial<Record<RiskLimit, string>>;
  /** Per limit, the UTC day its blocked-cards notice went out: later blocked cards that day are not posted. */
  noticed?: Partial<Record<RiskLimit, string>>;
}

/** Why a new entry is refused: the reason as shown on the card, and the limit when it is one of the alerting ones. */
export interface RiskBlock {
  reason: string;
  limit?: RiskLimit;
}

export function newRiskState(equity: number): RiskState {
  return { killSwitch: false, cooldowns: {}, day: '', dayStartEquity: equity, dayTrades: 0, exchangeErrors: 0, circuitOpen: false };
}

/** Position size for a setup. qty in base asset; notional and risk in quote currency; riskPercent of equity. */
export interface Sizing {
  qty: number;
  notional: number;
  riskQuote: number;
  riskPercent: number;
}

/** What the gate needs to know about the account right now. */
export interface AccountView {
  /** Cash plus open positions at their last price, quote currency. */
  equity: number;
  /** Highest equity seen, quote currency (for the drawdown limit). */
  equityPeak: number;
  openPositions: number;
  hasPosition(symbol: string): boolean;
}

const DAY_MS = 86_400_000;

/** The next 00:00 UTC after `t`, ms. */
export function nextUtcMidnight(t: number): number {
  return (Math.floor(t / DAY_MS) + 1) * DAY_MS;
}

let lastDay = NaN;
let lastDayText = '';
/** `2025-01-02` for a time in that UTC day (ms); the string is built once per day, not per call. */
function utcDay(t: number): string {
  const d = Math.floor(t / DAY_MS);
  if (d !== lastDay) {
    lastDay = d;
    lastDayText = new Date(d * DAY_MS).toISOString().slice(0, 10);
  }
  return lastDayText;
}

/**
 * Risk limits, sizing and the kill switch. Pure decisions over `RiskState`, which the store
 * persists. Sizing (SPEC §7): qty = equity × riskPerTrade% / (entry − stop), capped by
 * maxPosition% of equity and by the parameter set's allocation%; below the minimum notional it is 0.
 */
export class RiskManager {
  /**
   * True while the state file cannot be written: a new position could not be recorded before it
   * is shown, so none is opened (open positions keep their stops and targets). Not persisted.
   */
  storageDown = false;

  constructor(readonly cfg: Config['risk'], readonly state: RiskState) {}

  /** Sizes an entry at `entry` with protective `stop` (below for a long, above for a short). */
  size(entry: number, stop: number, equity: number, allocationPercent?: number): Sizing {
    const perUnit = Math.abs(entry - stop);
    if (!(perUnit > 0) || !(equity > 0)) return { qty: 0, notional: 0, riskQuote: 0, riskPercent: 0 };
    let qty = (equity * this.cfg.riskPerTradePercent) / 100 / perUnit;
    let capValue = (equity * this.cfg.maxPositionPercent) / 100;
    if (allocationPercent !== undefined) capValue = Math.min(capValue, (equity * allocationPercent) / 100);
    if (qty * entry > capValue) qty = capValue / entry;
    qty = Math.floor(qty * 1e8) / 1e8;
    const notional = qty * entry;
    if (notional < this.cfg.minNotional) return { qty: 0, notional: 0, riskQuote: 0, riskPercent: 0 };
    const riskQuote = qty * perUnit;
    return { qty, notional, riskQuote, riskPercent: (riskQuote / equity) * 100 };
  }

  /** Starts a new UTC day's counters when `now` has crossed midnight. */
  roll(now: number, equity: number): void {
    const d = utcDay(now);
    if (d !== this.state.day) {
      this.state.day = d;
      this.state.dayStartEquity = equity;
      this.state.dayTrades = 0;
    }
  }

  /**
   * The day's counters as of `now` (ms UTC), without changing anything: a new UTC day starts
   * from `equity` (quote currency) and no trades. For views such as `/status`.
   */
  dayAt(now: number, equity: number): { dayStartEquity: number; dayTrades: number } {
    const s = this.state;
    return utcDay(now) === s.day ? { dayStartEquity: s.dayStartEquity, dayTrades: s.dayTrades } : { dayStartEquity: equity, dayTrades: 0 };
  }

  /**
   * Why a new entry on `symbol` is not allowed now, or null when it is. Checked when the card
   * is made and again when the owner taps.
   */
  blockReason(symbol: string, sizing: Sizing, account: AccountView, now: number): string | null {
    return this.check(symbol, sizing, account, now)?.reason ?? null;
  }

  /** {@link blockReason} with the limit that blocks (daily loss, drawdown, daily trades, circuit breaker). */
  check(symbol: string, sizing: Sizing, account: AccountView, now: number): RiskBlock | null {
    const s = this.state;
    this.roll(now, account.equity);
    if (s.killSwitch) return { reason: 'trading is stopped (/resume to allow entries)' };
    if (this.storageDown) return { reason: 'the state file cannot be written (disk full or read-only)' };
    if (s.circuitOpen) return { reason: 'circuit breaker open after repeated exchange errors', limit: 'circuit-breaker' };
    if (account.hasPosition(symbol)) return { reason: `a ${symbol} position is already open` };
    if (account.openPositions >= this.cfg.maxOpenPositions) return { reason: `max open positions reached (${this.cfg.maxOpenPositions})` };
    const until = s.cooldowns[symbol];
    if (until !== undefined && now < until) return { reason: `${symbol} cooling down until ${new Date(until).toISOString().slice(11, 16)} UTC` };
    if (s.dayTrades >= this.cfg.maxDailyTrades) return { reason: `max daily trades reached (${this.cfg.maxDailyTrades})`, limit: 'daily-trades' };
    const dayLossPct = this.#dayLossPercent(account.equity);
    if (dayLossPct >= this.cfg.maxDailyLossPercent) return { reason: `daily loss ${dayLossPct.toFixed(1)}% ≥ ${this.cfg.maxDailyLossPercent}%`, limit: 'daily-loss' };
    const ddPct = drawdownPercent(account);
    if (ddPct >= this.cfg.maxDrawdownPercent) return { reason: `drawdown ${ddPct.toFixed(1)}% ≥ ${this.cfg.maxDrawdownPercent}%`, limit: 'drawdown' };
    if (sizing.qty <= 0) return { reason: `size below the minimum order value of ${this.cfg.minNotional}` };
    return null;
  }

  #dayLossPercent(equity: number): number {
    return ((this.state.dayStartEquity - equity) / this.state.dayStartEquity) * 100;
  }

  /**
   * The limits hit now that have not been alerted today (UTC), marked as alerted: each limit
   * alerts once per day. `account` is only read for the equity limits. Call after anything that
   * moves equity, counts an entry or counts an exchange error.
   */
  watch(account: Pick<AccountView, 'equity' | 'equityPeak'>, now: number): RiskLimitHit[] {
    const s = this.state;
    this.roll(now, account.equity);
    const hits: RiskLimitHit[] = [];
    const dayLoss = this.#dayLossPercent(account.equity);
    if (dayLoss >= this.cfg.maxDailyLossPercent) {
      hits.push({ limit: 'daily-loss', value: dayLoss, threshold: this.cfg.maxDailyLossPercent, equity: account.equity, reference: s.dayStartEquity, time: now });
    }
    const dd = drawdownPercent(account);
    if (dd >= this.cfg.maxDrawdownPercent) {
      hits.push({ limit: 'drawdown', value: dd, threshold: this.cfg.maxDrawdownPercent, equity: account.equity, reference: account.equityPeak, time: now });
    }
    if (s.dayTrades >= this.cfg.maxDailyTrades) hits.push({ limit: 'daily-trades', value: s.dayTrades, threshold: this.cfg.maxDailyTrades, time: now });
    const fresh = hits.filter((h) => this.#firstToday('alerted', h.limit, now));
    const circuit = this.circuitHit(now);
    return circuit ? [...fresh, circuit] : fresh;
  }

  /**
   * True the first time today (UTC) that `limit` blocks a card: that card becomes the limit's one
   * notice for the day, and later cards it blocks that day are recorded without being posted.
   */
  firstBlockedToday(limit: RiskLimit, now: number): boolean {
    return this.#firstToday('noticed', limit, now);
  }

  /** Only the first call per (kind, limit, UTC day) is true; marks it. */
  #firstToday(kind: 'alerted' | 'noticed', limit: RiskLimit, now: number): boolean {
    const day = utcDay(now);
    const marks = (this.state[kind] ??= {});
    if (marks[limit] === day) return false;
    marks[limit] = day;
    return true;
  }

  /** Counts an entry against the day's limit. */
  onEntry(now: number, equity: number): void {
    this.roll(now, equity);
    this.state.dayTrades++;
  }

  /** A losing trade starts the symbol's cooldown. */
  onTradeClosed(trade: Trade): void {
    if (trade.pnl < 0 && this.cfg.cooldownMinutes > 0) {
      this.state.cooldowns[trade.symbol] = trade.exitTime + this.cfg.cooldownMinutes * 60_000;
    }
  }

  /**
   * A failed order starts the symbol's cooldown; `circuitBreakerErrors` in a row open the breaker.
   * Returns true when it just opened (the caller alerts; call {@link watch} for the typed hit).
   */
  onExchangeError(symbol: string, now: number): boolean {
    this.state.cooldowns[symbol] = now + this.cfg.cooldownMinutes * 60_000;
    this.state.exchangeErrors++;
    if (!this.state.circuitOpen && this.state.exchangeErrors >= this.cfg.circuitBreakerErrors) {
      this.state.circuitOpen = true;
      // A new opening (after a /resume) is a new hit: it alerts and posts a notice again.
      delete this.state.alerted?.['circuit-breaker'];
      delete this.state.noticed?.['circuit-breaker'];
      return true;
    }
    return false;
  }

  /** The circuit breaker's alert while it is open and not alerted today (marks it), else null. */
  circuitHit(now: number, lastError?: VenueFailure): RiskLimitHit | null {
    const s = this.state;
    if (!s.circuitOpen || !this.#firstToday('alerted', 'circuit-breaker', now)) return null;
    return { limit: 'circuit-breaker', value: s.exchangeErrors, threshold: this.cfg.circuitBreakerErrors, time: now, ...(lastError ? { lastError } : {}) };
  }

  onExchangeSuccess(): void {
    this.state.exchangeErrors = 0;
  }
}

/** How far equity is below its peak, percent (0 at or above the peak). */
function drawdownPercent(a: Pick<AccountView, 'equity' | 'equityPeak'>): number {
  return a.equityPeak > 0 ? Math.max(0, ((a.equityPeak - a.equity) / a.equityPeak) * 100) : 0;
}
