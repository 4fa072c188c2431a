import type { SampleStats } from '../signal/types.js';
import type { Thresholds } from '../signal/validated.js';
import type { TradeRecord } from './stats.js';

/**
 * Break-even win rate of a strategy that wins `rr` R and loses 1 R, when each trade also costs
 * `costR` R: p·(rr − c) = (1 − p)·(1 + c)  ⇒  p = (1 + c) / (1 + rr). Fractions. With no costs
 * this is the textbook 1 / (1 + RR) (2:1 → 0.333).
 */
export function breakEvenWinRate(rr: number, costR = 0): number {
  return (1 + costR) / (1 + rr);
}

/**
 * Mean round-trip cost of the trades in R: (2 × fee + 2 × slippage) bps of the entry price over
 * the stop distance. Conservative: a target fills as a limit order without slippage.
 */
export function meanCostR(trades: readonly TradeRecord[], feeBps: number, slippageBps: number): number {
  if (!trades.length) return 0;
  const c = (2 * feeBps + 2 * slippageBps) / 1e4;
  let s = 0;
  for (const t of trades) {
    const dist = t.entryPrice - t.stop;
    s += dist > 0 ? (c * t.entryPrice) / dist : 0;
  }
  return s / trades.length;
}

/** The outcome of judging one signal's out-of-sample stats. */
export interface Judgement {
  pass: boolean;
  /** Fee-adjusted break-even win rate (fraction). */
  breakEven: number;
  /** Why it failed, one short phrase per threshold missed; empty when it passed. */
  failures: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Judges out-of-sample stats against a timeframe's live thresholds (seed 003). A signal passes
 * only if its R:R ≥ requiredRR, trades ≥ minTrades, winRate ≥ minWinRate, winRate > the
 * fee-adjusted break-even win rate for its R:R, and profitFactor ≥ minProfitFactor.
 */
export function judge(s: SampleStats, rr: number, costR: number, th: Thresholds): Judgement {
  const breakEven = breakEvenWinRate(rr, costR);
  const failures: string[] = [];
  if (rr < th.requiredRR) failures.push(`R:R ${rr} < required ${th.requiredRR}`);
  if (s.trades < th.minTrades) failures.push(`${s.trades} trades < ${th.minTrades}`);
  if (s.winRate < th.minWinRate) failures.push(`WR ${pct(s.winRate)} < ${pct(th.minWinRate)}`);
  if (!(s.winRate > breakEven)) failures.push(`WR ${pct(s.winRate)} ≤ break-even ${pct(breakEven)}`);
  if (s.profitFactor < th.minProfitFactor) failures.push(`PF ${s.profitFactor.toFixed(2)} < ${th.minProfitFactor}`);
  return { pass: failures.length === 0, breakEven, failures };
}
