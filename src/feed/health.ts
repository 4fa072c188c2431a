import type { Candle } from '../core/candle.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';

/** Why the live feed dropped a WebSocket frame. */
export type DroppedFrameReason =
  /** Not JSON. */
  | 'bad-json'
  /** JSON, but not a kline event of the expected shape or interval. */
  | 'bad-shape'
  /** A stream this connection did not subscribe to, or a symbol that does not match its stream. */
  | 'unknown-stream'
  /** A price, volume or time that is not a finite number. */
  | 'bad-number'
  /** Numbers fine, candle not (high < low, high below the body, negative volume, off the grid). */
  | 'invalid-candle'
  /** A second final frame for a candle already closed on the same connection. */
  | 'duplicate-close'
  /** A final frame for a candle older than one already closed on the same connection. */
  | 'out-of-order-close'
  /** An in-progress update for a candle older than the one being formed. */
  | 'stale-update';

/**
 * What the live feed reports to the app, which turns it into owner messages. Times ms UTC.
 * A discriminated union keyed by `type`; switch on it.
 */
export type FeedEvent =
  /** The WebSocket (or, for a REST feed, the REST API) stopped delivering. */
  | { type: 'feed-down'; reason: string; at: number }
  /** Delivering again after `downtimeMs` (simulated or wall ms, whatever the feed's clock is). */
  | { type: 'feed-up'; downtimeMs: number; at: number }
  /**
   * `missingBars` base bars between the candles opening at `fromOpenTime` and `toOpenTime` never
   * reached the pipeline. Normally (`unverified: false`) the exchange itself has no candles
   * there, even over REST, and the gap is longer than maxMissingBars. `unverified: true`: REST
   * kept failing, live closes were let through, and the bars in between are lost (any length).
   * Raised once, when the candle after the gap is delivered.
   */
  | { type: 'gap'; symbol: string; missingBars: number; fromOpenTime: number; toOpenTime: number; unverified: boolean }
  /** A WebSocket frame was dropped (see {@link DroppedFrameReason}). */
  | { type: 'dropped-frame'; reason: DroppedFrameReason; detail?: string }
  /**
   * A candle closed by timer (its final frame never came) differs from what REST later reported.
   * The engine already has the provisional values; this is for the logs and the owner.
   */
  | { type: 'provisional-mismatch'; symbol: string; openTime: number; provisional: Candle; rest: Candle };

/** Age of the last close of one timeframe. */
export interface TimeframeHealth {
  /** Close time (ms UTC) of the last closed candle of this timeframe, over the laggard symbol; null before any. */
  lastCloseTime: number | null;
  /** now − lastCloseTime, ms; null before any. */
  ageMs: number | null;
  /** True when ageMs > 2 × the timeframe (or nothing has closed yet). */
  stale: boolean;
}

/** Snapshot of the live feed's health, plain data for `/status`. */
export interface FeedHealth {
  /** `ws` (Binance WebSocket + REST) or `rest` (REST polling only). */
  type: 'ws' | 'rest';
  /** ccxt exchange id. */
  exchange: string;
  /** `starting` until warm-up is done, then `live`; `stopped` after stop(). */
  state: 'starting' | 'live' | 'stopped';
  /** Every WebSocket connection is open (REST feed: the last poll succeeded). */
  connected: boolean;
  /** WebSocket connections open / wanted (0/0 for a REST feed). */
  connections: { open: number; total: number };
  /** REST polling is standing in for a WebSocket that is down (always true for a REST feed). */
  restFallback: boolean;
  /** Since when (ms UTC) the feed has been down, or null. */
  downSince: number | null;
  /** Successful reconnections after a connection was lost. */
  reconnects: number;
  /** Planned connection rotations (24 h cut, serverShutdown). */
  rotations: number;
  /** Dropped WebSocket frames by reason, and their total. */
  droppedFrames: Partial<Record<DroppedFrameReason, number>>;
  droppedFramesTotal: number;
  /** Per timeframe the engine uses: age of the last close and whether it is stale. */
  timeframes: Partial<Record<Timeframe, TimeframeHealth>>;
  /** Base candles handed to the pipeline: from warm-up, from REST after start, and from the WebSocket. */
  candles: { warmup: number; rest: number; ws: number };
  /** Candles closed by timer because their final frame never came, and how many REST contradicted. */
  provisional: { closed: number; mismatched: number };
  /** Gaps the exchange really has (alerts raised). */
  gaps: number;
  /** Failed REST calls (they are retried with backoff). */
  restErrors: number;
}

/** pino-compatible logging functions (`logger.warn({ symbol }, 'message')`). */
export type LogFn = (obj: object, msg?: string) => void;

/** The part of a pino logger the feed uses. */
export interface FeedLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** Logger that discards everything (the default). */
export const silentLogger: FeedLogger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Mutable counters behind {@link FeedHealth}; the feed updates them, `snapshot()` renders them.
 */
export class FeedHealthTracker {
  state: FeedHealth['state'] = 'starting';
  connections = { open: 0, total: 0 };
  restFallback = false;
  downSince: number | null = null;
  reconnects = 0;
  rotations = 0;
  readonly droppedFrames: Partial<Record<DroppedFrameReason, number>> = {};
  readonly candles = { warmup: 0, rest: 0, ws: 0 };
  readonly provisional = { closed: 0, mismatched: 0 };
  gaps = 0;
  restErrors = 0;
  /** For a REST feed: whether the last poll succeeded. */
  restOk = true;

  constructor(readonly type: 'ws' | 'rest', readonly exchange: string, readonly timeframes: readonly Timeframe[]) {}

  /** Counts one dropped frame. */
  dropFrame(reason: DroppedFrameReason): void {
    this.droppedFrames[reason] = (this.droppedFrames[reason] ?? 0) + 1;
  }

  /**
   * Renders the snapshot.
   * @param now current time, ms UTC
   * @param laggardCloseTime close time (ms UTC) of the last base candle of the symbol that is furthest behind, or null
   */
  snapshot(now: number, laggardCloseTime: number | null): FeedHealth {
    const timeframes: Partial<Record<Timeframe, TimeframeHealth>> = {};
    for (const tf of this.timeframes) {
      const ms = timeframeMs(tf);
      // A higher candle has closed once the base candle ending on its boundary has.
      const last = laggardCloseTime === null ? null : Math.floor(laggardCloseTime / ms) * ms;
      const ageMs = last === null ? null : now - last;
      timeframes[tf] = { lastCloseTime: last, ageMs, stale: ageMs === null || ageMs > 2 * ms };
    }
    let droppedFramesTotal = 0;
    for (const v of Object.values(this.droppedFrames)) droppedFramesTotal += v ?? 0;
    const connected = this.type === 'rest' ? this.restOk : this.connections.total > 0 && this.connections.open === this.connections.total;
    return {
      type: this.type,
      exchange: this.exchange,
      state: this.state,
      connected,
      connections: { ...this.connections },
      restFallback: this.restFallback,
      downSince: this.downSince,
      reconnects: this.reconnects,
      rotations: this.rotations,
      droppedFrames: { ...this.droppedFrames },
      droppedFramesTotal,
      timeframes,
      candles: { ...this.candles },
      provisional: { ...this.provisional },
      gaps: this.gaps,
      restErrors: this.restErrors,
    };
  }
}
