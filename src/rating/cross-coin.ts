import { idleInto, rateOneInto, type Rating, type RatingColumns } from './glicko2.js';

/** Parameters of the market game each coin plays per rating interval (SPEC §4, seed 000). */
export interface CrossCoinOptions {
  /** Glicko-2 τ. */
  tau: number;
  /** RD of the market opponent. */
  opponentRd: number;
  /** |return| below this (a fraction, 0.001 = 0.1 %) is a draw. */
  drawThreshold: number;
  /** score = clamp(0.5 + scoreScale · return, 0, 1). */
  scoreScale: number;
  /** Number of recent returns whose stdev sets the opponent's strength. */
  returnWindow: number;
  /** Start rating for every coin. */
  initial: Rating;
  /** Per coin: how many z values the moving average takes (MA-z). */
  maLength: (coinIndex: number) => number;
}

/**
 * Cross-coin z-scores: z_i = (r_i − mean) / stdev with the population stdev over all coins;
 * every z is 0 when the stdev is 0. Writes into `out` (same length) and returns it.
 */
export function crossCoinZ(ratings: ArrayLike<number>, out: Float64Array): Float64Array {
  const n = ratings.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ratings[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (ratings[i] - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  for (let i = 0; i < n; i++) out[i] = sd > 0 ? (ratings[i] - mean) / sd : 0;
  return out;
}

/** The exact state of {@link CrossCoinRatings} after a step, as plain numbers (NaN as null). */
export interface RatingsState {
  lastStepTime: number;
  steps: number;
  rating: number[];
  rd: number[];
  volatility: number[];
  prevClose: (number | null)[];
  prevVolume: (number | null)[];
  /** Per coin: [index, count, running sum, ...ring buffer] of its recent returns. */
  returns: number[][];
  /** Per coin: the same for its z history (MA-z). */
  maZ: number[][];
  z: number[];
}

/** Ring buffer with a running sum, for O(1) moving averages. */
class RollingMean {
  readonly #buf: Float64Array;
  #i = 0;
  #n = 0;
  #sum = 0;
  constructor(readonly size: number) {
    this.#buf = new Float64Array(Math.max(1, size));
  }
  push(x: number): void {
    if (this.#n === this.#buf.length) this.#sum -= this.#buf[this.#i];
    else this.#n++;
    this.#buf[this.#i] = x;
    this.#sum += x;
    this.#i = (this.#i + 1) % this.#buf.length;
  }
  get count(): number {
    return this.#n;
  }
  get full(): boolean {
    return this.#n === this.#buf.length;
  }
  get mean(): number {
    return this.#n === 0 ? 0 : this.#sum / this.#n;
  }
  /** Exact state as numbers: [index, count, running sum, ...buffer] (the sum is kept, not re-added, so a restore is bit-identical). */
  dump(): number[] {
    return [this.#i, this.#n, this.#sum, ...this.#buf];
  }
  /** Restores {@link dump}; returns false (and changes nothing) if the size differs. */
  load(d: readonly number[]): boolean {
    if (d.length !== 3 + this.#buf.length) return false;
    this.#i = d[0];
    this.#n = d[1];
    this.#sum = d[2];
    this.#buf.set(d.slice(3));
    return true;
  }
  /** Population standard deviation of the values held. */
  stdev(): number {
    const n = this.#n;
    if (n < 2) return 0;
    const m = this.#sum / n;
    let s = 0;
    for (let k = 0; k < n; k++) s += (this.#buf[k] - m) ** 2;
    return Math.sqrt(s / n);
  }
}

/**
 * Cross-coin Glicko-2 ratings and z-scores (SPEC §4). Every rating interval each coin plays one
 * game against "the market": its score comes from its return, the opponent's rating from its
 * recent volatility and volume change. Ratings carry over between intervals. After the games,
 * z = (r − mean) / population stdev across all coins (0 when stdev is 0), and each coin keeps a
 * moving average of its z (MA-z).
 *
 * Usage per interval: `record()` each coin whose candle closed, then `step()` once.
 * Coins not recorded in an interval play no game (their RD grows).
 */
export class CrossCoinRatings {
  readonly n: number;
  readonly #opts: CrossCoinOptions;
  /** Every coin's rating, RD and volatility, column-wise: rated in place, nothing allocated per step. */
  readonly #ratings: RatingColumns;
  readonly #prevClose: Float64Array;
  readonly #prevVolume: Float64Array;
  readonly #close: Float64Array;
  readonly #volume: Float64Array;
  readonly #played: Uint8Array;
  readonly #returns: RollingMean[];
  readonly #maZ: RollingMean[];
  readonly #z: Float64Array;
  #recorded = 0;
  /** Close time (ms UTC) of the last completed interval, or -1. */
  lastStepTime = -1;
  /** Intervals stepped so far. */
  steps = 0;

  constructor(readonly coins: readonly string[], opts: CrossCoinOptions) {
    this.n = coins.length;
    this.#opts = opts;
    this.#ratings = {
      rating: new Float64Array(this.n).fill(opts.initial.rating),
      rd: new Float64Array(this.n).fill(opts.initial.rd),
      volatility: new Float64Array(this.n).fill(opts.initial.volatility),
    };
    this.#prevClose = new Float64Array(this.n).fill(NaN);
    this.#prevVolume = new Float64Array(this.n).fill(NaN);
    this.#close = new Float64Array(this.n);
    this.#volume = new Float64Array(this.n);
    this.#played = new Uint8Array(this.n);
    this.#returns = coins.map(() => new RollingMean(opts.returnWindow));
    this.#maZ = coins.map((_, i) => new RollingMean(opts.maLength(i)));
    this.#z = new Float64Array(this.n);
  }

  /** Records coin `i`'s closed candle of the current interval. A second record in one interval overwrites the first. */
  record(i: number, close: number, volume: number): void {
    if (!this.#played[i]) this.#recorded++;
    this.#played[i] = 1;
    this.#close[i] = close;
    this.#volume[i] = volume;
  }

  /** Number of coins recorded in the current interval. */
  get recorded(): number {
    return this.#recorded;
  }

  /** Plays the interval's games, recomputes z and MA-z for every coin. `closeTime` is the interval's close (ms UTC). */
  step(closeTime: number): void {
    const o = this.#opts;
    for (let i = 0; i < this.n; i++) {
      if (!this.#played[i]) {
        idleInto(this.#ratings, i);
        continue;
      }
      const close = this.#close[i];
      const volume = this.#volume[i];
      const prevClose = this.#prevClose[i];
      const prevVolume = this.#prevVolume[i];
      this.#prevClose[i] = close;
      this.#prevVolume[i] = volume;
      // The first candle of a coin only sets its reference price: a return needs two closes.
      if (!(prevClose > 0)) continue;
      const ret = close / prevClose - 1;
      const sigmaRet = this.#returns[i].stdev();
      this.#returns[i].push(ret);
      const score = Math.abs(ret) < o.drawThreshold ? 0.5 : Math.min(1, Math.max(0, 0.5 + o.scoreScale * ret));
      const volumeTerm = volume > 0 && prevVolume > 0 ? 100 * Math.log(volume / prevVolume) : 0;
      rateOneInto(this.#ratings, i, 1500 + 1000 * sigmaRet + volumeTerm, o.opponentRd, score, o.tau);
    }
    crossCoinZ(this.#ratings.rating, this.#z);
    for (let i = 0; i < this.n; i++) {
      this.#maZ[i].push(this.#z[i]);
      this.#played[i] = 0;
    }
    this.#recorded = 0;
    this.lastStepTime = closeTime;
    this.steps++;
  }

  /** The state after the last step, for the state file (see RatingsSnapshotSchema). */
  snapshot(): RatingsState {
    const nul = (x: number) => (Number.isNaN(x) ? null : x);
    return {
      lastStepTime: this.lastStepTime,
      steps: this.steps,
      rating: [...this.#ratings.rating],
      rd: [...this.#ratings.rd],
      volatility: [...this.#ratings.volatility],
      prevClose: [...this.#prevClose].map(nul),
      prevVolume: [...this.#prevVolume].map(nul),
      returns: this.#returns.map((r) => r.dump()),
      maZ: this.#maZ.map((r) => r.dump()),
      z: [...this.#z],
    };
  }

  /**
   * Continues from a {@link snapshot} taken with the same coins and options (the caller checks
   * the key). Returns false, changing nothing, when the shapes do not fit.
   */
  restore(s: RatingsState): boolean {
    const n = this.n;
    const fits = [s.rating, s.rd, s.volatility, s.prevClose, s.prevVolume, s.returns, s.maZ, s.z].every((a) => a.length === n) &&
      s.returns.every((d) => d.length === 3 + this.#opts.returnWindow) &&
      s.maZ.every((d, i) => d.length === 3 + Math.max(1, this.#opts.maLength(i)));
    if (!fits) return false;
    for (let i = 0; i < n; i++) {
      this.#ratings.rating[i] = s.rating[i];
      this.#ratings.rd[i] = s.rd[i];
      this.#ratings.volatility[i] = s.volatility[i];
      this.#prevClose[i] = s.prevClose[i] ?? NaN;
      this.#prevVolume[i] = s.prevVolume[i] ?? NaN;
      this.#returns[i].load(s.returns[i]);
      this.#maZ[i].load(s.maZ[i]);
      this.#z[i] = s.z[i];
    }
    this.lastStepTime = s.lastStepTime;
    this.steps = s.steps;
    return true;
  }

  /** Coin i's rating now (a fresh object: for cards and views, not the hot path). */
  rating(i: number): Rating {
    return { rating: this.#ratings.rating[i], rd: this.#ratings.rd[i], volatility: this.#ratings.volatility[i] };
  }
  z(i: number): number {
    return this.#z[i];
  }
  /** Moving average of coin i's z over its configured length (over fewer values until full). */
  maZ(i: number): number {
    return this.#maZ[i].mean;
  }
  /** True once coin i's MA-z window is full, i.e. the value means what the parameter set says. */
  maZStable(i: number): boolean {
    return this.#maZ[i].full;
  }
}
