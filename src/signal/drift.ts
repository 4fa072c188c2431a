/**
 * Drift monitor statistics (issue #9 item 7): is a signal's forward record (paper + live trades,
 * in R) still consistent with its out-of-sample expectation? Pure functions; the wiring lives in
 * src/signal/drift-service.ts.
 *
 * The test is a one-sided lower CUSUM (Page 1954, "Continuous inspection schemes", Biometrika 41)
 * on standardized per-trade R:
 *
 *   x_i = (r_i − μ) / σ,   S_0 = 0,   S_i = max(0, S_{i−1} − x_i − k),   alarm when S_i ≥ h
 *
 * with reference value k = 0.5 (tuned to a fall of the mean by one σ) and decision threshold
 * h = 6. Its false-alarm rate, measured by simulation (test/signal/drift.test.ts, seeded RNG,
 * 4000 sequences each): a forward record whose R has exactly the expected mean and σ pauses the
 * signal within its first 100 trades with probability ≈ 3.3–3.8 % for normal R (in-control average
 * run length ≈ 2,600 trades) and ≈ 0.3 % for stop-or-target R (−1R or +2R, win rate 40 %), so
 * below 5 % in both. A fall of the mean by one σ is flagged after a median 11 trades; a
 * 40 %-win-rate 2R signal whose win rate collapses to 10 % (mean R +0.2 → −0.7), after a median
 * 33 trades and within 100 trades in ≥ 95 % of cases.
 */
import { z } from 'zod';

/** Reference value k of the CUSUM, in σ. */
export const DRIFT_K = 0.5;
/** Decision threshold h of the CUSUM, in σ. */
export const DRIFT_H = 6;
/** Bounds on σ (R): a degenerate out-of-sample record (all trades equal) must not make σ ≈ 0. */
export const DRIFT_SIGMA_MIN = 0.75;
export const DRIFT_SIGMA_MAX = 5;

/** What the forward record is tested against: expected mean R per trade and its σ (R). */
export interface DriftExpectation {
  /** Expected mean R per trade. */
  mean: number;
  /** Standard deviation of per-trade R (> 0). */
  sigma: number;
}

/** The CUSUM after a forward record. */
export interface DriftResult {
  /** Forward trades tested. */
  trades: number;
  /** Their mean R (0 when none). */
  meanR: number;
  /** Current CUSUM value S_n, in σ (≥ 0). */
  cusum: number;
  /** Largest S_i seen. */
  peak: number;
  /** Threshold h it is compared with. */
  threshold: number;
  /** True when S_i reached h at some trade i. */
  alarm: boolean;
  /** 1-based index of the first trade at which the alarm fired, else null. */
  alarmAt: number | null;
}

/**
 * Runs the lower CUSUM over per-trade R values in the order they closed.
 * @throws RangeError when σ is not a positive finite number
 */
export function cusumLower(rs: readonly number[], e: DriftExpectation, k = DRIFT_K, h = DRIFT_H): DriftResult {
  if (!(e.sigma > 0) || !Number.isFinite(e.sigma)) throw new RangeError(`drift: σ must be > 0, got ${e.sigma}`);
  let s = 0;
  let peak = 0;
  let sum = 0;
  let alarmAt: number | null = null;
  for (let i = 0; i < rs.length; i++) {
    sum += rs[i];
    s = Math.max(0, s + (e.mean - rs[i]) / e.sigma - k);
    if (s > peak) peak = s;
    if (alarmAt === null && s >= h) alarmAt = i + 1;
  }
  return { trades: rs.length, meanR: rs.length ? sum / rs.length : 0, cusum: s, peak, threshold: h, alarm: alarmAt !== null, alarmAt };
}

/**
 * The expectation a signal's forward record is held to, from its out-of-sample evidence:
 * σ = |mean / Sharpe| (per-trade Sharpe = mean/sd) clamped to [0.75, 5] R, or 1 R when that is
 * undefined (Sharpe 0); the mean is the lower end of the 95 % interval of the out-of-sample mean
 * R — the bootstrap bound when the file has one (`lower`), else mean − 1.96·σ/√n — so a short
 * out-of-sample record is not held to its lucky mean. Null without out-of-sample trades.
 */
export function expectationOf(oos: { trades: number; avgR: number; sharpe: number; lower?: number }): DriftExpectation | null {
  if (oos.trades < 1 || !Number.isFinite(oos.avgR)) return null;
  const raw = oos.sharpe !== 0 && Number.isFinite(oos.sharpe) ? Math.abs(oos.avgR / oos.sharpe) : 1;
  const sigma = Math.min(DRIFT_SIGMA_MAX, Math.max(DRIFT_SIGMA_MIN, Number.isFinite(raw) && raw > 0 ? raw : 1));
  const mean = oos.lower !== undefined && Number.isFinite(oos.lower) ? oos.lower : oos.avgR - (1.96 * sigma) / Math.sqrt(oos.trades);
  return { mean, sigma };
}

/**
 * The drift monitor's state of one signal (src/signal/drift-service.ts). `since`: its forward
 * record counts trades closed after this time (ms UTC; the last resume), 0 = all. `paused`: the
 * alarm that paused it (numbers in R; CUSUM in σ), until the owner resumes it.
 */
export const DriftSignalSchema = z.object({
  since: z.number(),
  paused: z.object({
    at: z.number(), trades: z.number(), meanR: z.number(), cusum: z.number(), threshold: z.number(),
    expectedMeanR: z.number(), sigma: z.number(),
  }).optional(),
});
export type DriftSignalState = z.infer<typeof DriftSignalSchema>;
