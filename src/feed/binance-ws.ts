/**
 * Binance combined kline streams over `ws`: frame parsing, one self-healing connection per
 * group of ≤ `maxStreamsPerConnection` streams, and the assembly of closed candles from frames
 * (on `k.x`, or by timer when the final frame never comes).
 *
 * This layer only turns frames into closes. Ordering, REST backfill after reconnects and
 * exactly-once delivery to the pipeline are the live feed's job (live.ts).
 */
import { WebSocket } from 'ws';
import type { Candle } from '../core/candle.js';
import type { Clock } from '../core/clock.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import { type DroppedFrameReason, type FeedLogger, silentLogger } from './health.js';
import { checkCandle } from './validate.js';

/** Binance's public market-data stream host. */
export const BINANCE_WS_BASE_URL = 'wss://stream.binance.com:9443';
/** Binance's limit of streams on one connection. */
export const BINANCE_MAX_STREAMS = 1024;

/** Settings of the kline WebSocket feed. Durations in ms. */
export interface BinanceWsOptions {
  /** Stream host; default {@link BINANCE_WS_BASE_URL}. */
  wsBaseUrl: string;
  /** A candle whose final frame has not come this long after its close is closed by timer (feed clock ms). Default 3000. */
  closeGraceMs: number;
  /** Reconnect delay: `min(maxMs, baseMs · 2^attempt)`, times a random factor in [0.5, 1] (wall ms). Default 500 / 30 000. */
  reconnect: { baseMs: number; maxMs: number };
  /** Replace each connection after this long (feed clock ms), before Binance's 24 h cut. Default 23 h. */
  rotateAfterMs: number;
  /** Streams per connection (≤ 1024). Default 200, which keeps the URL short. */
  maxStreamsPerConnection: number;
  /** Reconnect when nothing (frame or ping) has arrived for this long (wall ms; 0 = never). Binance pings every 20 s. Default 60 000. */
  idleTimeoutMs: number;
  /** Handshake timeout (wall ms). Default 10 000. */
  handshakeTimeoutMs: number;
}

export const DEFAULT_WS_OPTIONS: BinanceWsOptions = {
  wsBaseUrl: BINANCE_WS_BASE_URL,
  closeGraceMs: 3000,
  reconnect: { baseMs: 500, maxMs: 30_000 },
  rotateAfterMs: 23 * 3_600_000,
  maxStreamsPerConnection: 200,
  idleTimeoutMs: 60_000,
  handshakeTimeoutMs: 10_000,
};

/** `BTCUSDT`, `1m` → `btcusdt@kline_1m`. */
export function klineStream(symbol: string, interval: Timeframe): string {
  return `${symbol.toLowerCase()}@kline_${interval}`;
}

/** A kline frame, parsed and checked. `candle.closeTime` is open + interval (edgebot's convention). */
export interface KlineFrame {
  stream: string;
  symbol: string;
  candle: Candle;
  /** `k.x`: the candle has closed. */
  final: boolean;
  /** `E`, ms UTC. */
  eventTime: number;
}

/** Result of parsing one text frame. */
export type ParsedFrame =
  | { kind: 'kline'; frame: KlineFrame }
  | { kind: 'shutdown' }
  /** A reply to a SUBSCRIBE-style method call; nothing to do. */
  | { kind: 'reply' }
  | { kind: 'bad'; reason: DroppedFrameReason; detail: string };

/** A finite number from Binance's string (or number) field, else NaN. */
function num(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.trim() !== '') return Number(x);
  return NaN;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Parses one combined-stream text frame: `{"stream":"btcusdt@kline_1m","data":{"e":"kline",...}}`.
 * Recognizes Binance's `serverShutdown` event in any wrapping (`{e}`, `{event:{e}}`, `{data:{e}}`).
 * @param streams the streams this connection subscribed to
 * @param interval the kline interval expected (the base timeframe)
 */
export function parseFrame(text: string, streams: ReadonlySet<string>, interval: Timeframe): ParsedFrame {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'bad', reason: 'bad-json', detail: text.slice(0, 80) };
  }
  if (!isObj(msg)) return { kind: 'bad', reason: 'bad-shape', detail: text.slice(0, 80) };
  const inner = isObj(msg.data) ? msg.data : isObj(msg.event) ? msg.event : msg;
  if (inner.e === 'serverShutdown') return { kind: 'shutdown' };
  if ('result' in msg && 'id' in msg) return { kind: 'reply' };
  const stream = msg.stream;
  const k = inner.k;
  if (typeof stream !== 'string' || inner.e !== 'kline' || !isObj(k)) {
    return { kind: 'bad', reason: 'bad-shape', detail: text.slice(0, 80) };
  }
  const symbol = typeof k.s === 'string' ? k.s : '';
  // Not subscribed here, or a payload whose symbol does not match its stream name.
  if (!streams.has(stream) || stream.slice(0, stream.indexOf('@')) !== symbol.toLowerCase()) {
    return { kind: 'bad', reason: 'unknown-stream', detail: stream };
  }
  if (k.i !== interval || klineStream(symbol, interval) !== stream) {
    return { kind: 'bad', reason: 'bad-shape', detail: `${stream} interval ${String(k.i)}` };
  }
  const ms = timeframeMs(interval);
  const openTime = num(k.t);
  const candle: Candle = {
    openTime,
    closeTime: openTime + ms,
    open: num(k.o),
    high: num(k.h),
    low: num(k.l),
    close: num(k.c),
    volume: num(k.v),
  };
  const eventTime = num(inner.E);
  if (![openTime, candle.open, candle.high, candle.low, candle.close, candle.volume].every(Number.isFinite)) {
    return { kind: 'bad', reason: 'bad-number', detail: `${stream} ${String(k.t)}` };
  }
  const problem = checkCandle(candle, ms);
  if (problem) return { kind: 'bad', reason: 'invalid-candle', detail: `${stream} ${openTime} ${problem}` };
  if (typeof k.x !== 'boolean') return { kind: 'bad', reason: 'bad-shape', detail: `${stream} x=${String(k.x)}` };
  return { kind: 'kline', frame: { stream, symbol, candle, final: k.x, eventTime } };
}

/** Callbacks of a {@link KlineConnection}. `conn` identifies the physical socket a frame came on. */
export interface ConnectionEvents {
  onUp(): void;
  onDown(reason: string): void;
  onFrame(frame: ParsedFrame, conn: number): void;
  onRotated(reason: string): void;
}

let nextConnId = 1;

/** After a failed rotation, the next attempt by age waits this long (feed clock ms). */
const ROTATE_RETRY_MS = 60_000;

/**
 * One logical connection for a fixed set of streams. Reconnects with exponential backoff and
 * jitter when the socket dies; rotates (opens the replacement first, then closes the old one, so
 * no frame is missed) after `rotateAfterMs` and on `serverShutdown`; answers pings (ws `autoPong`);
 * and treats a socket silent for `idleTimeoutMs` as dead.
 */
export class KlineConnection {
  readonly url: string;
  readonly streams: ReadonlySet<string>;
  #ws: WebSocket | null = null;
  #candidate: WebSocket | null = null;
  #up = false;
  #stopped = true;
  #attempt = 0;
  #connectedAt = 0;
  #rotateRetryAt = -Infinity;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(
    streams: readonly string[],
    readonly interval: Timeframe,
    readonly opts: BinanceWsOptions,
    readonly clock: Clock,
    readonly events: ConnectionEvents,
    readonly logger: FeedLogger = silentLogger,
    readonly random: () => number = Math.random,
  ) {
    this.streams = new Set(streams);
    this.url = `${opts.wsBaseUrl.replace(/\/+$/, '')}/stream?streams=${streams.join('/')}`;
  }

  /** True while a socket is open. */
  get up(): boolean {
    return this.#up;
  }

  /** Opens the connection (and keeps it open until stop()). */
  start(): void {
    this.#stopped = false;
    this.#open(false);
  }

  /** Closes everything; no reconnects after this. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#idleTimer);
    for (const ws of [this.#ws, this.#candidate]) if (ws) this.#discard(ws);
    this.#ws = this.#candidate = null;
    this.#up = false;
  }

  /** Rotates when the connection is older than `rotateAfterMs` on the feed clock. */
  tick(now: number): void {
    if (this.#up && !this.#candidate && now - this.#connectedAt >= this.opts.rotateAfterMs && now >= this.#rotateRetryAt) {
      this.rotate('age');
    }
  }

  /** Opens a replacement socket; the current one is closed once the replacement is open. */
  rotate(reason: string): void {
    if (this.#stopped || this.#candidate) return;
    if (!this.#up) return; // a reconnect is already under way
    this.logger.info({ url: this.url, reason }, 'rotating kline connection');
    this.#open(true, reason);
  }

  #open(rotation: boolean, reason = ''): void {
    const ws = new WebSocket(this.url, {
      handshakeTimeout: this.opts.handshakeTimeoutMs,
      autoPong: true,
      perMessageDeflate: false,
    });
    const id = nextConnId++;
    if (rotation) this.#candidate = ws;
    else this.#ws = ws;
    let failure = '';
    ws.on('open', () => {
      if (this.#stopped) return this.#discard(ws);
      if (rotation) {
        const old = this.#ws;
        this.#ws = ws;
        this.#candidate = null;
        if (old) this.#retire(old);
        this.events.onRotated(reason);
      }
      this.#connectedAt = this.clock.now();
      this.#attempt = 0;
      this.#armIdle();
      if (!this.#up) {
        this.#up = true;
        this.events.onUp();
      }
    });
    ws.on('message', (data, isBinary) => {
      if (this.#stopped) return;
      if (ws === this.#ws) this.#armIdle();
      const text = isBinary ? '' : String(data);
      const parsed: ParsedFrame = isBinary
        ? { kind: 'bad', reason: 'bad-json', detail: 'binary frame' }
        : parseFrame(text, this.streams, this.interval);
      if (parsed.kind === 'shutdown') {
        if (ws === this.#ws) this.rotate('serverShutdown');
        return;
      }
      this.events.onFrame(parsed, id);
    });
    ws.on('ping', () => {
      if (ws === this.#ws) this.#armIdle();
    });
    ws.on('error', (err) => {
      failure = err.message;
    });
    ws.on('close', (code) => {
      if (this.#stopped) return;
      const why = failure || `closed with code ${code}`;
      if (ws === this.#candidate) {
        // The replacement failed; the current socket still works. Try again a little later.
        this.#candidate = null;
        this.#rotateRetryAt = this.clock.now() + ROTATE_RETRY_MS;
        this.logger.warn({ url: this.url, reason: why }, 'kline connection rotation failed');
        return;
      }
      if (ws !== this.#ws) return; // a retired socket
      this.#ws = null;
      clearTimeout(this.#idleTimer);
      if (this.#candidate) {
        // The current socket died mid-rotation: the replacement takes over as a plain reconnect.
        const c = this.#candidate;
        this.#candidate = null;
        this.#discard(c);
      }
      // Report the loss of an open socket, and the first failure of one that never opened
      // (so an unreachable stream host is noticed), not every failed retry.
      if (this.#up || this.#attempt === 0) {
        this.#up = false;
        this.events.onDown(why);
      }
      this.#scheduleReconnect(why);
    });
  }

  #scheduleReconnect(why: string): void {
    const { baseMs, maxMs } = this.opts.reconnect;
    const delay = Math.min(maxMs, baseMs * 2 ** this.#attempt) * (0.5 + 0.5 * this.random());
    this.#attempt = Math.min(this.#attempt + 1, 30);
    this.logger.warn({ url: this.url, reason: why, delayMs: Math.round(delay) }, 'kline connection lost, reconnecting');
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      if (!this.#stopped) this.#open(false);
    }, delay);
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    if (this.opts.idleTimeoutMs <= 0) return;
    this.#idleTimer = setTimeout(() => {
      this.logger.warn({ url: this.url, idleMs: this.opts.idleTimeoutMs }, 'kline connection silent, reconnecting');
      this.#ws?.terminate();
    }, this.opts.idleTimeoutMs);
  }

  /** Closes a replaced socket politely; frames it still delivers are processed (duplicates are harmless). */
  #retire(ws: WebSocket): void {
    ws.close(1000, 'rotated');
    setTimeout(() => ws.terminate(), 5000).unref();
  }

  #discard(ws: WebSocket): void {
    ws.removeAllListeners('open');
    ws.on('error', () => {});
    ws.terminate();
  }
}

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
  readonly #ms: number;

  constructor(
    symbols: readonly string[],
    readonly interval: Timeframe,
    readonly opts: BinanceWsOptions,
    readonly clock: Clock,
    readonly events: KlineFeedEvents,
    readonly logger: FeedLogger = silentLogger,
    random: () => number = Math.random,
  ) {
    this.#ms = timeframeMs(interval);
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
