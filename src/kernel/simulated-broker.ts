import type { Candle } from '../core/candle.js';
import { OrderError } from '../core/errors.js';
import { sideSign, type ExitReason, type PendingEntry, type Position, type Trade } from '../portfolio/types.js';
import { newPaperAccount, type BrokerEvent, type PaperAccount } from '../portfolio/account.js';

export { newPaperAccount, type BrokerEvent, type PaperAccount };

/** Fees and slippage of the simulated venue, in basis points of the traded value. */
export interface SimulatedBrokerOptions {
  startingBalance: number;
  feeBps: number;
  slippageBps: number;
  /** Fee per symbol where the venue states its own (a perpetual's taker fee), bps; others pay `feeBps`. */
  feeBpsBySymbol?: Readonly<Record<string, number>>;
}

/**
 * The simulated broker used by backtest, replay and paper — one code path (SPEC §7), long and
 * short (a short only where the market allows it: perpetual swaps):
 * - market entries fill at the next base candle's open, slippage against the trader (a buy
 *   higher, a short sale lower), fees on the value;
 * - stop and target are checked on every base candle from the fill candle on; when one
 *   candle spans both, the stop is taken first (the pessimistic assumption);
 * - a stop fills at the stop, or at the open when the candle gaps through it, with slippage
 *   against the trader; a long's stop is hit by the low, a short's (above entry) by the high;
 * - a target is a resting limit: it fills at the target (or a better open), no slippage;
 * - requested exits (z-score reversal, manual) fill at the next open with slippage;
 * - time exits fill at the close of the candle that reaches the holding limit, with slippage.
 * Positions are fully collateralised (1×): an entry locks qty × price + fee of cash, long or
 * short, and the close returns that value plus the P&L. Funding of perpetuals is not simulated.
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
   * Queues a market entry (a buy, or a short sale when `req.side` is "short") for the next base
   * candle of `req.symbol`. Whether the market may be shorted is the caller's check (cards).
   * @throws OrderError when this card already has an order or a position (never twice), or the
   *   stop and target are on the wrong sides for the direction
   */
  submitEntry(req: PendingEntry): void {
    if (this.#ordered.has(req.cardId)) throw new OrderError(`card ${req.cardId} already has an order`);
    if (!(req.qty > 0)) throw new OrderError(`order quantity must be positive, got ${req.qty}`);
    if (req.side === 'short' ? !(req.stop > req.target) : !(req.stop < req.target)) {
      throw new OrderError(`a ${req.side ?? 'long'}'s stop must be ${req.side === 'short' ? 'above' : 'below'} its target (stop ${req.stop}, target ${req.target})`);
    }
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

  /** Open positions' value at the last marks (collateral ± P&L) plus cash, in quote currency. */
  equity(): number {
    const a = this.account;
    let e = a.cash;
    for (const p of a.positions) {
      const mark = a.marks[p.symbol] ?? p.entryPrice;
      e += p.side === 'short' ? p.qty * (2 * p.entryPrice - mark) : p.qty * mark;
    }
    return e;
  }

  /** Unrealized P&L of open positions at the last marks (quote currency, before exit fees). */
  unrealizedPnl(): number {
    let u = 0;
    for (const p of this.account.positions) u += sideSign(p) * p.qty * ((this.account.marks[p.symbol] ?? p.entryPrice) - p.entryPrice) - p.entryFee;
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
        this.#fillEntry(o, c.open * (1 + (o.side === 'short' ? -slip : slip)), c.openTime, emit);
      }
    }
    for (let i = 0; i < a.positions.length; i++) {
      const p = a.positions[i];
      // Only a candle that opened at or after the fill can exit the position.
      if (p.symbol !== symbol || c.openTime < p.entryTime) continue;
      let price = 0;
      let reason: ExitReason | undefined;
      // Exit slippage is against the trader: a long sells lower, a short buys back higher.
      const short = p.side === 'short';
      const out = short ? 1 + slip : 1 - slip;
      if (p.exitRequested && p.entryTime < c.openTime) {
        reason = p.exitRequested;
        price = c.open * out;
      } else if (short ? c.high >= p.stop : c.low <= p.stop) {
        reason = 'stop';
        price = (short ? Math.max(c.open, p.stop) : Math.min(c.open, p.stop)) * out;
      } else if (short ? c.low <= p.target : c.high >= p.target) {
        reason = 'target';
        price = short ? Math.min(c.open, p.target) : Math.max(c.open, p.target);
      } else if (p.exitBy !== undefined && c.closeTime >= p.exitBy) {
        reason = 'time';
        price = c.close * out;
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

  /** Fee rate of `symbol`, bps. */
  #feeBps(symbol: string): number {
    return this.#opts.feeBpsBySymbol?.[symbol] ?? this.#opts.feeBps;
  }

  #fillEntry(o: PendingEntry, price: number, time: number, emit: (e: BrokerEvent) => void): void {
    const a = this.account;
    const feeBps = this.#feeBps(o.symbol);
    const fee = (o.qty * price * feeBps) / 1e4;
    // Never lock more than the cash (long or short, 1×): shrink the order rather than go negative.
    const qty = Math.min(o.qty, (a.cash - fee) / price);
    if (!(qty > 0)) return;
    const feeActual = (qty * price * feeBps) / 1e4;
    a.cash -= qty * price + feeActual;
    const position: Position = {
      id: `P${++this.#seq}`,
      ...(o.side === 'short' ? { side: 'short' as const } : {}),
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
    const exitFee = (value * this.#feeBps(p.symbol)) / 1e4;
    // The collateral (qty × entry) comes back with the P&L: a long gets the exit value, a short
    // twice its entry value less the buy-back.
    const back = p.side === 'short' ? 2 * p.qty * p.entryPrice - value : value;
    a.cash += back - exitFee;
    const pnl = back - exitFee - p.qty * p.entryPrice - p.entryFee;
    const risk = Math.abs(p.entryPrice - p.stop) * p.qty;
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
