import { describe, expect, it } from 'vitest';
import { CrossCoinRatings, crossCoinZ } from '../src/rating/cross-coin.js';
import { rate } from '../src/rating/glicko2.js';

const opts = {
  tau: 0.5,
  opponentRd: 100,
  drawThreshold: 0.001,
  scoreScale: 50,
  returnWindow: 20,
  initial: { rating: 1500, rd: 350, volatility: 0.06 },
  maLength: () => 2,
};

describe('cross-coin z-scores', () => {
  it('z = (r − mean) / population stdev', () => {
    // mean 1500, stdev √((100² + 0 + 100²)/3) = 81.6497
    const z = crossCoinZ([1400, 1500, 1600], new Float64Array(3));
    expect(z[0]).toBeCloseTo(-1.224745, 6);
    expect(z[1]).toBe(0);
    expect(z[2]).toBeCloseTo(1.224745, 6);
    expect([...crossCoinZ([1500, 1500, 1500], new Float64Array(3))]).toEqual([0, 0, 0]);
  });

  it('three coins: a winner, a draw and a loser', () => {
    const r = new CrossCoinRatings(['AAA', 'BBB', 'CCC'], opts);
    // Interval 1 only sets reference prices.
    r.record(0, 100, 10);
    r.record(1, 100, 10);
    r.record(2, 100, 10);
    r.step(300_000);
    expect([r.z(0), r.z(1), r.z(2)]).toEqual([0, 0, 0]);
    // Interval 2: AAA +1 % (score 1), BBB +0.05 % (a draw), CCC −1 % (score 0).
    // Equal volumes and no return history: the opponent is 1500 ± 100 for all three.
    r.record(0, 101, 10);
    r.record(1, 100.05, 10);
    r.record(2, 99, 10);
    r.step(600_000);
    const win = rate(opts.initial, [{ rating: 1500, rd: 100, score: 1 }], 0.5);
    expect(r.rating(0).rating).toBeCloseTo(win.rating, 9);
    expect(r.rating(1).rating).toBeCloseTo(1500, 9); // a draw against an equal opponent moves nothing
    expect(r.rating(2).rating).toBeCloseTo(3000 - win.rating, 9); // mirror image of the win
    // Symmetric ratings 1500 ± d: z = ±d / (d·√(2/3)) = ±√1.5.
    expect(r.z(0)).toBeCloseTo(Math.sqrt(1.5), 9);
    expect(r.z(1)).toBeCloseTo(0, 9);
    expect(r.z(2)).toBeCloseTo(-Math.sqrt(1.5), 9);
    // MA-z over 2 intervals: (0 + √1.5) / 2.
    expect(r.maZ(0)).toBeCloseTo(Math.sqrt(1.5) / 2, 9);
    expect(r.maZStable(0)).toBe(true);
  });

  it('a coin missing from an interval plays no game, and its RD grows', () => {
    const r = new CrossCoinRatings(['AAA', 'BBB'], opts);
    r.record(0, 100, 10);
    r.record(1, 100, 10);
    r.step(1);
    r.record(0, 102, 10);
    r.step(2);
    expect(r.rating(1).rating).toBe(1500);
    expect(r.rating(1).rd).toBeGreaterThan(350);
    expect(r.rating(0).rating).toBeGreaterThan(1500);
  });
});
