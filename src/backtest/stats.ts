import type { Side } from '../core/instrument.js';
import type { ExitReason, Trade } from '../portfolio/types.js';

/** The parts of a closed trade the backtest keeps (prices quote currency, times ms UTC). */
export interface TradeRecord {
  signalId: string;
  symbol: string;
  /** "short" for a short (perpetual swaps); absent = long. */
  side?: Side;
  /** Base-asset quantity. */
  qty: number;
  /** Entry + exit fee, quote currency. */
  fees: number;
  entryTime: number;
  entryPrice: number;
  exitTime: number;
  exitPrice: number;
  reason: ExitReason;
  stop: number;
  /** Net of fees, quote currency. */
  pnl: number;
  /** pnl / initial risk. */
  r: number;
}

export function toRecord(t: Trade): TradeRecord {
  return { signalId: t.signalId, symbol: t.symbol, ...(t.side === 'short' ? { side: t.side } : {}), qty: t.qty, fees: t.entryFee + t.exitFee, entryTime: t.entryTime, entryPrice: t.entryPrice, exitTime: t.exitTime, exitPrice: t.exitPrice, reason: t.reason, stop: t.stop, pnl: t.pnl, r: t.r };
}

/** Profit factor reported when a sample has no losing trade (JSON has no Infinity). */
export const PF_CAP = 99;

export function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** Shares of exit reasons, fractions of all trades (a manual exit cannot happen in a backtest). */
export interface ExitShares {
  target: number;
  stop: number;
  time: number;
  /** Z-score reversal exits. */
  reversal: number;
}

/**
 * Statistics of the traded unit, R = pnl / initial risk after fees and slippage (issue #9) —
 * independent of position size, so a sizing cap cannot weight trades by their stop width:
 * - winRate: fraction of trades with R > 0;
 * - profitFactor: Σ positive R / Σ |negative R| (in R, not quote currency), capped at 99;
 * - avgR / medianR: mean and median R; sqn: √n · mean / sd (Van Tharp);
 * - sharpe: mean / sd of R per trade (not annualised; the DSR's unit);
 * - maxDrawdownR: largest fall of cumulative R (trades in exit order) from its running peak,
 *   starting at 0 — equal to the drawdown in percent of starting equity at a fixed 1 % risk per trade;
 * - exits: shares of exit reasons; avgHoldHours: mean (exit − entry) in hours.
 */
export interface RStats {
  trades: number;
  winRate: number;
  profitFactor: number;
  avgR: number;
  medianR: number;
  sqn: number;
  sharpe: number;
  maxDrawdownR: number;
  exits: ExitShares;
  avgHoldHours: number;
}

/** RStats of `trades` (any order; drawdown is taken in exit order). */
export function rStats(trades: readonly TradeRecord[]): RStats {
  const n = trades.length;
  const byExit = [...trades].sort((a, b) => a.exitTime - b.exitTime || a.entryTime - b.entryTime);
  let wins = 0;
  let gp = 0;
  let gl = 0;
  let sum = 0;
  let cum = 0;
  let peak = 0;
  let dd = 0;
  let hold = 0;
  const ex = { target: 0, stop: 0, time: 0, reversal: 0 };
  for (const t of byExit) {
    if (t.r > 0) {
      wins++;
      gp += t.r;
    } else gl -= t.r;
    sum += t.r;
    cum += t.r;
    peak = Math.max(peak, cum);
    dd = Math.max(dd, peak - cum);
    hold += t.exitTime - t.entryTime;
    if (t.reason === 'target') ex.target++;
    else if (t.reason === 'stop') ex.stop++;
    else if (t.reason === 'time') ex.time++;
    else if (t.reason === 'zscore-reversal') ex.reversal++;
  }
  const rs = trades.map((t) => t.r).sort((a, b) => a - b);
  const median = n === 0 ? 0 : n % 2 ? rs[(n - 1) / 2] : (rs[n / 2 - 1] + rs[n / 2]) / 2;
  const mean = n ? sum / n : 0;
  let ss = 0;
  for (const r of rs) ss += (r - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const share = (k: number) => (n ? round(k / n, 4) : 0);
  return {
    trades: n,
    winRate: share(wins),
    profitFactor: round(gl > 0 ? Math.min(PF_CAP, gp / gl) : gp > 0 ? PF_CAP : 0, 3),
    avgR: round(mean, 4),
    medianR: round(median, 4),
    sqn: round(sd > 0 ? (Math.sqrt(n) * mean) / sd : 0, 3),
    sharpe: round(sd > 0 ? mean / sd : 0, 4),
    maxDrawdownR: round(dd, 3),
    exits: { target: share(ex.target), stop: share(ex.stop), time: share(ex.time), reversal: share(ex.reversal) },
    avgHoldHours: n ? round(hold / n / 3_600_000, 2) : 0,
  };
}
