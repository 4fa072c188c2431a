import type { CandleSeries } from '../../../src/feed/csv.js';
import { timeframeMs } from '../../../src/core/timeframe.js';

/** Trading rules the fake publishes for one symbol (strings, as Binance sends them). */
export interface FakeMarketRules {
  tickSize: string;
  stepSize: string;
  minNotional: string;
}

/** OHLCV of one candle as the fake reports it at some instant (possibly still forming). */
export interface KlineValues {
  openTime: number;
  /** Binance close time: open + interval − 1 ms. */
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** False while the candle is still forming at the instant asked about. */
  closed: boolean;
}

/**
 * One symbol's market as the fake sees it: real candles from a {@link CandleSeries} plus the
 * trading rules. Answers "what did this candle look like at instant t" so REST and WS agree.
 */
export class FakeMarket {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly intervalMs: number;
  readonly rules: FakeMarketRules;

  constructor(readonly series: CandleSeries, quote = 'USDT', rules?: Partial<FakeMarketRules>) {
    this.symbol = series.symbol;
    this.quoteAsset = quote;
    this.baseAsset = series.symbol.endsWith(quote) ? series.symbol.slice(0, -quote.length) : series.symbol;
    this.intervalMs = timeframeMs(series.timeframe);
    this.rules = { ...defaultRules(series), ...rules };
  }

  /** Index of the first candle with open time ≥ t (series length if none). */
  lowerBound(t: number): number {
    const ot = this.series.openTime;
    let lo = 0;
    let hi = this.series.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ot[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the candle opening exactly at `openTime`, or -1 (exchange gap or outside the data). */
  indexOf(openTime: number): number {
    const i = this.lowerBound(openTime);
    return i < this.series.length && this.series.openTime[i] === openTime ? i : -1;
  }

  /**
   * Candle `i` as it looked at instant `now` (ms UTC). Before its close it is partially formed:
   * the close moves linearly from open towards the final close and volume grows with elapsed
   * time, so every partial candle is valid (high ≥ max(open, close), low ≤ min(open, close))
   * and differs from the final one.
   */
  valuesAt(i: number, now: number): KlineValues {
    const s = this.series;
    const openTime = s.openTime[i];
    const f = Math.min(1, Math.max(0, (now - openTime) / this.intervalMs));
    const base = { openTime, closeTime: openTime + this.intervalMs - 1 };
    if (f >= 1) {
      return { ...base, open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i], closed: true };
    }
    const open = s.open[i];
    const close = open + (s.close[i] - open) * f;
    return { ...base, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: s.volume[i] * f, closed: false };
  }

  /** Last traded price at `now`: the close of the latest candle that has started (NaN before the data). */
  priceAt(now: number): number {
    const i = this.lowerBound(now + 1) - 1;
    return i < 0 ? NaN : this.valuesAt(i, now).close;
  }

  /** Rounds a price to the tick size and formats it as Binance does (fixed decimals). */
  formatPrice(p: number): string {
    return p.toFixed(decimals(this.rules.tickSize));
  }
}

/**
 * Binance's number format for klines: 8 fixed decimals. The bundled data has at most 7, so
 * closed candles round-trip exactly to the numbers in the CSV files.
 */
export function fmt8(x: number): string {
  return x.toFixed(8);
}

function decimals(step: string): number {
  const dot = step.indexOf('.');
  return dot < 0 ? 0 : step.replace(/0+$/, '').length - dot - 1;
}

/** Tick size from the decimals the data uses; step size so that one step is worth about a cent. */
function defaultRules(s: CandleSeries): FakeMarketRules {
  let d = 0;
  let price = 0;
  for (let i = 0; i < Math.min(s.length, 500); i++) {
    for (const x of [s.open[i], s.high[i], s.low[i], s.close[i]]) {
      const str = String(x);
      const dot = str.indexOf('.');
      if (dot >= 0) d = Math.max(d, str.length - dot - 1);
    }
    price = s.close[i];
  }
  d = Math.min(d, 8);
  const stepExp = Math.min(0, Math.max(-8, Math.floor(Math.log10(1 / Math.max(price, 1e-8)))));
  return {
    tickSize: (10 ** -d).toFixed(Math.max(d, 2)),
    stepSize: (10 ** stepExp).toFixed(Math.max(-stepExp, 2)),
    minNotional: '10.00000000',
  };
}
