/** Clock port. Replay and backtest advance it from candle close times; live reads wall time. */
export interface Clock {
  /** Current time, ms UTC. */
  now(): number;
}

/** Wall clock for paper and live modes. */
export const systemClock: Clock = { now: () => Date.now() };

/** Clock driven by the feed: set to each candle's close time as it is processed. */
export class ReplayClock implements Clock {
  #t: number;
  constructor(start = 0) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  /** Moves time forward; never backwards. */
  advance(t: number): void {
    if (t > this.#t) this.#t = t;
  }
}
