import { Ring } from './ring.js';

/**
 * Highest value of the last `n` updates (`value`) and of the `n` before the newest one
 * (`prior`, e.g. the channel a breakout candle breaks out of). O(n) per update; shared through
 * an IndicatorBank it runs once per candle whatever the number of rules reading it.
 */
export class RollingMax {
  readonly #ring: Ring;
  #t = NaN;
  value = NaN;
  prior = NaN;

  constructor(readonly n: number) {
    if (!(n >= 1)) throw new RangeError(`rolling max length must be ≥ 1, got ${n}`);
    this.#ring = new Ring(n + 1);
  }

  update(x: number): number {
    const r = this.#ring;
    const n = this.n;
    r.push(x);
    // m = max of the n − 1 values before the newest: shared by both windows.
    let m = -Infinity;
    for (let k = 1; k < n && k < r.count; k++) if (r.ago(k) > m) m = r.ago(k);
    this.value = r.count >= n ? Math.max(x, m) : NaN;
    this.prior = r.count > n ? Math.max(m, r.ago(n)) : NaN;
    return this.value;
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
    return !Number.isNaN(this.prior);
  }
}
