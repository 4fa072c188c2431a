import { EMA } from 'trading-signals';

/**
 * Exponential moving average, α = 2 / (n + 1), seeded with the first value (trading-signals'
 * EMA). `ready` once n values have been seen. Counts itself instead of asking `isStable`, which
 * throws and catches an error on every warm-up call.
 */
export class Ema {
  readonly #ema: EMA;
  #count = 0;
  #t = NaN;
  /** Last result (NaN before the first update). */
  value = NaN;

  constructor(readonly period: number) {
    this.#ema = new EMA(period);
  }

  update(x: number): number {
    this.#count++;
    return (this.value = this.#ema.update(x, false));
  }

  /** `update` once per candle close time `t` (ms UTC): rules sharing this EMA may all call it. */
  at(t: number, x: number): number {
    if (t !== this.#t) {
      this.#t = t;
      this.update(x);
    }
    return this.value;
  }

  get ready(): boolean {
    return this.#count >= this.period;
  }
}
