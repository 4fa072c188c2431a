import type { Candle } from '../core/candle.js';
import { timeframeMs } from '../core/timeframe.js';
import type { CandleSeries } from './csv.js';
import type { CandlePipeline } from './pipeline.js';

/** Options for a replay run. */
export interface ReplayOptions {
  /** 0 (default) = as fast as possible; N = N× real time, pacing by candle close times. */
  speed?: number;
  /** Yield to the event loop every this many base candles so chat and timers keep running. */
  yieldEvery?: number;
  /** Called after every base candle with its close time; return true to pause the replay there. */
  pauseWhen?: () => boolean;
}

/**
 * Historical feed: merges several instruments' base candles in close-time order (ties in symbol
 * order) and pushes them through the candle pipeline, exactly as a live feed would.
 * `run()` can be called again after a pause and continues where it stopped.
 */
export class ReplayFeed {
  readonly #series: CandleSeries[];
  readonly #pos: Int32Array;
  /** The pipeline's instrument id of each series. */
  readonly #ids: Int32Array;
  readonly #candle: Candle = { openTime: 0, closeTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  readonly #tfMs: number;
  #stopped = false;
  /** Base candles pushed so far. */
  pushed = 0;

  constructor(series: CandleSeries[], readonly pipeline: CandlePipeline) {
    this.#series = series;
    this.#pos = new Int32Array(series.length);
    this.#ids = Int32Array.from(series, (s) => pipeline.instrumentId(s.symbol));
    this.#tfMs = series.length ? timeframeMs(series[0].timeframe) : 0;
  }

  /** Total base candles in the replay. */
  get total(): number {
    return this.#series.reduce((n, s) => n + s.length, 0);
  }

  get done(): boolean {
    return this.#series.every((s, i) => this.#pos[i] >= s.length);
  }

  /** Stops a running replay at the next candle boundary. */
  stop(): void {
    this.#stopped = true;
  }

  /**
   * Replays until the data ends, `stop()` is called or `pauseWhen` returns true.
   * @returns true when every candle has been replayed
   */
  async run(opts: ReplayOptions = {}): Promise<boolean> {
    this.#stopped = false;
    const { speed = 0, yieldEvery = speed > 0 ? 1 : 8192, pauseWhen } = opts;
    const series = this.#series;
    const pos = this.#pos;
    const ids = this.#ids;
    const c = this.#candle;
    const n = series.length;
    const tfMs = this.#tfMs;
    // Columns hoisted out of the series objects: the loop below runs once per candle.
    const openTime = series.map((s) => s.openTime);
    const length = Int32Array.from(series, (s) => s.length);
    let sinceYield = 0;
    let lastClose = -1;
    while (!this.#stopped) {
      // Next time step: the smallest pending open time across instruments.
      let t = Infinity;
      for (let i = 0; i < n; i++) {
        const p = pos[i];
        if (p < length[i] && openTime[i][p] < t) t = openTime[i][p];
      }
      if (t === Infinity) return true;
      if (speed > 0 && lastClose >= 0) await sleep(((t + tfMs - lastClose) / speed));
      lastClose = t + tfMs;
      let pushed = 0;
      for (let i = 0; i < n; i++) {
        const p = pos[i];
        if (p >= length[i] || openTime[i][p] !== t) continue;
        const s = series[i];
        c.openTime = t;
        c.closeTime = t + tfMs;
        c.open = s.open[p];
        c.high = s.high[p];
        c.low = s.low[p];
        c.close = s.close[p];
        c.volume = s.volume[p];
        if (s.takerBuyVolume) c.takerBuyVolume = s.takerBuyVolume[p];
        pos[i] = p + 1;
        this.pipeline.pushAt(ids[i], c);
        pushed++;
      }
      this.pushed += pushed;
      sinceYield += pushed;
      if (pauseWhen?.()) return this.done;
      if (sinceYield >= yieldEvery) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    return this.done;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
