import type { TradeRecord } from './stats.js';
import { sqn } from './stats.js';

/** Standard normal CDF, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/**
 * Confidence of a validated signal, 0..1 = evidence × stability:
 * - evidence = Φ(SQN of the out-of-sample R multiples) — under a normal approximation, the
 *   probability that the true expectancy is positive given the OOS trades (30 trades at
 *   +0.3 R ± 1.2 R → Φ(1.37) ≈ 0.91);
 * - stability = clamp(avgR out-of-sample / avgR in-sample, 0, 1) — how much of the in-sample
 *   edge survived on unseen data (1 when OOS did at least as well).
 */
export function confidence(oos: readonly TradeRecord[], isAvgR: number, oosAvgR: number): number {
  const evidence = normalCdf(sqn(oos));
  const stability = isAvgR > 0 ? Math.min(1, Math.max(0, oosAvgR / isAvgR)) : 0;
  return Math.round(evidence * stability * 1000) / 1000;
}
