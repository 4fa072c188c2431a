import type { Candle } from '../core/candle.js';
import { OrderError } from '../core/errors.js';
import type { ExitReason, PendingEntry, Position, Trade } from '../portfolio/types.js';
import { newPaperAccount, type BrokerEvent, type PaperAccount } from '../portfolio/account.js';

export { newPaperAccount, type BrokerEvent, type PaperAccount };

/** Fees and slippage of the simulated venue, in basis points of the traded value. */
export interface SimulatedBrokerOptions {
  startingBalance: number;
  feeBps: number;
  slippageBps: number;
}

/**
 * The simulated broker used by backtest, replay and paper — one code path (SPEC §7):
 * - market entries fill at the next base candle's open + slippage, fees on the value;
 * - stop and target are checked on every base candle from the fill candle on; when one
 *   candle spans both, the stop is taken first (the pessimistic assumption);
 * - a stop fills at the stop, or at the open when the candle gaps through it, − slippage;
 *   a target is a resting limit: it fills at the target (or a better open), no slippage;
 * - requested exits (z-score reversal, manual) fill at the next open − slippage;
 * - time exits fill at the close of the candle that reaches the holding limit − slippage.
 */
export class SimulatedBroker {
  readonly #opts: SimulatedBrokerOptions;
  readonly account: PaperAccount;
  /** Every card that ever had an order here: the never-twice check is O(1), whatever the history. */
  readonly #ordered = new Set<string>();
  #seq = 0;

  constructor(opts: SimulatedBrokerOptions, account?: PaperAccount) {
    this.#opts = opts;
    this.account = account ?? newPaperAccount(opts.startingBalance);
    this.#seq = this.account.trades.length + this.account.positions.length;
    for (const x of [...this.account.pending, ...this.account.positions, ...this.account.trades]) this.#ordered.add(x.cardId);
  }

  /**
   * Queues a market buy for the next base candle of `req.symbol`.
   * @throws OrderError when this card already has an order or a position (never twice)
   */
  submitEntry(req: PendingEntry): void {
    if (this.#ordered.has(req.cardId)) throw new OrderError(`card ${req.cardId} already has an order`);
    if (!(req.qty > 0)) throw new OrderError(`order quantity must be positive, got ${req.qty}`);
    this.#ordered.add(req.cardId);
    this.account.pending.push(req);
  }

  /** Asks to close a position at the next base candle's open. Returns false if it is not open. */
  requestExit(positionId: string, reason: ExitReason): boolean {
    const p = this.account.positions.find((x) => x.id === positionId);
    if (!p || p.exitRequested) return false;
    p.exitRequested = reason;
    return true;
  }

  /** Cancels a queued entry (kill switch). Returns false if none was queued for that card. */
  cancelEntry(cardId: string): boolean {
    const i = this.account.pending.findIndex((p) => p.cardId === cardId);
    if (i < 0) return false;
    this.account.pending.splice(i, 1);
    return true;
  }

  /** Open positions' value at the last marks plus cash, in quote currency. */
  equity(): number {
    const a = this.account;
    let e = a.cash;
    for (const p of a.positions) e += p.qty * (a.marks[p.symbol] ?? p.entryPrice);
    return e;
  }

  /** Unrealized P&L of open positions at the last marks (quote currency, before exit fees). */
  unrealizedPnl(): number {
    let u = 0;
    for (const p of this.account.positions) u += p.qty * ((this.account.marks[p.symbol] ?? p.entryPrice) - p.entryPrice) - p.entryFee;
    return u;
  }

  /** Records the last price of `symbol` (a history candle: it values positions, it fills nothing). */
  mark(symbol: string, price: number): void {
    this.account.marks[symbol] = price;
  }

  /**
   * Processes one closed base candle of `symbol`: fills its queued entries and requested exits at
   * the open, then checks stops, targets and time exits. Reports each fill through `emit`.
   */
  onBaseCandle(symbol: string, c: Candle, emit: (e: BrokerEvent) => void): void {
    const a = this.account;
    a.marks[symbol] = c.close;
    if (a.pending.length === 0 && a.positions.length === 0) return;
    const slip = this.#opts.slippageBps / 1e4;
    if (a.pending.length) {
      for (let i = 0; i < a.pending.length; i++) {
        const o = a.pending[i];
        if (o.symbol !== symbol) continue;
        a.pending.splice(i--, 1);
        this.#fillEntry(o, c.open * (1 + slip), c.openTime, emit);
      }
    }
    for (let i = 0; i < a.positions.length; i++) {
      const p = a.positions[i];
      // Only a candle that opened at or after the fill can exit the position.
      if (p.symbol !== symbol || c.openTime < p.entryTime) continue;
      let price = 0;
      let reason: ExitReason | undefined;
      if (p.exitRequested && p.entryTime < c.openTime) {
        reason = p.exitRequested;
        price = c.open * (1 - slip);
      } else if (c.low <= p.stop) {
        reason = 'stop';
        price = Math.min(c.open, p.stop) * (1 - slip);
      } else if (c.high >= p.target) {
        reason = 'target';
        price = Math.max(c.open, p.target);
      } else if (p.exitBy !== undefined && c.closeTime >= p.exitBy) {
        reason = 'time';
        price = c.close * (1 - slip);
      }
      if (reason) {
        a.positions.splice(i--, 1);
        this.#close(p, price, reason === 'target' || reason === 'stop' || reason === 'time' ? c.closeTime : c.openTime, reason, emit);
      }
    }
    const eq = this.equity();
    if (eq > a.equityPeak) a.equityPeak = eq;
    const dd = ((a.equityPeak - eq) / a.equityPeak) * 100;
    if (dd > a.maxDrawdownPercent) a.maxDrawdownPercent = dd;
  }

  #fillEntry(o: PendingEntry, price: number, time: number, emit: (e: BrokerEvent) => void): void {
    const a = this.account;
    const fee = (o.qty * price * this.#opts.feeBps) / 1e4;
    // Never spend more than the cash: shrink the order rather than go negative.
    const qty = Math.min(o.qty, (a.cash - fee) / price);
    if (!(qty > 0)) return;
    const feeActual = (qty * price * this.#opts.feeBps) / 1e4;
    a.cash -= qty * price + feeActual;
    const position: Position = {
      id: `P${++this.#seq}`,
      cardId: o.cardId,
      signalId: o.signalId,
      rule: o.rule,
      symbol: o.symbol,
      timeframe: o.timeframe,
      mode: o.mode,
      qty,
      entryPrice: price,
      entryTime: time,
      entryFee: feeActual,
      stop: o.stop,
      target: o.target,
      ...(o.maxHoldMs ? { exitBy: time + o.maxHoldMs } : {}),
    };
    a.positions.push(position);
    emit({ type: 'entry', position });
  }

  #close(p: Position, price: number, time: number, reason: ExitReason, emit: (e: BrokerEvent) => void): void {
    const a = this.account;
    const value = p.qty * price;
    const exitFee = (value * this.#opts.feeBps) / 1e4;
    a.cash += value - exitFee;
    const pnl = value - exitFee - p.qty * p.entryPrice - p.entryFee;
    const risk = (p.entryPrice - p.stop) * p.qty;
    const { exitRequested: _ignored, ...rest } = p;
    const trade: Trade = {
      ...rest,
      exitPrice: price,
      exitTime: time,
      exitFee,
      reason,
      pnl,
      pnlPercent: (pnl / (p.qty * p.entryPrice)) * 100,
      r: risk > 0 ? pnl / risk : 0,
    };
    a.trades.push(trade);
    emit({ type: 'exit', trade });
  }
}
