import { ATR, RMA } from 'trading-signals';

interface Hlc {
  high: number;
  low: number;
  close: number;
}

/**
 * Average true range (quote currency) with Wilder's smoothing as trading-signals' RMA
 * (α = 1/n). trading-signals' TR keeps a reference to the previous candle, and feeds reuse
 * their candle objects, so each update copies into one of two owned objects (ping-pong):
 * the previous one stays intact and nothing is allocated per bar.
 */
export class Atr {
  readonly #atr: ATR;
  readonly #buf: [Hlc, Hlc] = [{ high: 0, low: 0, close: 0 }, { high: 0, low: 0, close: 0 }];
  #flip = 0;
  /** Last result (NaN until ready). */
  value = NaN;
  #t = NaN;

  constructor(readonly period: number) {
    this.#atr = new ATR(period, RMA);
  }

  update(high: number, low: number, close: number): number {
    const b = this.#buf[this.#flip];
    this.#flip ^= 1;
    b.high = high;
    b.low = low;
    b.close = close;
    const r = this.#atr.update(b, false);
    return (this.value = r ?? NaN);
  }

  /** `update` once per candle close time `t` (ms UTC). */
  at(t: number, high: number, low: number, close: number): number {
    if (t !== this.#t) {
      this.#t = t;
      this.update(high, low, close);
    }
    return this.value;
  }

  get ready(): boolean {
    return !Number.isNaN(this.value);
  }
}
