/** Supported candle timeframes. 2m does not exist on Binance; it is aggregated from 1m. */
export const TIMEFRAMES = ['1m', '2m', '5m', '15m', '30m', '1h', '4h'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE = 60_000;
const MS: Record<Timeframe, number> = {
  '1m': MINUTE,
  '2m': 2 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
};

/** Length of one candle of `tf` in ms. */
export function timeframeMs(tf: Timeframe): number {
  return MS[tf];
}

export function isTimeframe(s: string): s is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(s);
}

/** Parses '5m' etc.; throws RangeError naming the bad value. */
export function parseTimeframe(s: string): Timeframe {
  if (!isTimeframe(s)) throw new RangeError(`unknown timeframe "${s}" (expected one of ${TIMEFRAMES.join(', ')})`);
  return s;
}

/** Open time (ms UTC) of the `tf` candle that contains instant `t`. Candles are aligned to the Unix epoch, as Binance's are. */
export function bucketOpen(t: number, tf: Timeframe): number {
  const ms = MS[tf];
  return t - (((t % ms) + ms) % ms);
}
