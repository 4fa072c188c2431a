/**
 * Cross-coin step (500 coins: every coin plays its market game, then z and MA-z) with the
 * allocation-free ratings vs the pre-rewrite implementation (test/rating/cross-coin-reference.ts),
 * alternated in one process; and single-game Glicko-2 rateOneInto vs rate().
 * Goal: ≤ 150 µs per 500-coin step.
 */
import { CrossCoinRatings, type CrossCoinOptions } from '../src/rating/cross-coin.js';
import { rate, rateOneInto } from '../src/rating/glicko2.js';
import { CrossCoinRatingsReference } from '../test/rating/cross-coin-reference.js';
import { median, report, round } from './common.js';

const COINS = 500;
const STEPS = 2000;
const opts: CrossCoinOptions = {
  tau: 0.5, opponentRd: 100, drawThreshold: 0.001, scoreScale: 50, returnWindow: 20,
  initial: { rating: 1500, rd: 350, volatility: 0.06 }, maLength: () => 50,
};
const symbols = Array.from({ length: COINS }, (_, i) => `C${i}USDT`);
// Deterministic pseudo-random walks (an LCG), the same for both implementations.
const closes = new Float64Array(COINS * (STEPS + 1));
const volumes = new Float64Array(COINS * (STEPS + 1));
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (let i = 0; i < COINS; i++) {
  let p = 100;
  for (let k = 0; k <= STEPS; k++) {
    p *= 1 + (rnd() - 0.5) * 0.01;
    closes[k * COINS + i] = p;
    volumes[k * COINS + i] = 1000 * (0.5 + rnd());
  }
}

function steps(r: { record(i: number, c: number, v: number): void; step(t: number): void }): number {
  for (let k = 0; k <= STEPS; k++) {
    for (let i = 0; i < COINS; i++) r.record(i, closes[k * COINS + i], volumes[k * COINS + i]);
    r.step(k);
  }
  return STEPS + 1;
}

const now: number[] = [];
const old: number[] = [];
for (let round = 0; round < 5; round++) {
  let t0 = performance.now();
  steps(new CrossCoinRatings(symbols, opts));
  now.push(((performance.now() - t0) * 1000) / (STEPS + 1));
  t0 = performance.now();
  steps(new CrossCoinRatingsReference(symbols, opts));
  old.push(((performance.now() - t0) * 1000) / (STEPS + 1));
}
const us = median(now);
report('cross-coin-step-500', { coins: COINS, microsPerStep: round(us, 1), referenceMicrosPerStep: round(median(old), 1), speedup: round(median(old) / us) }, '≤ 150 µs per step at 500 coins', us <= 150);

// Single-game Glicko-2: the market game of every coin every interval.
const N = 1_000_000;
const col = { rating: new Float64Array(1), rd: new Float64Array(1), volatility: new Float64Array(1) };
const into: number[] = [];
const ref: number[] = [];
let check = 0;
let identical = true;
for (let j = 0; j < 256; j++) {
  col.rating[0] = 1500; col.rd[0] = 200; col.volatility[0] = 0.06;
  rateOneInto(col, 0, 1400 + j, 30, 1, 0.5);
  identical &&= col.rating[0] === rate({ rating: 1500, rd: 200, volatility: 0.06 }, [{ rating: 1400 + j, rd: 30, score: 1 }], 0.5).rating;
}
for (let round = 0; round < 5; round++) {
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    col.rating[0] = 1500; col.rd[0] = 200; col.volatility[0] = 0.06;
    rateOneInto(col, 0, 1400 + (i & 255), 30, 1, 0.5);
    check += col.rating[0];
  }
  into.push(performance.now() - t0);
  t0 = performance.now();
  const player = { rating: 1500, rd: 200, volatility: 0.06 };
  for (let i = 0; i < N; i++) check -= rate(player, [{ rating: 1400 + (i & 255), rd: 30, score: 1 }], 0.5).rating;
  ref.push(performance.now() - t0);
}
report('glicko-rate', {
  rateOneIntoPerSecond: Math.round(N / (median(into) / 1000)), ratePerSecond: Math.round(N / (median(ref) / 1000)), speedup: round(median(ref) / median(into)),
  identical, check: round(check, 3),
}, 'rateOneInto faster than rate() and identical', median(into) < median(ref) && identical);
