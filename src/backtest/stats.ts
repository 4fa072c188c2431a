import type { ExitReason, Trade } from '../portfolio/types.js';
import type { SampleStats } from '../signal/types.js';

/** The parts of a closed trade the backtest keeps (prices quote currency, times ms UTC). */
export interface TradeRecord {
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
  return { entryTime: t.entryTime, entryPrice: t.entryPrice, exitTime: t.exitTime, exitPrice: t.exitPrice, reason: t.reason, stop: t.stop, pnl: t.pnl, r: t.r };
}

const DAY_MS = 86_400_000;
/** Profit factor reported when a sample has no losing trade (JSON has no Infinity). */
export const PF_CAP = 99;

/**
 * Statistics of one sample's trades (in exit order):
 * - winRate: fraction of trades with pnl > 0;
 * - profitFactor: gross profit / gross loss (quote currency), capped at 99;
 * - avgR: mean R multiple (pnl over initial risk, fees included);
 * - maxDrawdownPercent: largest fall of the realized equity curve from its peak, percent of the
 *   peak, starting at `startEquity`;
 * - sharpe: annualised Sharpe of daily returns — realized P&L per UTC day over the equity at that
 *   day's start, every day of [from, to) counted (flat days are 0), × √365, risk-free 0.
 */
export function sampleStats(trades: readonly TradeRecord[], startEquity: number, from: number, to: number): SampleStats {
  const n = trades.length;
  let wins = 0;
  let gp = 0;
  let gl = 0;
  let sumR = 0;
  let eq = startEquity;
  let peak = startEquity;
  let dd = 0;
  for (const t of trades) {
    if (t.pnl > 0) {
      wins++;
      gp += t.pnl;
    } else {
      gl -= t.pnl;
    }
    sumR += t.r;
    eq += t.pnl;
    if (eq > peak) peak = eq;
    else if (peak > 0) dd = Math.max(dd, ((peak - eq) / peak) * 100);
  }
  return {
    trades: n,
    winRate: n ? round(wins / n, 4) : 0,
    profitFactor: round(gl > 0 ? Math.min(PF_CAP, gp / gl) : gp > 0 ? PF_CAP : 0, 3),
    avgR: n ? round(sumR / n, 4) : 0,
    maxDrawdownPercent: round(Math.min(100, dd), 3),
    sharpe: round(dailySharpe(trades, startEquity, from, to), 3),
  };
}

function dailySharpe(trades: readonly TradeRecord[], startEquity: number, from: number, to: number): number {
  const d0 = Math.floor(from / DAY_MS);
  const days = Math.max(1, Math.ceil(to / DAY_MS) - d0);
  const pnl = new Float64Array(days);
  for (const t of trades) {
    const d = Math.floor(t.exitTime / DAY_MS) - d0;
    if (d >= 0 && d < days) pnl[d] += t.pnl;
  }
  let eq = startEquity;
  let sum = 0;
  let ss = 0;
  for (let d = 0; d < days; d++) {
    const r = eq > 0 ? pnl[d] / eq : 0;
    eq += pnl[d];
    sum += r;
    ss += r * r;
  }
  const mean = sum / days;
  const variance = days > 1 ? (ss - days * mean * mean) / (days - 1) : 0;
  return variance > 0 ? (mean / Math.sqrt(variance)) * Math.sqrt(365) : 0;
}

/**
 * Van Tharp's System Quality Number: √n × mean(R) / stdev(R) (sample stdev) — a t-statistic of
 * the expectancy. 0 with fewer than 2 trades or no spread.
 */
export function sqn(trades: readonly TradeRecord[]): number {
  const n = trades.length;
  if (n < 2) return 0;
  let s = 0;
  for (const t of trades) s += t.r;
  const m = s / n;
  let ss = 0;
  for (const t of trades) ss += (t.r - m) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return sd > 0 ? (Math.sqrt(n) * m) / sd : 0;
}

export function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
