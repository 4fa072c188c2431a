/**
 * Indicators shared by the rules of one (instrument, timeframe). Rules ask for them by a key that
 * names the indicator and its parameters (`ema:200`); equal keys get one instance. Each
 * indicator updates once per candle close time (its `at` method), whichever rule calls first, so
 * twelve parameter sets of one rule cost one RSI, not twelve — in the backtest and in the bot.
 */
export class IndicatorBank {
  readonly #items = new Map<string, unknown>();

  /** The instance for `key`, made by `make` the first time. */
  get<T>(key: string, make: () => T): T {
    let x = this.#items.get(key) as T | undefined;
    if (x === undefined) {
      x = make();
      this.#items.set(key, x);
    }
    return x;
  }

  get size(): number {
    return this.#items.size;
  }
}

/** Banks by instrument and timeframe. */
export class BankSet {
  readonly #banks = new Map<string, IndicatorBank>();

  for(symbol: string, timeframe: string): IndicatorBank {
    const key = `${symbol}|${timeframe}`;
    let b = this.#banks.get(key);
    if (!b) this.#banks.set(key, (b = new IndicatorBank()));
    return b;
  }
}
