/**
 * A fake Binance spot exchange on loopback: REST (ccxt talks to it through its URL override)
 * and combined kline WebSocket streams (the `ws` feed talks to it through `wsBaseUrl`), both
 * serving real candles from `data/`, with a simulated clock the test advances.
 *
 * Routes live in a table (`route(method, path, handler)`), so order and account endpoints can be
 * added next to the market-data ones without touching the server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/core/clock.js';
import type { CandleSeries } from '../../src/feed/csv.js';
import { FakeRouter, type FakeHandler, type FakeReply } from './binance/http.js';
import { installMarketRoutes } from './binance/market-routes.js';
import { FakeMarket, type FakeMarketRules } from './binance/market.js';
import { FakeStreamHub, type StreamStats } from './binance/streams.js';

export { binanceError, type FakeHandler, type FakeReply, type FakeRequest } from './binance/http.js';
export { FakeMarket, type FakeMarketRules, type KlineValues } from './binance/market.js';

/** Options of {@link FakeBinance.start}. */
export interface FakeBinanceOptions {
  /** The candles the exchange has (all of one timeframe); symbol = series symbol, quote USDT. */
  series: CandleSeries[];
  /** The fake's initial now, ms UTC. */
  now: number;
  /** Offsets (ms into each candle) at which an in-progress kline frame is sent. Default [30 000]. */
  updateOffsetsMs?: number[];
  /** Trading rules per symbol, overriding the ones derived from the data. */
  rules?: Record<string, Partial<FakeMarketRules>>;
}

/** A running fake Binance. Create with {@link FakeBinance.start}, stop with {@link FakeBinance.close}. */
export class FakeBinance {
  readonly markets = new Map<string, FakeMarket>();
  readonly router = new FakeRouter();
  readonly #hub: FakeStreamHub;
  #now: number;
  #server!: Server;
  #port = 0;

  /** The fake's simulated clock, to hand to the code under test. */
  readonly clock: Clock = { now: () => this.#now };

  private constructor(opts: FakeBinanceOptions) {
    this.#now = opts.now;
    for (const s of opts.series) this.markets.set(s.symbol, new FakeMarket(s, 'USDT', opts.rules?.[s.symbol]));
    const ctx = { markets: this.markets, now: () => this.#now };
    installMarketRoutes(this.router, ctx);
    this.#hub = new FakeStreamHub(ctx, opts.updateOffsetsMs);
  }

  /** Starts the fake on 127.0.0.1 on a free port. */
  static async start(opts: FakeBinanceOptions): Promise<FakeBinance> {
    const fake = new FakeBinance(opts);
    const server = createServer((req, res) => void fake.router.handle(req, res));
    server.on('upgrade', (req, socket, head) => fake.#hub.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.#server = server;
    fake.#port = (server.address() as AddressInfo).port;
    return fake;
  }

  /** `http://127.0.0.1:<port>` — ccxt's `restBaseUrl`. */
  get restBaseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** `ws://127.0.0.1:<port>` — the kline feed's `wsBaseUrl`. */
  get wsBaseUrl(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  /** The simulated now, ms UTC. */
  now(): number {
    return this.#now;
  }

  /**
   * Moves the clock forward to `t` (never back) and sends, to the connected clients, every kline
   * frame that falls in between, in time order.
   */
  advanceTo(t: number): void {
    if (t <= this.#now) return;
    const from = this.#now;
    this.#now = t;
    this.#hub.emit(from, t);
  }

  /** {@link advanceTo} `now + ms`. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  /** Adds or replaces a REST route (e.g. `route('POST', '/api/v3/order', handler)`). */
  route(method: string, path: string, handler: FakeHandler): void {
    this.router.route(method, path, handler);
  }

  /** Answers the next `times` requests to `path` with `reply` (default HTTP 503 + Binance error -1001). */
  failRest(path: string, times = 1, reply?: FakeReply): void {
    this.router.fail(path, times, reply);
  }

  /** REST requests received for `path` (e.g. `/api/v3/klines`), over all methods. */
  restCount(path: string): number {
    return this.router.count(path);
  }

  /** WebSocket counters: connections, refused upgrades, pongs received, frames sent. */
  get wsStats(): Readonly<StreamStats> {
    return this.#hub.stats;
  }

  /** Currently open WebSocket connections. */
  get wsOpen(): number {
    return this.#hub.openConnections;
  }

  /** Open time of the last candle of `symbol` whose final frame was sent to a client, or -Infinity. */
  lastFinalSent(symbol: string): number {
    return this.#hub.lastFinalSent(symbol);
  }

  /** True while WebSocket connections are refused (see {@link pauseWs}). */
  get wsPaused(): boolean {
    return this.#hub.paused;
  }

  /** Terminates every WebSocket connection abruptly. Returns how many there were. */
  dropAll(): number {
    return this.#hub.dropAll();
  }

  /** Refuses new WebSocket connections (HTTP 503) until the simulated clock has moved `ms` on. */
  pauseWs(ms: number): void {
    this.#hub.pauseWs(ms);
  }

  /** Accepts WebSocket connections again at once. */
  resumeWs(): void {
    this.#hub.resumeWs();
  }

  /** Delays every later WebSocket frame by `ms` of real time (0 = no delay); order is kept. */
  delayFrames(ms: number): void {
    this.#hub.delayFrames(ms);
  }

  /** The final (`x: true`) frame of this candle is never sent. */
  suppressFinalFrame(symbol: string, openTime: number): void {
    this.#hub.suppressFinalFrame(symbol, openTime);
  }

  /** Sends a raw text frame to every WebSocket client. */
  sendRaw(text: string): void {
    this.#hub.sendRaw(text);
  }

  /** Pings every WebSocket client; pongs are counted in `wsStats.pongs`. */
  ping(): void {
    this.#hub.ping();
  }

  /** Sends Binance's `serverShutdown` event to every WebSocket client. */
  sendServerShutdown(): void {
    this.#hub.sendServerShutdown();
  }

  /** Stops the server and drops every connection. */
  async close(): Promise<void> {
    this.#hub.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
