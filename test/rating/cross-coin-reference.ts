// The cross-coin ratings as they were before the allocation-free rewrite (commit fca66cd), kept
// verbatim as the reference test/rating/cross-coin-into.test.ts holds the new code to, bit for bit.
import { rate, type Game, type Rating } from '../../src/rating/glicko2.js';
import { crossCoinZ, type CrossCoinOptions, type RatingsState } from '../../src/rating/cross-coin.js';

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
export class CrossCoinRatingsReference {
  readonly n: number;
  readonly #opts: CrossCoinOptions;
  readonly #ratings: Rating[];
  readonly #prevClose: Float64Array;
  readonly #prevVolume: Float64Array;
  readonly #close: Float64Array;
  readonly #volume: Float64Array;
  readonly #played: Uint8Array;
  readonly #returns: RollingMean[];
  readonly #maZ: RollingMean[];
  readonly #z: Float64Array;
  readonly #r: Float64Array;
  readonly #game: Game = { rating: 0, rd: 0, score: 0 };
  readonly #games: Game[] = [this.#game];
  #recorded = 0;
  /** Close time (ms UTC) of the last completed interval, or -1. */
  lastStepTime = -1;
  /** Intervals stepped so far. */
  steps = 0;

  constructor(readonly coins: readonly string[], opts: CrossCoinOptions) {
    this.n = coins.length;
    this.#opts = opts;
    this.#ratings = coins.map(() => ({ ...opts.initial }));
    this.#prevClose = new Float64Array(this.n).fill(NaN);
    this.#prevVolume = new Float64Array(this.n).fill(NaN);
    this.#close = new Float64Array(this.n);
    this.#volume = new Float64Array(this.n);
    this.#played = new Uint8Array(this.n);
    this.#returns = coins.map(() => new RollingMean(opts.returnWindow));
    this.#maZ = coins.map((_, i) => new RollingMean(opts.maLength(i)));
    this.#z = new Float64Array(this.n);
    this.#r = new Float64Array(this.n);
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
        this.#ratings[i] = rate(this.#ratings[i], [], o.tau);
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
      this.#game.rating = 1500 + 1000 * sigmaRet + volumeTerm;
      this.#game.rd = o.opponentRd;
      this.#game.score = score;
      this.#ratings[i] = rate(this.#ratings[i], this.#games, o.tau);
    }
    for (let i = 0; i < this.n; i++) this.#r[i] = this.#ratings[i].rating;
    crossCoinZ(this.#r, this.#z);
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
      rating: this.#ratings.map((r) => r.rating),
      rd: this.#ratings.map((r) => r.rd),
      volatility: this.#ratings.map((r) => r.volatility),
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
      this.#ratings[i] = { rating: s.rating[i], rd: s.rd[i], volatility: s.volatility[i] };
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

  rating(i: number): Rating {
    return this.#ratings[i];
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
