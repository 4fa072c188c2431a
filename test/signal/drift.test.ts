import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/backtest/evidence.js';
import { cusumLower, DRIFT_H, DRIFT_K, expectationOf, type DriftExpectation } from '../../src/signal/drift.js';

/** Standard normal by Box–Muller from a seeded uniform generator. */
function normal(rnd: () => number): number {
  let u = 0;
  while (u === 0) u = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** Share of `runs` simulated forward records of `n` trades on which the CUSUM alarms, and the median alarm trade. */
function simulate(draw: () => number, e: DriftExpectation, runs: number, n: number): { rate: number; median: number | null } {
  let alarms = 0;
  const at: number[] = [];
  for (let j = 0; j < runs; j++) {
    const rs = Array.from({ length: n }, draw);
    const r = cusumLower(rs, e);
    if (r.alarm) {
      alarms++;
      at.push(r.alarmAt!);
    }
  }
  at.sort((a, b) => a - b);
  return { rate: alarms / runs, median: at.length ? at[at.length >> 1] : null };
}

describe('drift monitor: lower CUSUM on R (Page 1954), k = 0.5, h = 6', () => {
  it('documents its constants', () => {
    expect([DRIFT_K, DRIFT_H]).toEqual([0.5, 6]);
  });

  it('computes S_i = max(0, S_{i−1} − (r_i − μ)/σ − k) by hand', () => {
    const e = { mean: 0.3, sigma: 1 };
    // −1R: S = 0 + 1.3 − 0.5 = 0.8; −1R: 1.6; +2R: max(0, 1.6 − 1.7 − 0.5) = 0; −1R: 0.8.
    const r = cusumLower([-1, -1, 2, -1], e);
    expect(r.cusum).toBeCloseTo(0.8, 12);
    expect(r.peak).toBeCloseTo(1.6, 12);
    expect(r.meanR).toBeCloseTo(-0.25, 12);
    expect(r.alarm).toBe(false);
    // Eight straight −1R trades: 0.8 per trade, alarm at the 8th (6.4 ≥ 6).
    const bad = cusumLower(Array(10).fill(-1), e);
    expect(bad.alarmAt).toBe(8);
    expect(bad.alarm).toBe(true);
    expect(() => cusumLower([1], { mean: 0, sigma: 0 })).toThrow(RangeError);
  });

  it('zero drift, normal R: a false pause within 100 trades in under 5 % of 4000 seeded sequences (measured 3.3 %)', () => {
    const rnd = mulberry32(9);
    const e = { mean: 0.3, sigma: 1.2 };
    const { rate } = simulate(() => e.mean + e.sigma * normal(rnd), e, 4000, 100);
    expect(rate).toBeLessThan(0.05);
    expect(rate).toBeGreaterThan(0.02); // the documented rate, not a test that can never fire
  });

  it('zero drift, stop-or-target R (−1R / +2R at 40 % wins): under 1 % within 100 trades (measured 0.3 %)', () => {
    const rnd = mulberry32(11);
    const e = { mean: 0.2, sigma: Math.sqrt(0.4 * 0.6) * 3 };
    const { rate } = simulate(() => (rnd() < 0.4 ? 2 : -1), e, 4000, 100);
    expect(rate).toBeLessThan(0.01);
  });

  it('a clearly degraded signal is caught: win rate 40 % → 10 % (mean +0.2R → −0.7R): 97 % within 100 trades, median 33', () => {
    const rnd = mulberry32(13);
    const e = { mean: 0.2, sigma: Math.sqrt(0.4 * 0.6) * 3 };
    const { rate, median } = simulate(() => (rnd() < 0.1 ? 2 : -1), e, 4000, 100);
    expect(rate).toBeGreaterThanOrEqual(0.95);
    expect(median).toBeGreaterThan(15);
    expect(median).toBeLessThan(45);
  });

  it('a one-σ fall of normal R is flagged after about a dozen trades', () => {
    const rnd = mulberry32(17);
    const e = { mean: 0.3, sigma: 1 };
    const { rate, median } = simulate(() => -0.7 + normal(rnd), e, 2000, 100);
    expect(rate).toBe(1);
    expect(median).toBeGreaterThanOrEqual(8);
    expect(median).toBeLessThanOrEqual(14);
  });

  it('expectation: the interval lower bound when given, else mean − 1.96σ/√n; σ = |mean/Sharpe| clamped', () => {
    expect(expectationOf({ trades: 100, avgR: 0.3, sharpe: 0.25, lower: 0.1 })).toEqual({ mean: 0.1, sigma: 1.2 });
    const z = expectationOf({ trades: 9, avgR: -0.1826, sharpe: -0.1245 })!;
    expect(z.sigma).toBeCloseTo(1.4667, 3);
    expect(z.mean).toBeCloseTo(-0.1826 - (1.96 * 1.4667) / 3, 3);
    // All trades equal: Sharpe huge, σ ≈ 0 → floored at 0.75R.
    expect(expectationOf({ trades: 8, avgR: -1.12, sharpe: -2801 })!.sigma).toBe(0.75);
    expect(expectationOf({ trades: 1, avgR: 1.66, sharpe: 0 })!.sigma).toBe(1);
    expect(expectationOf({ trades: 0, avgR: 0, sharpe: 0 })).toBeNull();
  });
});
