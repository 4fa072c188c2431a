import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { CrossCoinRatings } from '../../src/rating/cross-coin.js';
import { ZScoreRule } from '../../src/signal/zscore-rule.js';
import { zScoreFactor } from '../../src/config/z-reach.js';

const SET = { zScoreThreshold: 2, movingAverages: 3, profitPercent: 2, stopLossPercent: 1, allocationPercent: 10, enabled: true };

/** Ratings whose MA-z of coin 0 follows `path`, one value per evaluate call. */
function ratings(path: number[]): CrossCoinRatings {
  let i = -1;
  return { maZ: () => path[++i], maZStable: () => true, rating: () => ({ rating: 1500, rd: 50, volatility: 0.06 }) } as unknown as CrossCoinRatings;
}

describe('rating.zScoreScale', () => {
  it('defaults to absolute', () => {
    expect(loadConfig().rating.zScoreScale).toBe('absolute');
  });

  it('sqrtN scales the threshold by √(n−1)/√13: 1 on 14 coins, 0.555 on 5', () => {
    expect(zScoreFactor('absolute', 5)).toBe(1);
    expect(zScoreFactor('sqrtN', 14)).toBeCloseTo(1, 12);
    expect(zScoreFactor('sqrtN', 5)).toBeCloseTo(2 / Math.sqrt(13), 12);
    // The largest |z| 5 coins can reach is (n − 1)/√n = 1.79 < 2; the scaled 2 is 1.11.
    expect(2 * zScoreFactor('sqrtN', 5)).toBeCloseTo(1.1094, 4);
  });

  it('on 5 coins an MA-z of 1.2 fires only with sqrtN', () => {
    const coins = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'DOGEUSDT'];
    const params = [SET, undefined, undefined, undefined, undefined];
    const abs = new ZScoreRule(ratings([0, 1.2]), coins, params, '5m');
    expect(abs.evaluate(0, 100, 0, false)).toBeNull();
    expect(abs.evaluate(0, 100, 1, false)).toBeNull();
    const scaled = new ZScoreRule(ratings([0, 1.2]), coins, params, '5m', 'sqrtN');
    expect(scaled.evaluate(0, 100, 0, false)).toBeNull();
    const a = scaled.evaluate(0, 100, 1, false);
    expect(a?.kind).toBe('entry');
    expect(a?.kind === 'entry' && a.setup.reason).toBe('MA-z(3 × 5m) 1.20 ≥ 1.11');
  });
});
