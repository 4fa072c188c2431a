import type { Candle } from '../core/candle.js';

/** Why a candle was dropped. */
export type CandleProblem =
  | 'not-finite'
  | 'high-below-body'
  | 'low-above-body'
  | 'negative-volume'
  | 'off-grid'
  | 'duplicate'
  | 'out-of-order';

/**
 * Checks one candle's numbers (SPEC §3): finite, high ≥ max(open, close), low ≤ min(open, close),
 * volume ≥ 0, and the open time on the timeframe grid. Returns the problem, or null when sound.
 */
export function checkCandle(c: Candle, timeframeMs: number): CandleProblem | null {
  if (
    !Number.isFinite(c.open) || !Number.isFinite(c.high) || !Number.isFinite(c.low) ||
    !Number.isFinite(c.close) || !Number.isFinite(c.volume) || !Number.isFinite(c.openTime)
  ) return 'not-finite';
  if (c.high < c.open || c.high < c.close) return 'high-below-body';
  if (c.low > c.open || c.low > c.close) return 'low-above-body';
  if (c.volume < 0) return 'negative-volume';
  if (c.openTime % timeframeMs !== 0) return 'off-grid';
  return null;
}

/**
 * Stateful check of one (instrument, timeframe) stream: each candle must be sound and its open
 * time strictly after the previous one. Counts what it drops and reports gaps in bars.
 */
export class StreamValidator {
  #last = -Infinity;
  /** Dropped candles by reason. */
  readonly dropped: Partial<Record<CandleProblem, number>> = {};
  /** Number of candles accepted. */
  accepted = 0;
  /** Missing bars between the last two accepted candles (0 when contiguous). */
  lastGapBars = 0;

  constructor(readonly timeframeMs: number) {}

  /** Open time of the last accepted candle, or -Infinity. */
  get lastOpenTime(): number {
    return this.#last;
  }

  /** Returns null and records the candle when it is acceptable; otherwise the problem (counted). */
  accept(c: Candle): CandleProblem | null {
    let problem = checkCandle(c, this.timeframeMs);
    if (!problem && c.openTime === this.#last) problem = 'duplicate';
    if (!problem && c.openTime < this.#last) problem = 'out-of-order';
    if (problem) {
      this.dropped[problem] = (this.dropped[problem] ?? 0) + 1;
      return problem;
    }
    this.lastGapBars = this.#last === -Infinity ? 0 : (c.openTime - this.#last) / this.timeframeMs - 1;
    this.#last = c.openTime;
    this.accepted++;
    return null;
  }

  /** Total dropped candles. */
  get droppedTotal(): number {
    let n = 0;
    for (const v of Object.values(this.dropped)) n += v ?? 0;
    return n;
  }
}
