import { errorFunction, sampleKurtosis, sampleSkewness } from 'simple-statistics';

/**
 * Gate statistics of `edgebot backtest` (SPEC §5, issue #9): normal distribution helpers, the
 * Probabilistic and Deflated Sharpe Ratios, a seeded circular block bootstrap of the mean, and the
 * probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV).
 * Everything is a pure function of its inputs; randomness comes from a seeded generator only.
 *
 * Units: Sharpe ratios here are per observation (per trade: mean R / sd R), never annualised.
 */

/** Euler–Mascheroni constant γ. */
const EULER_GAMMA = 0.5772156649015329;

/** Standard normal CDF Φ(x) = (1 + erf(x/√2)) / 2, with simple-statistics' erf (absolute error ≈ 2e-8). */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * (1 + errorFunction(x / Math.SQRT2));
}

/**
 * Standard normal quantile Φ⁻¹(p), p in (0, 1). simple-statistics' `probit` uses a closed-form
 * erf⁻¹ approximation with ~2e-3 relative error (probit(0.975) = 1.9572, true 1.95996), too coarse
 * for the DSR's Φ⁻¹(1 − 1/N); it is refined here by Newton steps on Φ(x) − p, using the accurate
 * CDF above (quadratic convergence). Accuracy is then that of the CDF: ~1e-7 in x near the centre,
 * ~1e-4 at p = 1e-5 (N ≈ 27,000 trials) — far below what moves a DSR at the gate.
 * @throws RangeError outside (0, 1)
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile needs p in (0, 1), got ${p}`);
  // Start: the Tukey-lambda style approximation x ≈ 4.91·(p^0.14 − (1−p)^0.14), |error| < 0.01 σ.
  let x = 4.91 * (p ** 0.14 - (1 - p) ** 0.14);
  for (let i = 0; i < 6; i++) {
    const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    if (pdf === 0) break;
    const step = (normalCdf(x) - p) / pdf;
    x -= step;
    if (Math.abs(step) < 1e-12) break;
  }
  return x;
}

/** Moments of a sample used by PSR/DSR. `kurtosis` is the plain (non-excess) kurtosis: 3 for a normal. */
export interface Moments {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  sd: number;
  /** mean / sd, per observation; 0 when sd is 0 or n < 2. */
  sharpe: number;
  skew: number;
  kurtosis: number;
}

/**
 * Mean, sd, per-observation Sharpe, skewness and kurtosis of `xs`. Skewness and kurtosis are
 * simple-statistics' bias-adjusted sample estimators (kurtosis + 3 to make it non-excess); with
 * fewer than 4 observations or no spread they fall back to the normal's 0 and 3.
 */
export function moments(xs: readonly number[]): Moments {
  const n = xs.length;
  if (n === 0) return { n, mean: 0, sd: 0, sharpe: 0, skew: 0, kurtosis: 3 };
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const spread = sd > 1e-12;
  const arr = xs as number[];
  return {
    n, mean, sd,
    sharpe: spread ? mean / sd : 0,
    skew: spread && n >= 3 ? sampleSkewness(arr) : 0,
    kurtosis: spread && n >= 4 ? sampleKurtosis(arr) + 3 : 3,
  };
}

/**
 * Probabilistic Sharpe Ratio (Bailey & López de Prado 2012, "The Sharpe Ratio Efficient
 * Frontier", eq. 11): the probability that the true Sharpe exceeds `benchmark`, given an estimate
 * `sr` from `t` observations with skewness γ3 and (non-excess) kurtosis γ4:
 *
 *   PSR(SR*) = Φ( (SR̂ − SR*)·√(T − 1) / √(1 − γ3·SR̂ + (γ4 − 1)/4 · SR̂²) )
 *
 * Sharpe ratios per observation (not annualised). Returns 0 when T < 2 or the variance term is
 * not positive (possible for extreme positive skew; the estimate then carries no usable evidence).
 */
export function probabilisticSharpe(sr: number, benchmark: number, t: number, skew: number, kurtosis: number): number {
  if (!(t >= 2)) return 0;
  const v = 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(v > 0)) return 0;
  return normalCdf(((sr - benchmark) * Math.sqrt(t - 1)) / Math.sqrt(v));
}

/**
 * Expected maximum Sharpe ratio of `trials` independent trials whose Sharpe estimates have
 * variance `variance` and true value 0 (Bailey & López de Prado 2014, "The Deflated Sharpe Ratio",
 * eq. 2, from the extreme value of N Gaussians):
 *
 *   SR0 = √V[SR_n] · ( (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)) ),  γ = Euler–Mascheroni
 *
 * 0 for a single trial (nothing was selected) or no variance.
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (!(trials > 1) || !(variance > 0)) return 0;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
}

/**
 * Deflated Sharpe Ratio (Bailey & López de Prado 2014): the PSR of the selected estimate against
 * the Sharpe the best of `trials` zero-edge trials would show by luck alone,
 * DSR = PSR(SR0) with SR0 = `expectedMaxSharpe(trials, variance)`. A probability 0..1; the gate
 * asks for ≥ 0.95. The paper's example (SR̂ = 2.5/√250 daily, T = 1250, γ3 = −3, γ4 = 10, N = 100,
 * V = 0.5/250) gives SR0 ≈ 0.1132 and DSR ≈ 0.90.
 */
export function deflatedSharpe(sr: number, t: number, skew: number, kurtosis: number, trials: number, variance: number): number {
  return probabilisticSharpe(sr, expectedMaxSharpe(trials, variance), t, skew, kurtosis);
}

/**
 * mulberry32: a small seeded 32-bit generator, uniform in [0, 1). Reproducible across runs and
 * platforms (integer arithmetic only), which is all the bootstrap needs.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string (FNV-1a), so each family gets its own reproducible stream. */
export function seedOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A trade as the block-length rule sees it: when it was open (ms UTC). */
export interface Span {
  entryTime: number;
  exitTime: number;
}

/**
 * Block length for the bootstrap of a pooled trade list (sorted by entry time):
 *
 *   b = clamp( max(⌈n^(1/3)⌉, ⌈c̄⌉), 1, max(1, ⌊n/2⌋) )
 *
 * - n^(1/3) is the MSE-optimal growth rate of the block length for bootstrap estimates of the
 *   variance of a mean (Hall, Horowitz & Jing 1995; Politis & White 2004 estimate its constant
 *   from the autocorrelations — too noisy on a few dozen trades, so the constant is 1 here);
 * - c̄ is the trades' own time structure: the mean number of the family's trades open at each
 *   trade's entry (itself included). A family pooled over 14 coins fires on market-wide moves, so
 *   overlapping trades are correlated; a block at least one typical cluster long resamples a
 *   cluster together instead of treating its trades as independent.
 */
export function blockLength(trades: readonly Span[]): number {
  const n = trades.length;
  if (n < 2) return 1;
  // Open at entry of trade i: trades j with entry_j ≤ entry_i < exit_j (i itself included).
  const entries = trades.map((t) => t.entryTime).sort((a, b) => a - b);
  const exits = trades.map((t) => t.exitTime).sort((a, b) => a - b);
  let total = 0;
  for (const t of trades) {
    total += upperBound(entries, t.entryTime) - upperBound(exits, t.entryTime);
  }
  const c = total / n;
  return Math.min(Math.max(1, Math.floor(n / 2)), Math.max(Math.ceil(Math.cbrt(n)), Math.ceil(c), 1));
}

/** Number of elements ≤ x in ascending `a`. */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] <= x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** A bootstrap interval for the mean. */
export interface BootstrapInterval {
  mean: number;
  /** Percentile bounds of the resampled means: [alpha/2, 1 − alpha/2]. */
  lower: number;
  upper: number;
  block: number;
  resamples: number;
}

/**
 * Circular block bootstrap of the mean (Politis & Romano 1992): each resample concatenates
 * blocks of `block` consecutive observations starting at uniform positions, wrapping around the
 * end, until n are drawn; the interval is the percentile interval of the B resampled means
 * (two-sided, 1 − alpha; alpha = 0.05 gives the 2.5 % and 97.5 % quantiles). The gate asks for
 * the lower bound > 0. Seeded: the same (xs, block, resamples, seed) always gives the same bounds.
 * With fewer than 2 observations the bounds are the mean itself (no spread to resample).
 */
export function blockBootstrapMean(xs: readonly number[], block: number, resamples: number, seed: number, alpha = 0.05): BootstrapInterval {
  const n = xs.length;
  const mean = n ? xs.reduce((a, x) => a + x, 0) / n : 0;
  if (n < 2) return { mean, lower: mean, upper: mean, block, resamples };
  const b = Math.max(1, Math.min(block, n));
  const rnd = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let k = 0; k < resamples; k++) {
    let s = 0;
    let drawn = 0;
    while (drawn < n) {
      const start = Math.floor(rnd() * n);
      for (let j = 0; j < b && drawn < n; j++, drawn++) s += xs[(start + j) % n];
    }
    means[k] = s / n;
  }
  means.sort();
  return { mean, lower: quantileSorted(means, alpha / 2), upper: quantileSorted(means, 1 - alpha / 2), block: b, resamples };
}

/** Linear-interpolation quantile (type 7) of an ascending array. */
function quantileSorted(a: Float64Array, q: number): number {
  const h = (a.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo] + (h - lo) * (a[hi] - a[lo]);
}

/** What CSCV found. */
export interface PboResult {
  /** Probability of backtest overfitting: share of splits whose in-sample best ranks at or below the out-of-sample median. */
  pbo: number;
  /** Number of row groups S and of splits C(S, S/2). */
  groups: number;
  splits: number;
  strategies: number;
  rows: number;
  /** Mean logit λ over the splits (negative: the in-sample winner tends to underperform). */
  meanLogit: number;
}

/**
 * Probability of Backtest Overfitting by CSCV (Bailey, Borwein, López de Prado & Zhu 2015, "The
 * Probability of Backtest Overfitting", §2):
 * 1. M is a T×N matrix of returns (rows: time periods, columns: strategies); its rows are cut
 *    into S contiguous groups (S even; sizes differ by at most one row).
 * 2. For every combination C of S/2 groups: J = the rows of C (in-sample), J̄ = the rest
 *    (out-of-sample). n* = argmax over strategies of the performance on J (first on ties).
 * 3. ω̄ = relative rank of n*'s performance on J̄ among all strategies, rank/(N + 1) with rank
 *    1..N ascending (ties take their average rank); λ = ln(ω̄ / (1 − ω̄)).
 * 4. PBO = share of combinations with λ ≤ 0 (the in-sample best is at or below the median out of sample).
 * Performance is the Sharpe ratio (mean/sd of the rows, 0 when sd is 0) by default, as in the
 * paper, or the mean.
 * @param columns N return series of equal length T
 * @throws RangeError with fewer than 2 strategies, an odd S, or fewer rows than groups
 */
export function cscvPbo(columns: readonly (readonly number[])[], groups = 16, metric: 'sharpe' | 'mean' = 'sharpe'): PboResult {
  const N = columns.length;
  if (N < 2) throw new RangeError(`CSCV needs at least 2 strategies, got ${N}`);
  const T = columns[0].length;
  const S = groups;
  if (!(S >= 2 && S % 2 === 0)) throw new RangeError(`CSCV needs an even number of groups, got ${S}`);
  if (T < S) throw new RangeError(`CSCV needs at least ${S} rows, got ${T}`);
  // Per group and strategy: count, sum, sum of squares.
  const cnt = new Float64Array(S);
  const sum = new Float64Array(S * N);
  const sq = new Float64Array(S * N);
  for (let g = 0; g < S; g++) {
    const a = Math.floor((g * T) / S);
    const b = Math.floor(((g + 1) * T) / S);
    cnt[g] = b - a;
    for (let j = 0; j < N; j++) {
      const col = columns[j];
      if (col.length !== T) throw new RangeError(`CSCV: strategy ${j} has ${col.length} rows, expected ${T}`);
      let s = 0;
      let q = 0;
      for (let t = a; t < b; t++) {
        s += col[t];
        q += col[t] * col[t];
      }
      sum[g * N + j] = s;
      sq[g * N + j] = q;
    }
  }
  const perf = (inSet: boolean[], want: boolean, out: Float64Array) => {
    for (let j = 0; j < N; j++) {
      let n = 0;
      let s = 0;
      let q = 0;
      for (let g = 0; g < S; g++) {
        if (inSet[g] !== want) continue;
        n += cnt[g];
        s += sum[g * N + j];
        q += sq[g * N + j];
      }
      const m = s / n;
      if (metric === 'mean') out[j] = m;
      else {
        const v = n > 1 ? (q - n * m * m) / (n - 1) : 0;
        out[j] = v > 1e-24 ? m / Math.sqrt(v) : 0;
      }
    }
  };
  const isPerf = new Float64Array(N);
  const oosPerf = new Float64Array(N);
  let splits = 0;
  let overfit = 0;
  let logitSum = 0;
  const inSet = new Array<boolean>(S).fill(false);
  const choose = (start: number, left: number): void => {
    if (left === 0) {
      perf(inSet, true, isPerf);
      perf(inSet, false, oosPerf);
      let best = 0;
      for (let j = 1; j < N; j++) if (isPerf[j] > isPerf[best]) best = j;
      const x = oosPerf[best];
      let less = 0;
      let equal = 0;
      for (let j = 0; j < N; j++) {
        if (oosPerf[j] < x) less++;
        else if (oosPerf[j] === x) equal++;
      }
      const rank = less + (equal + 1) / 2;
      const w = rank / (N + 1);
      const lambda = Math.log(w / (1 - w));
      splits++;
      logitSum += lambda;
      if (lambda <= 0) overfit++;
      return;
    }
    for (let g = start; g <= S - left; g++) {
      inSet[g] = true;
      choose(g + 1, left - 1);
      inSet[g] = false;
    }
  };
  choose(0, S / 2);
  return { pbo: overfit / splits, groups: S, splits, strategies: N, rows: T, meanLogit: logitSum / splits };
}
