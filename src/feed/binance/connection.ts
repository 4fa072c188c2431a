/**
 * One self-healing WebSocket for a group of Binance kline streams (≤ `maxStreamsPerConnection`):
 * reconnects with backoff and jitter, rotates before Binance's 24 h cut, treats silence as death.
 */
import { WebSocket } from 'ws';
import type { Clock } from '../../core/clock.js';
import type { Timeframe } from '../../core/timeframe.js';
import { type FeedLogger, silentLogger } from '../health.js';
import { BINANCE_WS_BASE_URL, parseFrame, type ParsedFrame } from './codec.js';

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
