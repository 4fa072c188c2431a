import type { Config } from '../config/schema.js';
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

function utcDay(t: number): string {
  return new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
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
   * Why a new entry on `symbol` is not allowed now, or null when it is. Checked when the card
   * is made and again when the owner taps.
   */
  blockReason(symbol: string, sizing: Sizing, account: AccountView, now: number): string | null {
    const s = this.state;
    this.roll(now, account.equity);
    if (s.killSwitch) return 'trading is stopped (/resume to allow entries)';
    if (this.storageDown) return 'the state file cannot be written (disk full or read-only)';
    if (s.circuitOpen) return 'circuit breaker open after repeated exchange errors';
    if (account.hasPosition(symbol)) return `a ${symbol} position is already open`;
    if (account.openPositions >= this.cfg.maxOpenPositions) return `max open positions reached (${this.cfg.maxOpenPositions})`;
    const until = s.cooldowns[symbol];
    if (until !== undefined && now < until) return `${symbol} cooling down until ${new Date(until).toISOString().slice(11, 16)} UTC`;
    if (s.dayTrades >= this.cfg.maxDailyTrades) return `max daily trades reached (${this.cfg.maxDailyTrades})`;
    const dayLossPct = ((s.dayStartEquity - account.equity) / s.dayStartEquity) * 100;
    if (dayLossPct >= this.cfg.maxDailyLossPercent) return `daily loss ${dayLossPct.toFixed(1)}% ≥ ${this.cfg.maxDailyLossPercent}%`;
    const ddPct = ((account.equityPeak - account.equity) / account.equityPeak) * 100;
    if (ddPct >= this.cfg.maxDrawdownPercent) return `drawdown ${ddPct.toFixed(1)}% ≥ ${this.cfg.maxDrawdownPercent}%`;
    if (sizing.qty <= 0) return `size below the minimum order value of ${this.cfg.minNotional}`;
    return null;
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

  /** A failed order starts the symbol's cooldown; `circuitBreakerErrors` in a row open the breaker. Returns true when it just opened. */
  onExchangeError(symbol: string, now: number): boolean {
    this.state.cooldowns[symbol] = now + this.cfg.cooldownMinutes * 60_000;
    this.state.exchangeErrors++;
    if (!this.state.circuitOpen && this.state.exchangeErrors >= this.cfg.circuitBreakerErrors) {
      this.state.circuitOpen = true;
      return true;
    }
    return false;
  }

  onExchangeSuccess(): void {
    this.state.exchangeErrors = 0;
  }
}
