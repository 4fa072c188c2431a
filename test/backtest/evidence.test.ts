import { describe, expect, it } from 'vitest';
import {
  blockBootstrapMean, blockLength, cscvPbo, deflatedSharpe, expectedMaxSharpe, moments, mulberry32, normalCdf, normalQuantile, probabilisticSharpe,
} from '../../src/backtest/evidence.js';

describe('normal distribution', () => {
  it('Φ and Φ⁻¹ match published table values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 5);
    expect(normalQuantile(1 - 1e-5)).toBeCloseTo(4.264890794, 3);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('Probabilistic and Deflated Sharpe Ratio', () => {
  it('PSR with normal returns reduces to Φ(SR·√(T−1)/√(1 + SR²/2))', () => {
    // SR 0.1 per observation, T = 100, normal (skew 0, kurtosis 3).
    const expected = normalCdf((0.1 * Math.sqrt(99)) / Math.sqrt(1 + 0.01 / 2));
    expect(probabilisticSharpe(0.1, 0, 100, 0, 3)).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.8395, 4); // Φ(0.99499 / 1.002497) = Φ(0.99251)
    // Negative skew and fat tails widen the SR estimate's error, so the PSR falls.
    expect(probabilisticSharpe(0.1, 0, 100, -3, 10)).toBeLessThan(expected);
    expect(probabilisticSharpe(0.1, 0, 1, 0, 3)).toBe(0);
  });

  it('reproduces the numerical example of Bailey & López de Prado (2014)', () => {
    // Annualised SR 2.5 on T = 1250 daily returns, skew −3, kurtosis 10, N = 100 trials whose
    // annualised SRs have variance 1/2. Daily units: SR = 2.5/√250, V = 0.5/250.
    const sr0 = expectedMaxSharpe(100, 0.5 / 250);
    expect(sr0).toBeCloseTo(0.1132, 4);
    expect(sr0 * Math.sqrt(250)).toBeCloseTo(1.79, 2);
    const dsr = deflatedSharpe(2.5 / Math.sqrt(250), 1250, -3, 10, 100, 0.5 / 250);
    // The paper prints 0.9004 from rounded intermediates.
    expect(dsr).toBeCloseTo(0.9004, 2);
    expect(Math.abs(dsr - 0.9004)).toBeLessThan(0.002);
  });

  it('one trial is not deflated; more trials deflate more', () => {
    expect(expectedMaxSharpe(1, 0.01)).toBe(0);
    expect(deflatedSharpe(0.2, 60, 0, 3, 1, 0.01)).toBeCloseTo(probabilisticSharpe(0.2, 0, 60, 0, 3), 12);
    expect(expectedMaxSharpe(1000, 0.01)).toBeGreaterThan(expectedMaxSharpe(10, 0.01));
  });

  it('moments: per-observation Sharpe, skew, non-excess kurtosis', () => {
    const m = moments([2, -1, -1, 2, -1, -1]);
    expect(m.mean).toBe(0);
    expect(m.sharpe).toBe(0);
    // Unbiased excess kurtosis: (n−1)/((n−2)(n−3)) · (n(n+1)·Σd⁴/(Σd²)² − 3(n−1)) = 5/12 · (42·36/144 − 15) = −1.875; + 3.
    expect(m.kurtosis).toBeCloseTo(1.125, 12);
    const k = moments([1, 1, 1]);
    expect(k).toMatchObject({ sd: 0, sharpe: 0, skew: 0, kurtosis: 3 });
  });
});

describe('block bootstrap', () => {
  it('the seeded generator is reproducible', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('a block as long as the series resamples only rotations: the interval collapses to the mean', () => {
    const xs = [1, -1, 2, -1, 0.5];
    const r = blockBootstrapMean(xs, xs.length, 500, 7);
    expect(r.lower).toBeCloseTo(0.3, 12);
    expect(r.upper).toBeCloseTo(0.3, 12);
  });

  it('with block 1 on independent data it matches the normal interval mean ± 1.96·sd/√n', () => {
    // 400 alternating +2 / −1: mean 0.5, sd ≈ 1.5019, so the 95 % lower bound ≈ 0.5 − 0.1472.
    const xs = Array.from({ length: 400 }, (_, i) => (i % 2 ? -1 : 2));
    const r = blockBootstrapMean(xs, 1, 4000, 1);
    expect(r.mean).toBe(0.5);
    expect(r.lower).toBeCloseTo(0.5 - (1.96 * 1.5019) / 20, 1);
    expect(Math.abs(r.lower - 0.3528)).toBeLessThan(0.015);
    // Same seed, same bounds.
    expect(blockBootstrapMean(xs, 1, 4000, 1)).toEqual(r);
    expect(blockBootstrapMean(xs, 1, 4000, 2).lower).not.toBe(r.lower);
  });

  it('block length is at least ∛n and at least the mean number of overlapping trades', () => {
    const H = 3_600_000;
    // 27 trades, one at a time: ∛27 = 3.
    const serial = Array.from({ length: 27 }, (_, i) => ({ entryTime: i * H, exitTime: i * H + H / 2 }));
    expect(blockLength(serial)).toBe(3);
    // 27 trades in clusters of 9 opened together (one market move on 9 coins): c̄ = 9.
    const clustered = Array.from({ length: 27 }, (_, i) => ({ entryTime: Math.floor(i / 9) * 10 * H, exitTime: Math.floor(i / 9) * 10 * H + H }));
    expect(blockLength(clustered)).toBe(9);
    expect(blockLength([{ entryTime: 0, exitTime: 1 }])).toBe(1);
  });
});

describe('probability of backtest overfitting (CSCV)', () => {
  it('hand-computed: two strategies that swap places between halves are always overfit', () => {
    // S = 2: split {row 0} vs {row 1} and back. The in-sample winner is the out-of-sample loser:
    // rank 1 of 2, ω = 1/3, λ = ln(1/2) < 0 both times.
    const r = cscvPbo([[1, 0], [0, 1]], 2, 'mean');
    expect(r).toMatchObject({ pbo: 1, splits: 2, groups: 2, strategies: 2, rows: 2 });
    expect(r.meanLogit).toBeCloseTo(Math.log(0.5), 12);
  });

  it('hand-computed: a strategy that is best everywhere is never overfit', () => {
    const r = cscvPbo([[1, 1, 1, 1], [0, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]], 4, 'mean');
    // C(4, 2) = 6 splits; the winner ranks 3 of 3: ω = 3/4, λ = ln 3 each time.
    expect(r).toMatchObject({ pbo: 0, splits: 6 });
    expect(r.meanLogit).toBeCloseTo(Math.log(3), 12);
  });

  it('hand-computed: one of three strategies reverses — PBO counts its splits', () => {
    // A = [3, 3, -1, -1] wins in-sample whenever a row 0/1 group is in-sample and then ranks last.
    // Splits of {0,1,2,3} into pairs: {0,1} → IS A (3 vs B 1, C 0) OOS A −1 last → overfit;
    // {2,3} → IS B wins (1 vs −1 / 0), OOS B 1 vs A 3 → rank 2 of 3 → λ = 0 → counted;
    // {0,2},{0,3},{1,2},{1,3} → IS A 1 vs B 1: tie, first (A) wins; OOS A 1 vs B 1, C 0 → rank 2.5, ω = 0.625 → λ > 0.
    const r = cscvPbo([[3, 3, -1, -1], [1, 1, 1, 1], [0, 0, 0, 0]], 4, 'mean');
    expect(r.splits).toBe(6);
    expect(r.pbo).toBeCloseTo(2 / 6, 12);
  });

  it('refuses what it cannot compute', () => {
    expect(() => cscvPbo([[1, 2]], 2)).toThrow(RangeError);
    expect(() => cscvPbo([[1, 2, 3], [1, 2, 3]], 3)).toThrow(/even/);
    expect(() => cscvPbo([[1], [2]], 2)).toThrow(/at least 2 rows/);
  });
});
