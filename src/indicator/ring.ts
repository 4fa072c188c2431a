/** Fixed-size ring of numbers; `ago(0)` is the newest value. No allocation after construction. */
export class Ring {
  readonly #buf: Float64Array;
  #next = 0;
  #count = 0;
  #t = NaN;

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`ring size must be ≥ 1, got ${size}`);
    this.#buf = new Float64Array(size);
  }

  push(x: number): void {
    this.#buf[this.#next] = x;
    this.#next = (this.#next + 1) % this.size;
    if (this.#count < this.size) this.#count++;
  }

  /** `push` once per candle close time `t` (ms UTC). */
  pushAt(t: number, x: number): void {
    if (t !== this.#t) {
      this.#t = t;
      this.push(x);
    }
  }

  /** Values held (≤ size). */
  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count === this.size;
  }

  /** The value pushed `k` pushes ago (0 = newest); k must be < count. */
  ago(k: number): number {
    return this.#buf[(this.#next - 1 - k + 2 * this.size) % this.size];
  }
}
