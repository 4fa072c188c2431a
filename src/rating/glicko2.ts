/**
 * Glicko-2, exactly as in Mark Glickman, "Example of the Glicko-2 system" (2013/2022):
 * steps 1–8, volatility by the Illinois variant of regula falsi with ε = 1e-6.
 * Ratings are on the Glicko scale (1500 / 350); the Glicko-2 scale factor is 173.7178.
 */

/** A player's rating on the Glicko scale: rating r, rating deviation RD, volatility σ. */
export interface Rating {
  rating: number;
  rd: number;
  volatility: number;
}

/** One game of the rating period: the opponent's r and RD, and the player's score (0 loss, 0.5 draw, 1 win; fractions allowed). */
export interface Game {
  rating: number;
  rd: number;
  score: number;
}

const SCALE = 173.7178;
const EPSILON = 1e-6;
const PI2 = Math.PI * Math.PI;

function g(phi: number): number {
  return 1 / Math.sqrt(1 + (3 * phi * phi) / PI2);
}

/**
 * Rates one player over one rating period. Pure; allocates only the result. The readable reference:
 * the cross-coin hot path uses {@link rateOneInto}, tested bit-identical to it.
 * With no games, only RD grows (step 6 of the paper: φ′ = √(φ² + σ²)).
 * @param tau system constant τ, constrains volatility change (paper's example: 0.5)
 */
export function rate(player: Rating, games: readonly Game[], tau: number): Rating {
  const mu = (player.rating - 1500) / SCALE;
  const phi = player.rd / SCALE;
  const sigma = player.volatility;
  if (games.length === 0) {
    return { rating: player.rating, rd: Math.sqrt(phi * phi + sigma * sigma) * SCALE, volatility: sigma };
  }
  // Steps 3–4: estimated variance v and improvement Δ.
  let vInv = 0;
  let deltaSum = 0;
  for (const game of games) {
    const muJ = (game.rating - 1500) / SCALE;
    const gJ = g(game.rd / SCALE);
    const e = 1 / (1 + Math.exp(-gJ * (mu - muJ)));
    vInv += gJ * gJ * e * (1 - e);
    deltaSum += gJ * (game.score - e);
  }
  const v = 1 / vInv;
  const delta = v * deltaSum;
  const sigmaNew = newVolatility(phi, sigma, v, delta, tau);
  // Steps 6–8.
  const phiStar = Math.sqrt(phi * phi + sigmaNew * sigmaNew);
  const phiNew = 1 / Math.sqrt(1 / (phiStar * phiStar) + 1 / v);
  const muNew = mu + phiNew * phiNew * deltaSum;
  return { rating: muNew * SCALE + 1500, rd: phiNew * SCALE, volatility: sigmaNew };
}

/**
 * Ratings held column-wise, player i = (rating[i], rd[i], volatility[i]) on the Glicko scale —
 * what {@link rateOneInto} updates in place.
 */
export interface RatingColumns {
  rating: Float64Array;
  rd: Float64Array;
  volatility: Float64Array;
}

/**
 * The hot-path form of {@link rate} for one game (the cross-coin market game): updates player `i`
 * of `p` in place. No closure, no result object, no games array — and the very same floating-point
 * operations in the same order as `rate(player, [game], tau)`, so the results are bit-identical
 * (test/rating/cross-coin-into.test.ts).
 * @param oppRating opponent's rating, Glicko scale
 * @param oppRd opponent's RD, Glicko scale
 * @param score the player's score in [0, 1]
 * @param tau system constant τ
 */
export function rateOneInto(p: RatingColumns, i: number, oppRating: number, oppRd: number, score: number, tau: number): void {
  const mu = (p.rating[i] - 1500) / SCALE;
  const phi = p.rd[i] / SCALE;
  const sigma = p.volatility[i];
  const muJ = (oppRating - 1500) / SCALE;
  const gJ = g(oppRd / SCALE);
  const e = 1 / (1 + Math.exp(-gJ * (mu - muJ)));
  // `0 +` as rate()'s accumulators start: adding to +0 is exact, kept for the side-by-side reading.
  const vInv = 0 + gJ * gJ * e * (1 - e);
  const deltaSum = 0 + gJ * (score - e);
  const v = 1 / vInv;
  const delta = v * deltaSum;
  const sigmaNew = newVolatility(phi, sigma, v, delta, tau);
  const phiStar = Math.sqrt(phi * phi + sigmaNew * sigmaNew);
  const phiNew = 1 / Math.sqrt(1 / (phiStar * phiStar) + 1 / v);
  const muNew = mu + phiNew * phiNew * deltaSum;
  p.rating[i] = muNew * SCALE + 1500;
  p.rd[i] = phiNew * SCALE;
  p.volatility[i] = sigmaNew;
}

/** {@link rate} with no games, in place: only RD grows (φ′ = √(φ² + σ²)). Bit-identical to rate(player, [], τ). */
export function idleInto(p: RatingColumns, i: number): void {
  const phi = p.rd[i] / SCALE;
  const sigma = p.volatility[i];
  p.rd[i] = Math.sqrt(phi * phi + sigma * sigma) * SCALE;
}

/** Step 5's f(x), with its constants passed in rather than closed over (see {@link newVolatility}). */
function volatilityF(x: number, a: number, phi2: number, v: number, delta2: number, tau2: number): number {
  const ex = Math.exp(x);
  const d = phi2 + v + ex;
  return (ex * (delta2 - phi2 - v - ex)) / (2 * d * d) - (x - a) / tau2;
}

/**
 * Step 5: the new volatility σ′, solving f(x) = 0 by the Illinois algorithm (ε = 1e-6). f takes
 * its constants as arguments instead of closing over them: no closure per call on the hot path.
 */
function newVolatility(phi: number, sigma: number, v: number, delta: number, tau: number): number {
  const a = Math.log(sigma * sigma);
  const phi2 = phi * phi;
  const delta2 = delta * delta;
  const tau2 = tau * tau;
  let A = a;
  let B: number;
  if (delta2 > phi2 + v) {
    B = Math.log(delta2 - phi2 - v);
  } else {
    let k = 1;
    while (volatilityF(a - k * tau, a, phi2, v, delta2, tau2) < 0) k++;
    B = a - k * tau;
  }
  let fA = volatilityF(A, a, phi2, v, delta2, tau2);
  let fB = volatilityF(B, a, phi2, v, delta2, tau2);
  while (Math.abs(B - A) > EPSILON) {
    const C = A + ((A - B) * fA) / (fB - fA);
    const fC = volatilityF(C, a, phi2, v, delta2, tau2);
    if (fC * fB <= 0) {
      A = B;
      fA = fB;
    } else {
      fA /= 2;
    }
    B = C;
    fB = fC;
  }
  return Math.exp(A / 2);
}
