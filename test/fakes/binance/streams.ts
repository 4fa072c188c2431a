import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { fmt8, type FakeMarket } from './market.js';

/** What the stream hub needs from the fake: its markets and its simulated now. */
export interface StreamContext {
  markets: Map<string, FakeMarket>;
  now(): number;
}

interface Client {
  socket: WebSocket;
  /** Subscribed stream names (`btcusdt@kline_1m`). */
  streams: Set<string>;
}

/** A kline event the hub sends: an in-progress update or the final (`x: true`) frame. */
interface KlineEvent {
  time: number;
  market: FakeMarket;
  order: number;
  index: number;
  final: boolean;
}

/** Counters of the WebSocket side of the fake. */
export interface StreamStats {
  /** Connections accepted. */
  connections: number;
  /** Upgrade requests refused while paused. */
  refused: number;
  /** Pong frames received from clients (answers to `ping()`). */
  pongs: number;
  /** Kline frames sent. */
  framesSent: number;
}

/**
 * Binance combined kline streams (`/stream?streams=a@kline_1m/b@kline_1m`) on top of `ws`.
 * Frames are produced when the fake's clock advances: an update at each offset in
 * `updateOffsetsMs` into every candle, then the final `x: true` frame at its close.
 */
export class FakeStreamHub {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #clients = new Set<Client>();
  readonly #suppressed = new Set<string>();
  readonly #lastFinal = new Map<string, number>();
  #pausedUntil = -Infinity;
  #delayMs = 0;
  readonly stats: StreamStats = { connections: 0, refused: 0, pongs: 0, framesSent: 0 };

  constructor(readonly ctx: StreamContext, readonly updateOffsetsMs: readonly number[] = [30_000]) {}

  /** Currently open client connections. */
  get openConnections(): number {
    return this.#clients.size;
  }

  /** Open time of the last candle of `symbol` whose final frame went to at least one client, or -Infinity. */
  lastFinalSent(symbol: string): number {
    return this.#lastFinal.get(symbol) ?? -Infinity;
  }

  /** True while new connections are refused. */
  get paused(): boolean {
    return this.ctx.now() < this.#pausedUntil;
  }

  /** `upgrade` listener of the fake's http server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client may reset a refused or half-open socket; that is not the fake's failure.
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://fake');
    if (this.paused) {
      this.stats.refused++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    let streams: string[];
    if (url.pathname === '/stream') streams = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
    else if (url.pathname.startsWith('/ws')) streams = url.pathname.slice(4).split('/').filter(Boolean);
    else {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, streams));
  }

  #accept(socket: WebSocket, streams: string[]): void {
    const client: Client = { socket, streams: new Set(streams) };
    this.#clients.add(client);
    this.stats.connections++;
    socket.on('pong', () => this.stats.pongs++);
    socket.on('close', () => this.#clients.delete(client));
    socket.on('error', () => this.#clients.delete(client));
    socket.on('message', (data) => this.#onMethod(client, String(data)));
  }

  /** The JSON method protocol: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS. */
  #onMethod(client: Client, text: string): void {
    let msg: { method?: string; params?: string[]; id?: number };
    try {
      msg = JSON.parse(text);
    } catch {
      client.socket.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON' } }));
      return;
    }
    const params = Array.isArray(msg.params) ? msg.params : [];
    if (msg.method === 'SUBSCRIBE') for (const p of params) client.streams.add(p);
    else if (msg.method === 'UNSUBSCRIBE') for (const p of params) client.streams.delete(p);
    else if (msg.method === 'LIST_SUBSCRIPTIONS') {
      client.socket.send(JSON.stringify({ result: [...client.streams], id: msg.id }));
      return;
    } else {
      client.socket.send(JSON.stringify({ error: { code: 2, msg: 'Invalid request' }, id: msg.id }));
      return;
    }
    client.socket.send(JSON.stringify({ result: null, id: msg.id }));
  }

  /** Sends every kline frame whose event time lies in (from, to], in time order. */
  emit(from: number, to: number): void {
    if (this.#clients.size === 0 || to <= from) return;
    const events: KlineEvent[] = [];
    let order = 0;
    for (const market of this.ctx.markets.values()) {
      const ms = market.intervalMs;
      for (let i = market.lowerBound(from - ms + 1); i < market.series.length; i++) {
        const open = market.series.openTime[i];
        if (open > to) break;
        for (const off of this.updateOffsetsMs) {
          const t = open + off;
          if (off < ms && t > from && t <= to) events.push({ time: t, market, order, index: i, final: false });
        }
        const close = open + ms;
        if (close > from && close <= to && !this.#suppressed.has(`${market.symbol}:${open}`)) {
          events.push({ time: close, market, order, index: i, final: true });
        }
      }
      order++;
    }
    // Time order; at one instant a final frame goes before the next candle's update, and
    // symbols keep the market order, as Binance's combined stream does.
    events.sort((a, b) => a.time - b.time || Number(b.final) - Number(a.final) || a.order - b.order);
    for (const e of events) {
      const stream = `${e.market.symbol.toLowerCase()}@kline_${e.market.series.timeframe}`;
      const text = JSON.stringify({ stream, data: klineData(e) });
      let sent = false;
      for (const c of this.#clients) {
        if (!c.streams.has(stream)) continue;
        this.#send(c, text);
        sent = true;
      }
      if (sent && e.final) this.#lastFinal.set(e.market.symbol, e.market.series.openTime[e.index]);
    }
  }

  #send(c: Client, text: string): void {
    const go = () => {
      if (c.socket.readyState !== WebSocket.OPEN) return;
      c.socket.send(text);
      this.stats.framesSent++;
    };
    if (this.#delayMs > 0) setTimeout(go, this.#delayMs);
    else go();
  }

  /** Terminates every connection abruptly (no close frame, as a network cut looks). Returns how many. */
  dropAll(): number {
    const n = this.#clients.size;
    for (const c of this.#clients) c.socket.terminate();
    this.#clients.clear();
    return n;
  }

  /** Refuses new connections (HTTP 503) until the fake's clock has advanced by `ms`. */
  pauseWs(ms: number): void {
    this.#pausedUntil = this.ctx.now() + ms;
  }

  /** Accepts connections again at once. */
  resumeWs(): void {
    this.#pausedUntil = -Infinity;
  }

  /** Delays every later frame by `ms` of real time (0 = send at once). Order is kept. */
  delayFrames(ms: number): void {
    this.#delayMs = ms;
  }

  /** The final frame of this candle is never sent. */
  suppressFinalFrame(symbol: string, openTime: number): void {
    this.#suppressed.add(`${symbol.toUpperCase()}:${openTime}`);
  }

  /** Sends `text` as is to every client (malformed-frame tests). */
  sendRaw(text: string): void {
    for (const c of this.#clients) this.#send(c, text);
  }

  /** Sends a ping frame to every client; their pongs are counted in `stats.pongs`. */
  ping(): void {
    for (const c of this.#clients) c.socket.ping();
  }

  /** Sends Binance's `serverShutdown` event, which announces that the server will drop connections. */
  sendServerShutdown(): void {
    this.sendRaw(JSON.stringify({ event: { e: 'serverShutdown', E: this.ctx.now() } }));
  }

  /** Closes every connection and the server. */
  close(): void {
    this.dropAll();
    this.#wss.close();
  }
}

function klineData(e: KlineEvent) {
  const m = e.market;
  const k = m.valuesAt(e.index, e.time);
  return {
    e: 'kline',
    E: e.time,
    s: m.symbol,
    k: {
      t: k.openTime,
      T: k.closeTime,
      s: m.symbol,
      i: m.series.timeframe,
      f: e.index * 1000,
      L: e.index * 1000 + 999,
      o: fmt8(k.open),
      c: fmt8(k.close),
      h: fmt8(k.high),
      l: fmt8(k.low),
      v: fmt8(k.volume),
      n: 1000,
      x: e.final,
      q: fmt8(k.volume * k.close),
      V: '0.00000000',
      Q: '0.00000000',
      B: '0',
    },
  };
}
