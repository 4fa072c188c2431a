import type { Candle } from '../core/candle.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import { TimeframeAggregator } from './aggregate.js';
import { StreamValidator, type CandleProblem } from './validate.js';

/** Receives closed candles: the base candle first, then every higher candle closing with it. */
export interface CandleSink {
  /**
   * @param instrument the pipeline's integer id of `symbol` (0, 1, 2… in first-seen order, fixed
   *   for the pipeline's life), so a sink can index arrays instead of looking the symbol up per
   *   candle. Absent when a caller other than a pipeline feeds the sink (tests, tools).
   */
  onCandle(symbol: string, tf: Timeframe, candle: Candle, instrument?: number): void;
}

/** One instrument's state in the pipeline. */
interface Stream {
  symbol: string;
  validator: StreamValidator;
  aggregator: TimeframeAggregator;
  /** Delivers this instrument's higher-timeframe closes to the sink; made once, not per candle. */
  emit: (tf: Timeframe, c: Candle) => void;
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
  /** Per instrument id. */
  readonly #streams: Stream[] = [];
  /** Symbol → instrument id; consulted once per symbol by feeds that use {@link pushAt}. */
  readonly #ids = new Map<string, number>();
  readonly #higher: Timeframe[];

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
  ) {
    this.#higher = timeframes.filter((t) => timeframeMs(t) > timeframeMs(base));
  }

  /** The integer id of `symbol` (registering it on first use): the argument of {@link pushAt}. */
  instrumentId(symbol: string): number {
    let id = this.#ids.get(symbol);
    if (id === undefined) {
      id = this.#streams.length;
      this.#ids.set(symbol, id);
      const sink = this.sink;
      const instrument = id;
      this.#streams.push({
        symbol,
        validator: new StreamValidator(timeframeMs(this.base)),
        aggregator: new TimeframeAggregator(this.base, this.#higher),
        emit: (tf, c) => sink.onCandle(symbol, tf, c, instrument),
      });
    }
    return id;
  }

  /**
   * Feeds one closed base candle. Returns false (and reports a `dropped` notice) when it fails
   * validation — including duplicates and out-of-order closes, so a re-delivered close is a no-op.
   */
  push(symbol: string, c: Candle): boolean {
    return this.pushAt(this.instrumentId(symbol), c);
  }

  /**
   * {@link push} by instrument id (from {@link instrumentId}): the replay's per-candle call, with no
   * lookup by symbol.
   */
  pushAt(id: number, c: Candle): boolean {
    const s = this.#streams[id];
    const symbol = s.symbol;
    const prev = s.validator.lastOpenTime;
    const problem = s.validator.accept(c);
    if (problem) {
      this.onNotice({ type: 'dropped', symbol, timeframe: this.base, problem, openTime: c.openTime });
      return false;
    }
    if (s.validator.lastGapBars > this.maxMissingBars) {
      this.onNotice({ type: 'gap', symbol, timeframe: this.base, missingBars: s.validator.lastGapBars, fromOpenTime: prev, toOpenTime: c.openTime });
    }
    this.sink.onCandle(symbol, this.base, c, id);
    s.aggregator.push(c, s.emit);
    return true;
  }

  /** Open time of the last accepted base candle of `symbol`, or -Infinity. */
  lastOpenTime(symbol: string): number {
    const id = this.#ids.get(symbol);
    return id === undefined ? -Infinity : this.#streams[id].validator.lastOpenTime;
  }

  /** Dropped-candle counts over all symbols. */
  droppedTotal(): number {
    let n = 0;
    for (const s of this.#streams) n += s.validator.droppedTotal;
    return n;
  }
}
