import type { TradeRecord } from './stats.js';

/**
 * Anchored walk-forward over [from, to) (ms UTC): split points s_0 < s_1 < … < s_n = to. Fold k
 * chooses parameters on the trades that closed before s_k (in-sample, anchored at `from`) and
 * judges that choice on the trades opened in [s_k, s_(k+1)) — data the choice never saw. The
 * out-of-sample record of a signal is the folds' test trades stitched together; the parameters
 * it goes live with are the last fold's choice, made on [from, s_(n−1)).
 */
export interface WalkForwardPlan {
  from: number;
  to: number;
  splits: number[];
}

const HOUR_MS = 3_600_000;

/**
 * Plans `folds` equal test segments over the part of [from, to) after the first
 * `inSampleFraction` (0..1). Split points are floored to `alignMs` (1 h) so they fall on a
 * candle boundary of every scanned timeframe.
 * @throws RangeError on a fraction outside (0, 1), folds < 1, or a window too short to split
 */
export function planWalkForward(from: number, to: number, inSampleFraction: number, folds: number, alignMs = HOUR_MS): WalkForwardPlan {
  if (!(inSampleFraction > 0 && inSampleFraction < 1)) throw new RangeError(`in-sample fraction must be in (0, 1), got ${inSampleFraction}`);
  if (!(Number.isInteger(folds) && folds >= 1)) throw new RangeError(`folds must be a positive integer, got ${folds}`);
  const first = from + (to - from) * inSampleFraction;
  const splits: number[] = [];
  for (let k = 0; k < folds; k++) splits.push(Math.floor((first + ((to - first) * k) / folds) / alignMs) * alignMs);
  splits.push(to);
  for (let k = 0; k < splits.length; k++) {
    if (!(splits[k] > (k ? splits[k - 1] : from))) throw new RangeError(`window [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) is too short for ${folds} folds`);
  }
  return { from, to, splits };
}

/** Trades that closed by `splitAt` — what a choice at `splitAt` may look at. */
export function closedBy(trades: readonly TradeRecord[], splitAt: number): TradeRecord[] {
  return trades.filter((t) => t.exitTime <= splitAt);
}

/** Trades opened in [a, b). */
export function openedIn(trades: readonly TradeRecord[], a: number, b: number): TradeRecord[] {
  return trades.filter((t) => t.entryTime >= a && t.entryTime < b);
}
