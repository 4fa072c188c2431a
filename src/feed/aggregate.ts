import type { Candle } from '../core/candle.js';
import { bucketOpen, timeframeMs, type Timeframe } from '../core/timeframe.js';

interface Bucket {
  tf: Timeframe;
  ms: number;
  active: boolean;
  candle: Candle;
}

/**
 * Builds higher-timeframe candles from one instrument's base candles (e.g. 1m → 2m/5m/15m/30m/1h,
 * or 5m → 15m/30m/1h), as Binance does: open of the first, max high, min low, close of the last,
 * summed volume. A higher candle closes when its last base candle closes; if that base candle is
 * missing (an exchange gap), it closes when the first base candle of a later bucket arrives.
 *
 * Emitted candles are owned by the aggregator and reused; copy them to keep them.
 */
export class TimeframeAggregator {
  readonly #buckets: Bucket[];

  /**
   * @param base the timeframe of the candles fed in
   * @param targets higher timeframes to build; each must be a multiple of `base`
   * @throws RangeError if a target is not a multiple of the base
   */
  constructor(readonly base: Timeframe, targets: readonly Timeframe[]) {
    const baseMs = timeframeMs(base);
    this.#buckets = targets
      .filter((tf) => tf !== base)
      .map((tf) => {
        const ms = timeframeMs(tf);
        if (ms % baseMs !== 0 || ms < baseMs) throw new RangeError(`cannot build ${tf} from ${base} candles`);
        return { tf, ms, active: false, candle: { openTime: 0, closeTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 } };
      })
      .sort((a, b) => a.ms - b.ms);
  }

  /** Timeframes this aggregator builds, shortest first. */
  get targets(): Timeframe[] {
    return this.#buckets.map((b) => b.tf);
  }

  /**
   * Adds one closed base candle (open times strictly increasing) and calls `emit` for each
   * higher candle that closes, shortest timeframe first.
   */
  push(c: Candle, emit: (tf: Timeframe, candle: Candle) => void): void {
    const buckets = this.#buckets;
    const t = c.openTime;
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i];
      const k = b.candle;
      // The open bucket's bounds [openTime, closeTime) are kept, so the usual case (the candle falls
      // in it) is two comparisons; the bucket grid (a modulo) is computed only when a bucket starts.
      if (b.active && (t < k.openTime || t >= k.closeTime)) {
        // A gap swallowed the bucket's last base candle: close what we have.
        b.active = false;
        emit(b.tf, k);
      }
      if (!b.active) {
        const open = bucketOpen(t, b.tf);
        b.active = true;
        k.openTime = open;
        k.closeTime = open + b.ms;
        k.open = c.open;
        k.high = c.high;
        k.low = c.low;
        k.volume = 0;
        k.takerBuyVolume = c.takerBuyVolume === undefined ? undefined : 0;
      }
      if (c.high > k.high) k.high = c.high;
      if (c.low < k.low) k.low = c.low;
      k.close = c.close;
      k.volume += c.volume;
      if (k.takerBuyVolume !== undefined && c.takerBuyVolume !== undefined) k.takerBuyVolume += c.takerBuyVolume;
      if (c.closeTime >= k.closeTime) {
        b.active = false;
        emit(b.tf, k);
      }
    }
  }
}
