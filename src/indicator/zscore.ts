/**
 * Rolling z-score over the last `window` values, the newest included (as pandas'
 * `(x − x.rolling(n).mean()) / x.rolling(n).std(ddof=0)`): z = (x − mean) / population stdev,
 * 0 when the stdev is 0. Running sums make an update O(1); they are recomputed from the window
 * once per `window` updates so float drift cannot build up (volumes squared reach 1e15).
 */
export class RollingZScore {
  readonly #buf: Float64Array;
  #next = 0;
  #count = 0;
  #sum = 0;
  #sumSq = 0;
  #sinceResum = 0;
  /** Last z (NaN until the window is full). */
  value = NaN;
  #t = NaN;

  constructor(readonly window: number) {
    if (!(window >= 2)) throw new RangeError(`z-score window must be ≥ 2, got ${window}`);
    this.#buf = new Float64Array(window);
  }

  update(x: number): number {
    const n = this.window;
    if (this.#count === n) {
      const old = this.#buf[this.#next];
      this.#sum -= old;
      this.#sumSq -= old * old;
    } else {
      this.#count++;
    }
    this.#buf[this.#next] = x;
    this.#next = (this.#next + 1) % n;
    this.#sum += x;
    this.#sumSq += x * x;
    if (++this.#sinceResum >= n) this.#resum();
    if (this.#count < n) return (this.value = NaN);
    const mean = this.#sum / n;
    const variance = this.#sumSq / n - mean * mean;
    const sd = variance > 0 ? Math.sqrt(variance) : 0;
    // A variance at float-noise level relative to the mean is a flat window, not a signal.
    return (this.value = sd > 1e-12 * Math.abs(mean) ? (x - mean) / sd : 0);
  }

  /** `update` once per candle close time `t` (ms UTC). */
  at(t: number, x: number): number {
    if (t !== this.#t) {
      this.#t = t;
      this.update(x);
    }
    return this.value;
  }

  get ready(): boolean {
    return this.#count === this.window;
  }

  #resum(): void {
    this.#sinceResum = 0;
    let s = 0;
    let ss = 0;
    for (let i = 0; i < this.#count; i++) {
      const v = this.#buf[i];
      s += v;
      ss += v * v;
    }
    this.#sum = s;
    this.#sumSq = ss;
  }
}
