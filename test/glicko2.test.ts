import { describe, expect, it } from 'vitest';
import { rate } from '../src/rating/glicko2.js';

describe('Glicko-2 (Glickman, "Example of the Glicko-2 system")', () => {
  it('reproduces the worked example', () => {
    const r = rate(
      { rating: 1500, rd: 200, volatility: 0.06 },
      [
        { rating: 1400, rd: 30, score: 1 },
        { rating: 1550, rd: 100, score: 0 },
        { rating: 1700, rd: 300, score: 0 },
      ],
      0.5,
    );
    expect(Math.abs(r.rating - 1464.05)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(r.rd - 151.52)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(r.volatility - 0.059996)).toBeLessThanOrEqual(1e-5);
  });

  it('only widens RD when the player sits a period out', () => {
    const r = rate({ rating: 1500, rd: 200, volatility: 0.06 }, [], 0.5);
    expect(r.rating).toBe(1500);
    expect(r.volatility).toBe(0.06);
    // φ* = √(φ² + σ²) on the Glicko-2 scale: √((200/173.7178)² + 0.06²)·173.7178 ≈ 200.27
    expect(r.rd).toBeCloseTo(200.27, 2);
  });

  it('a win against the same opponent raises the rating, a loss lowers it', () => {
    const p = { rating: 1500, rd: 350, volatility: 0.06 };
    expect(rate(p, [{ rating: 1500, rd: 100, score: 1 }], 0.5).rating).toBeGreaterThan(1500);
    expect(rate(p, [{ rating: 1500, rd: 100, score: 0 }], 0.5).rating).toBeLessThan(1500);
  });
});
