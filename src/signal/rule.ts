import type { Candle } from '../core/candle.js';
import type { Timeframe } from '../core/timeframe.js';
import type { Setup } from './types.js';

/**
 * A candle-driven signal source: sees every closed candle of every (instrument, timeframe) and
 * appends the setups that fire on it to `out`. Implementations keep incremental indicator
 * state and must not look at anything but closed candles.
 */
export interface CandleRule {
  onCandle(symbol: string, timeframe: Timeframe, candle: Candle, out: Setup[]): void;
  /**
   * Closed bars of history (per timeframe) the rule needs before its setups and card context
   * equal a long replay's (src/signal/lookback.ts); the warm-up is sized from it. A rule
   * without state may omit it.
   */
  lookback?(): Lookback | Lookback[];
}

/** History a computation needs: `bars` closed candles of `timeframe` before its output is valid. */
export interface Lookback {
  timeframe: Timeframe;
  bars: number;
  /** Who asked (a signal id, `ratings`), for the start-up log. */
  source: string;
}
