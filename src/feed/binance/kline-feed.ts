/**
 * Binance kline closes for many symbols over as many connections as needed: the assembly of
 * closed candles from frames (on `k.x`, or by timer when the final frame never comes).
 *
 * This layer only turns frames into closes. Ordering, REST backfill after reconnects and
 * exactly-once delivery to the pipeline are the live feed's job (src/feed/live/live-feed.ts).
 */
import type { Candle } from '../../core/candle.js';
import type { Clock } from '../../core/clock.js';
import type { Timeframe } from '../../core/timeframe.js';
import { type DroppedFrameReason, type FeedLogger, silentLogger } from '../health.js';
import { BINANCE_MAX_STREAMS, klineStream, type ParsedFrame } from './codec.js';
import { KlineConnection, type BinanceWsOptions } from './connection.js';

/** Callbacks of a {@link BinanceKlineFeed}. */
export interface KlineFeedEvents {
  /**
   * A candle closed: on its final frame, or (`provisional`) by timer / by the next candle's
   * first frame when the final frame never came.
   */
  onClose(symbol: string, candle: Candle, provisional: boolean): void;
  /** The connection carrying `symbols` went down (or its first attempt to open failed). */
  onDown(symbols: string[], reason: string): void;
  /** The connection carrying `symbols` is open again (or for the first time). */
  onUp(symbols: string[]): void;
  onDropped(reason: DroppedFrameReason, detail: string): void;
  onRotated(reason: string): void;
}

interface Forming {
  candle: Candle;
  conn: number;
}

/** Per-symbol assembly state. */
interface SymbolState {
  /** The candle being formed, from its latest update, or null. */
  forming: Forming | null;
  /** Open time of the last candle closed here (final frame or timer), and the socket of its final frame. */
  lastClose: number;
  lastCloseConn: number;
  connection: KlineConnection;
}

/**
 * Base-timeframe kline closes for many symbols over as many connections as needed.
 * Call `tick(now)` regularly (the live feed does): it closes candles whose final frame is
 * overdue by `closeGraceMs` and rotates old connections.
 */
export class BinanceKlineFeed {
  readonly #symbols = new Map<string, SymbolState>();
  readonly #connections: KlineConnection[] = [];

  constructor(
    symbols: readonly string[],
    readonly interval: Timeframe,
    readonly opts: BinanceWsOptions,
    readonly clock: Clock,
    readonly events: KlineFeedEvents,
    readonly logger: FeedLogger = silentLogger,
    random: () => number = Math.random,
  ) {
    const per = Math.max(1, Math.min(BINANCE_MAX_STREAMS, opts.maxStreamsPerConnection));
    for (let i = 0; i < symbols.length; i += per) {
      const group = symbols.slice(i, i + per);
      const conn: KlineConnection = new KlineConnection(
        group.map((s) => klineStream(s, interval)),
        interval,
        opts,
        clock,
        {
          onUp: () => this.events.onUp(group),
          onDown: (reason) => {
            // What was being formed may have missed updates; REST backfill covers those candles.
            for (const s of group) this.#symbols.get(s)!.forming = null;
            this.events.onDown(group, reason);
          },
          onFrame: (f, id) => this.#onFrame(f, id),
          onRotated: (reason) => this.events.onRotated(reason),
        },
        logger,
        random,
      );
      this.#connections.push(conn);
      for (const s of group) this.#symbols.set(s, { forming: null, lastClose: -Infinity, lastCloseConn: 0, connection: conn });
    }
  }

  /** Connections open / total. */
  get connectionCounts(): { open: number; total: number } {
    return { open: this.#connections.filter((c) => c.up).length, total: this.#connections.length };
  }

  start(): void {
    for (const c of this.#connections) c.start();
  }

  stop(): void {
    for (const c of this.#connections) c.stop();
  }

  /** Rotates every connection at once (e.g. on an operator's request). */
  rotateAll(reason: string): void {
    for (const c of this.#connections) c.rotate(reason);
  }

  /** Closes overdue candles by timer and rotates old connections. `now` on the feed clock, ms. */
  tick(now: number): void {
    for (const [symbol, st] of this.#symbols) {
      const f = st.forming;
      if (f && st.connection.up && f.candle.closeTime + this.opts.closeGraceMs <= now) this.#closeProvisional(symbol, st);
    }
    for (const c of this.#connections) c.tick(now);
  }

  #onFrame(parsed: ParsedFrame, conn: number): void {
    if (parsed.kind === 'reply') return;
    if (parsed.kind === 'bad') return this.events.onDropped(parsed.reason, parsed.detail);
    if (parsed.kind !== 'kline') return;
    const { symbol, candle, final } = parsed.frame;
    const st = this.#symbols.get(symbol);
    if (!st) return this.events.onDropped('unknown-stream', parsed.frame.stream);
    const t = candle.openTime;
    if (final) {
      if (t <= st.lastClose) {
        // The same close again on one socket is a server fault; on another socket it is the
        // overlap of a rotation and expected.
        if (conn === st.lastCloseConn) this.events.onDropped(t === st.lastClose ? 'duplicate-close' : 'out-of-order-close', `${symbol} ${t}`);
        return;
      }
      if (st.forming && st.forming.candle.openTime < t) this.#closeProvisional(symbol, st);
      st.forming = null;
      st.lastClose = t;
      st.lastCloseConn = conn;
      this.events.onClose(symbol, candle, false);
      return;
    }
    if (t <= st.lastClose || (st.forming && t < st.forming.candle.openTime)) {
      if (conn === st.lastCloseConn || conn === st.forming?.conn) this.events.onDropped('stale-update', `${symbol} ${t}`);
      return;
    }
    // The next candle has started without a final frame for the previous one: close it now.
    if (st.forming && st.forming.candle.openTime < t) this.#closeProvisional(symbol, st);
    st.forming = { candle, conn };
  }

  /** Closes the forming candle with its last update's values; REST verifies them later. */
  #closeProvisional(symbol: string, st: SymbolState): void {
    const f = st.forming!;
    st.forming = null;
    st.lastClose = f.candle.openTime;
    // No socket "owns" this close, so a late final frame for it is ignored, not counted.
    st.lastCloseConn = 0;
    this.logger.warn({ symbol, openTime: f.candle.openTime }, 'final kline frame missing, closing by timer');
    this.events.onClose(symbol, f.candle, true);
  }
}
