import type { Candle } from '../core/candle.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import { TimeframeAggregator } from './aggregate.js';
import { StreamValidator, type CandleProblem } from './validate.js';

/** Receives closed candles: the base candle first, then every higher candle closing with it. */
export interface CandleSink {
  onCandle(symbol: string, tf: Timeframe, candle: Candle): void;
}

/** Feed-level observations that the owner or the logs should hear about. */
export type FeedNotice =
  | { type: 'dropped'; symbol: string; timeframe: Timeframe; problem: CandleProblem; openTime: number }
  | { type: 'gap'; symbol: string; timeframe: Timeframe; missingBars: number; fromOpenTime: number; toOpenTime: number };

/**
 * The shared tail of every feed: validate each base candle, aggregate the higher timeframes,
 * and deliver them to the sink in order. Replay, WebSocket and REST feeds all end here, so
 * every mode sees identical candles.
 */
export class CandlePipeline {
  readonly #streams = new Map<string, { validator: StreamValidator; aggregator: TimeframeAggregator }>();
  readonly #emitters = new Map<string, (tf: Timeframe, c: Candle) => void>();

  /**
   * @param base base timeframe of incoming candles (1m live, 5m for the bundled 2025 set)
   * @param timeframes all timeframes the engine wants (the base one included or not)
   * @param maxMissingBars a gap longer than this raises a `gap` notice
   */
  constructor(
    readonly base: Timeframe,
    readonly timeframes: readonly Timeframe[],
    readonly sink: CandleSink,
    readonly onNotice: (n: FeedNotice) => void = () => {},
    readonly maxMissingBars = 3,
  ) {}

  #stream(symbol: string) {
    let s = this.#streams.get(symbol);
    if (!s) {
      s = {
        validator: new StreamValidator(timeframeMs(this.base)),
        aggregator: new TimeframeAggregator(this.base, this.timeframes.filter((t) => timeframeMs(t) > timeframeMs(this.base))),
      };
      this.#streams.set(symbol, s);
      const sink = this.sink;
      this.#emitters.set(symbol, (tf, c) => sink.onCandle(symbol, tf, c));
    }
    return s;
  }

  /**
   * Feeds one closed base candle. Returns false (and reports a `dropped` notice) when it fails
   * validation — including duplicates and out-of-order closes, so a re-delivered close is a no-op.
   */
  push(symbol: string, c: Candle): boolean {
    const s = this.#stream(symbol);
    const prev = s.validator.lastOpenTime;
    const problem = s.validator.accept(c);
    if (problem) {
      this.onNotice({ type: 'dropped', symbol, timeframe: this.base, problem, openTime: c.openTime });
      return false;
    }
    if (s.validator.lastGapBars > this.maxMissingBars) {
      this.onNotice({ type: 'gap', symbol, timeframe: this.base, missingBars: s.validator.lastGapBars, fromOpenTime: prev, toOpenTime: c.openTime });
    }
    this.sink.onCandle(symbol, this.base, c);
    s.aggregator.push(c, this.#emitters.get(symbol)!);
    return true;
  }

  /** Open time of the last accepted base candle of `symbol`, or -Infinity. */
  lastOpenTime(symbol: string): number {
    return this.#streams.get(symbol)?.validator.lastOpenTime ?? -Infinity;
  }

  /** Dropped-candle counts over all symbols. */
  droppedTotal(): number {
    let n = 0;
    for (const s of this.#streams.values()) n += s.validator.droppedTotal;
    return n;
  }
}
