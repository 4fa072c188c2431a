import type { Candle } from '../core/candle.js';
import type { Timeframe } from '../core/timeframe.js';
import type { CandleSink } from './pipeline.js';

/** Where a chart gets its candles: the last `n` closed candles of one instrument and timeframe. */
export interface ChartCandles {
  /**
   * Up to `n` of the most recent closed candles of `symbol` on `tf`, oldest first (fewer when
   * fewer have closed; empty for an unknown pair). Fresh objects: the caller may keep them.
   */
  last(symbol: string, tf: Timeframe, n: number): Candle[];
}

/** Fields kept per candle, in slot order. `takerBuyVolume` is not kept: charts do not draw it. */
const STRIDE = 7;
const OPEN_TIME = 0;
const CLOSE_TIME = 1;
const OPEN = 2;
const HIGH = 3;
const LOW = 4;
const CLOSE = 5;
const VOLUME = 6;

/** A fixed-size ring of candles in one Float64Array (one allocation per pair, none per candle). */
class Ring {
  readonly #buf: Float64Array;
  /** Slot the next candle goes into. */
  #head = 0;
  #size = 0;
  lastOpenTime = -Infinity;

  constructor(readonly capacity: number) {
    this.#buf = new Float64Array(capacity * STRIDE);
  }

  get size(): number {
    return this.#size;
  }

  push(c: Candle): void {
    const b = this.#buf;
    const o = this.#head * STRIDE;
    b[o + OPEN_TIME] = c.openTime;
    b[o + CLOSE_TIME] = c.closeTime;
    b[o + OPEN] = c.open;
    b[o + HIGH] = c.high;
    b[o + LOW] = c.low;
    b[o + CLOSE] = c.close;
    b[o + VOLUME] = c.volume;
    this.#head = (this.#head + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
    this.lastOpenTime = c.openTime;
  }

  last(n: number): Candle[] {
    const k = Math.max(0, Math.min(Math.floor(n), this.#size));
    const out: Candle[] = new Array(k);
    const b = this.#buf;
    // Oldest wanted slot: k slots back from the head, wrapping.
    let slot = (this.#head - k + this.capacity) % this.capacity;
    for (let i = 0; i < k; i++) {
      const o = slot * STRIDE;
      out[i] = {
        openTime: b[o + OPEN_TIME], closeTime: b[o + CLOSE_TIME], open: b[o + OPEN], high: b[o + HIGH],
        low: b[o + LOW], close: b[o + CLOSE], volume: b[o + VOLUME],
      };
      slot = (slot + 1) % this.capacity;
    }
    return out;
  }
}

/**
 * The last `capacity` closed candles per (symbol, timeframe), for chart images (issue #10).
 * Plug it in as (or beside) the pipeline's {@link CandleSink}: it copies each candle's numbers
 * into a typed-array ring, so feeds may reuse their candle objects and a long run allocates
 * nothing per candle. Append-only: a candle that does not open after the last one kept for its
 * pair (a re-delivered or out-of-order close) is ignored — the pipeline already drops those, this
 * only keeps the ring sorted if a caller feeds it directly.
 */
export class CandleHistory implements CandleSink, ChartCandles {
  readonly #rings = new Map<string, Map<Timeframe, Ring>>();
  readonly #timeframes: ReadonlySet<Timeframe> | undefined;

  /**
   * @param capacity candles kept per pair (default 120: a 100-candle chart with room to spare)
   * @param timeframes keep only these timeframes (default: every timeframe the sink receives)
   */
  constructor(readonly capacity = 120, timeframes?: readonly Timeframe[]) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`CandleHistory capacity must be a positive integer, got ${capacity}`);
    this.#timeframes = timeframes ? new Set(timeframes) : undefined;
  }

  onCandle(symbol: string, tf: Timeframe, candle: Candle): void {
    if (this.#timeframes && !this.#timeframes.has(tf)) return;
    let bySymbol = this.#rings.get(symbol);
    if (!bySymbol) this.#rings.set(symbol, (bySymbol = new Map()));
    let ring = bySymbol.get(tf);
    if (!ring) bySymbol.set(tf, (ring = new Ring(this.capacity)));
    if (candle.openTime <= ring.lastOpenTime) return;
    ring.push(candle);
  }

  last(symbol: string, tf: Timeframe, n: number): Candle[] {
    return this.#rings.get(symbol)?.get(tf)?.last(n) ?? [];
  }

  /**
   * A sink that records each candle here and then passes it on to `next` (the engine): plug it in
   * as the pipeline's sink, `new CandlePipeline(base, tfs, history.sinkBefore(engine))`, so a card
   * made on a close already finds its signal candle in the history.
   */
  sinkBefore(next: CandleSink): CandleSink {
    return {
      onCandle: (symbol, tf, candle, instrument) => {
        this.onCandle(symbol, tf, candle);
        // The pipeline's instrument id goes on, so the engine keeps indexing arrays instead of looking symbols up.
        next.onCandle(symbol, tf, candle, instrument);
      },
    };
  }

  /** How many candles are kept for the pair (at most `capacity`). */
  size(symbol: string, tf: Timeframe): number {
    return this.#rings.get(symbol)?.get(tf)?.size ?? 0;
  }
}
