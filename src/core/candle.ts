import type { Timeframe } from './timeframe.js';

/**
 * One OHLCV candle. Times are ms UTC; `closeTime = openTime + timeframe length` (the instant it
 * closes, exclusive end — Binance's `k.T` is that minus 1 ms). Prices in quote currency, volume
 * in base asset. The candle's event time is its close time: nothing may act on it before then.
 */
export interface Candle {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  takerBuyVolume?: number;
}

/** A closed candle of one instrument and timeframe, as feeds deliver them. */
export interface CandleEvent {
  symbol: string;
  timeframe: Timeframe;
  candle: Candle;
}

/** Copies a candle; feeds may reuse the objects they hand out, so keep copies, not references. */
export function copyCandle(c: Candle): Candle {
  return {
    openTime: c.openTime,
    closeTime: c.closeTime,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    ...(c.takerBuyVolume === undefined ? {} : { takerBuyVolume: c.takerBuyVolume }),
  };
}
