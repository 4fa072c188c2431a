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
}
