import { RMA, RSI } from 'trading-signals';

/**
 * Wilder's RSI (0..100) over closes: 100 − 100 / (1 + avgGain / avgLoss), with gains and losses
 * smoothed by trading-signals' RMA (α = 1/n, the recursive form of Wilder's smoothing; O(1) per
 * update, unlike the SMA-seeded WSMA which re-averages its window every bar). The two seeds
 * differ only during warm-up.
 */
export class Rsi {
  readonly #rsi: RSI;
  /** Last result (NaN until ready). */
  value = NaN;
  #t = NaN;

  constructor(readonly period: number) {
    this.#rsi = new RSI(period, RMA);
  }

  update(close: number): number {
    const r = this.#rsi.update(close, false);
    return (this.value = r ?? NaN);
  }

  /** `update` once per candle close time `t` (ms UTC). */
  at(t: number, close: number): number {
    if (t !== this.#t) {
      this.#t = t;
      this.update(close);
    }
    return this.value;
  }

  get ready(): boolean {
    return !Number.isNaN(this.value);
  }
}
