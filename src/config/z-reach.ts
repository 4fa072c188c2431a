import type { LiveParams } from './schema.js';

/** A parameter set whose z-score threshold the cross-coin z-scores can never reach. */
export interface ZThresholdWarning {
  /** Parameter-set symbol, e.g. `BTCUSDT`. */
  symbol: string;
  zScoreThreshold: number;
  /** Number of coins the z-scores are taken across. */
  coins: number;
  /** √(coins − 1): the largest |z| a population z-score over `coins` values can take. */
  maxAbsZ: number;
  /** One line for the log, the owner and `validate-config`. */
  message: string;
}

/**
 * The parameter sets whose `zScoreThreshold` ≥ √(n−1): with population z-scores across n coins,
 * |z| ≤ √(n−1) (equality only when all other coins tie), so their MA-z can never trigger a card.
 * Pure; one warning per such set, in symbol order. `coins` < 2 makes every z 0, so every set warns.
 * @param liveParams parameter sets (config/live-params.json)
 * @param coins number of coins rated together (config.baseCoins, or the replay's symbols)
 * @param factor what `rating.zScoreScale` multiplies thresholds by (zScoreFactor; 1 = absolute)
 */
export function zThresholdWarnings(liveParams: LiveParams, coins: number, factor = 1): ZThresholdWarning[] {
  const n = Math.max(0, Math.floor(coins));
  const maxAbsZ = Math.sqrt(Math.max(0, n - 1));
  const out: ZThresholdWarning[] = [];
  for (const symbol of Object.keys(liveParams).sort()) {
    const t = liveParams[symbol].zScoreThreshold * factor;
    if (t < maxAbsZ) continue;
    out.push({
      symbol,
      zScoreThreshold: t,
      coins: n,
      maxAbsZ,
      message: `${symbol}: zScoreThreshold ${factor === 1 ? t : `${liveParams[symbol].zScoreThreshold} (× ${factor.toFixed(3)} = ${t.toFixed(3)})`} can never fire with ${n} coins (|z| ≤ √(n−1) = ${maxAbsZ.toFixed(3)}); ` +
        `lower it below ${maxAbsZ.toFixed(3)} or rate more coins`,
    });
  }
  return out;
}

/**
 * How a parameter set's `zScoreThreshold` is read (config `rating.zScoreScale`):
 * - `absolute`: as written;
 * - `sqrtN`: × √(n − 1)/√13 for n rated coins. A population z over n values is bounded by
 *   |z| ≤ (n − 1)/√n ≈ √(n − 1), so the same extremity ranks at a height proportional to √(n − 1);
 *   the factor is 1 at the 14 coins the thresholds were written for, and a threshold of 2 becomes
 *   2 × √4/√13 = 1.11 on 5 coins — reachable there, where an absolute 2 (above the 1.79 bound) never is.
 */
export type ZScoreScale = 'absolute' | 'sqrtN';

/** The factor `zScoreScale` applies to thresholds with `n` rated coins. */
export function zScoreFactor(scale: ZScoreScale, n: number): number {
  return scale === 'sqrtN' ? Math.sqrt(Math.max(0, n - 1)) / Math.sqrt(13) : 1;
}
