import type { Candle } from '../core/candle.js';

/** Why a candle was dropped. */
export type CandleProblem =
  | 'not-finite'
  | 'non-positive-price'
  | 'bad-time'
  | 'high-below-body'
  | 'low-above-body'
  | 'negative-volume'
  | 'off-grid'
  | 'duplicate'
  | 'out-of-order';

/**
 * Latest open time accepted, ms UTC (year 2200): beyond it `new Date(t).toISOString()` in cards and
 * logs is near its limit, and no exchange has such candles.
 */
export const MAX_OPEN_TIME = Date.UTC(2200, 0, 1);

/**
 * Checks one candle's numbers (SPEC §3), the one validator of every feed (CSV replay, REST rows,
 * WebSocket frames): numbers finite, open time in [0, MAX_OPEN_TIME] and on the timeframe grid,
 * prices > 0, high ≥ max(open, close), low ≤ min(open, close), volume ≥ 0.
 * Returns the problem, or null when sound. Never throws, whatever the fields hold.
 */
export function checkCandle(c: Candle, timeframeMs: number): CandleProblem | null {
  if (
    !Number.isFinite(c.open) || !Number.isFinite(c.high) || !Number.isFinite(c.low) ||
    !Number.isFinite(c.close) || !Number.isFinite(c.volume) || !Number.isFinite(c.openTime)
  ) return 'not-finite';
  if (c.openTime < 0 || c.openTime > MAX_OPEN_TIME || !Number.isInteger(c.openTime)) return 'bad-time';
  // low > 0 with the body checks below implies open, close and high > 0 too.
  if (!(c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0)) return 'non-positive-price';
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
