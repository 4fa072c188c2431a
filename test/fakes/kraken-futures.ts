/**
 * A fake Kraken Futures on loopback: the public REST endpoints ccxt's `krakenfutures` class reads
 * (`GET /derivatives/api/v3/instruments` for loadMarkets, `/tickers` and `/tickers/{symbol}`,
 * and the charts `GET /api/charts/v1/{price_type}/{symbol}/{interval}?from=&to=` in seconds),
 * answering in the JSON shapes ccxt parses, with a simulated clock the test advances. It serves
 * the project's real Binance candles under Kraken's perpetual ids: `BTCUSDT` data becomes
 * `PF_XBTUSD` (ccxt `BTC/USD:USD`), `ETHUSDT` `PF_ETHUSD`, and so on. Next to the perpetuals it
 * lists what the real venue lists too — an inverse perpetual, a dated future, an index — so
 * market resolution has to pick the right one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/core/clock.js';
import { timeframeMs } from '../../src/core/timeframe.js';
import type { CandleSeries } from '../../src/feed/csv.js';
import { FakeRouter, type FakeReply } from './binance/http.js';

/** Options of {@link FakeKrakenFutures.start}. */
export interface FakeKrakenOptions {
  /** Candles per data symbol (`BTCUSDT` …, all of one timeframe); each becomes `PF_<base>USD`. */
  series: CandleSeries[];
  /** The fake's initial now, ms UTC. */
  now: number;
}

/** Kraken's perpetual id for a data symbol: `BTCUSDT` → `PF_XBTUSD` (Kraken spells bitcoin XBT). */
export function krakenPerpId(dataSymbol: string): string {
  const base = dataSymbol.replace(/USDT$/, '');
  return `PF_${base === 'BTC' ? 'XBT' : base}USD`;
}

/** Kraken's chart intervals, as ccxt's `timeframes` map sends them. */
const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '12h', '1d', '1w'];

/** A running fake. Create with {@link FakeKrakenFutures.start}, stop with {@link close}. */
export class FakeKrakenFutures {
  readonly router = new FakeRouter();
  /** Kraken id (`PF_XBTUSD`) → its candles. */
  readonly series = new Map<string, CandleSeries>();
  #now: number;
  #server!: Server;
  #port = 0;

  /** The fake's simulated clock, to hand to the code under test. */
  readonly clock: Clock = { now: () => this.#now };

  private constructor(opts: FakeKrakenOptions) {
    this.#now = opts.now;
    for (const s of opts.series) this.series.set(krakenPerpId(s.symbol), s);
    this.#routes();
  }

  /** Starts the fake on 127.0.0.1 on a free port. */
  static async start(opts: FakeKrakenOptions): Promise<FakeKrakenFutures> {
    const fake = new FakeKrakenFutures(opts);
    const server = createServer((req, res) => void fake.router.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.#server = server;
    fake.#port = (server.address() as AddressInfo).port;
    return fake;
  }

  /** `http://127.0.0.1:<port>` — config `exchange.restBaseUrl`. */
  get restBaseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The simulated now, ms UTC. */
  now(): number {
    return this.#now;
  }

  /** Moves the clock forward to `t` (never back). */
  advanceTo(t: number): void {
    if (t > this.#now) this.#now = t;
  }

  /** Answers the next `times` requests to `path` with `reply` (default HTTP 503). */
  failRest(path: string, times = 1, reply: FakeReply = { status: 503, body: { result: 'error', error: 'Service Unavailable' } }): void {
    this.router.fail(path, times, reply);
  }

  /** REST requests received for `path`, over all methods. */
  restCount(path: string): number {
    return this.router.count(path);
  }

  /** Chart requests received for one Kraken id, over every price type and interval. */
  chartRequests(id: string): number {
    let n = 0;
    for (const [k, v] of this.router.requests) if (k.startsWith('GET /api/charts/v1/') && k.includes(`/${id}/`)) n += v;
    return n;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #serverTime(): string {
    return new Date(this.#now).toISOString();
  }

  #routes(): void {
    const r = this.router;
    r.route('GET', '/derivatives/api/v3/instruments', () => ({ body: { result: 'success', instruments: this.#instruments(), serverTime: this.#serverTime() } }));
    r.route('GET', '/derivatives/api/v3/tickers', () => ({
      body: { result: 'success', tickers: [...this.series.keys()].map((id) => this.#ticker(id)), serverTime: this.#serverTime() },
    }));
    for (const id of this.series.keys()) {
      r.route('GET', `/derivatives/api/v3/tickers/${id}`, () => ({ body: { result: 'success', ticker: this.#ticker(id), serverTime: this.#serverTime() } }));
      for (const priceType of ['trade', 'mark', 'spot']) {
        for (const interval of INTERVALS) {
          r.route('GET', `/api/charts/v1/${priceType}/${id}/${interval}`, (req) => this.#candles(id, interval, req.params));
        }
      }
    }
  }

  /** Kraken's instrument list: one linear (multi-collateral) perpetual per series, plus the other kinds the venue lists. */
  #instruments(): unknown[] {
    const perps = [...this.series.entries()].map(([id, s]) => {
      const base = id.slice(3, -3);
      const last = s.close[s.length - 1];
      return {
        symbol: id, type: 'flexible_futures', tradeable: true, tickSize: tickSize(last), contractSize: 1,
        contractValueTradePrecision: 4, impactMidSize: 1, maxPositionSize: 1_000_000, openingDate: '2022-09-01T00:00:00.000Z',
        marginLevels: [{ numNonContractUnits: 0, initialMargin: 0.02, maintenanceMargin: 0.01 }],
        fundingRateCoefficient: 8, maxRelativeFundingRate: 0.25, isin: 'GB00J62YGL67', postOnly: false, feeScheduleUid: 'eef90775-995b-4596-9257-0917f6134766',
        retailMarginLevels: [{ numNonContractUnits: 0, initialMargin: 0.5, maintenanceMargin: 0.25 }],
        category: 'Layer 1', tags: [], base, quote: 'USD', pair: `${base}:USD`,
      };
    });
    return [
      ...perps,
      // The inverse perpetual (settled in bitcoin), a dated future and an index: never what edgebot picks.
      { symbol: 'PI_XBTUSD', type: 'futures_inverse', underlying: 'rr_xbtusd', tickSize: 0.5, contractSize: 1, tradeable: true, contractValueTradePrecision: 0, tags: [] },
      { symbol: 'FF_XBTUSD_260925', type: 'flexible_futures', underlying: 'rr_xbtusd', lastTradingTime: '2026-09-25T15:00:00.000Z', tickSize: 1, contractSize: 1, tradeable: true, contractValueTradePrecision: 4, tags: [] },
      { symbol: 'in_xbtusd', type: 'spot index', tradeable: false },
    ];
  }

  /** The ticker of one perpetual at the simulated now: last = the last closed candle's close. */
  #ticker(id: string): Record<string, unknown> {
    const s = this.series.get(id)!;
    const ms = timeframeMs(s.timeframe);
    let i = -1;
    while (i + 1 < s.length && s.openTime[i + 1] + ms <= this.#now) i++;
    const last = i >= 0 ? s.close[i] : s.open[0];
    const tick = tickSize(last);
    return {
      tag: 'perpetual', pair: `${id.slice(3, -3)}:USD`, symbol: id, markPrice: last, bid: last - tick, bidSize: 1, ask: last + tick, askSize: 1,
      vol24h: 1000, openInterest: 5000, open24h: last, indexPrice: last, last, lastTime: new Date(i >= 0 ? s.openTime[i] + ms : this.#now).toISOString(),
      lastSize: 0.1, suspended: false, fundingRate: 0, fundingRatePrediction: 0, postOnly: false,
    };
  }

  /**
   * Candles with open time in [from, to] (seconds, inclusive, as Kraken takes them) that have
   * opened by now — the still-forming one included, as the real venue sends it. At most 2,000.
   * The interval must be the data's own (the fake does not aggregate).
   */
  #candles(id: string, interval: string, params: URLSearchParams): FakeReply {
    const s = this.series.get(id)!;
    if (interval !== s.timeframe) return { status: 400, body: { result: 'error', error: `fake kraken: only ${s.timeframe} candles for ${id}` } };
    const from = params.has('from') ? Number(params.get('from')) * 1000 : -Infinity;
    const to = params.has('to') ? Number(params.get('to')) * 1000 : Infinity;
    const candles: unknown[] = [];
    let more = false;
    for (let i = 0; i < s.length; i++) {
      const t = s.openTime[i];
      if (t < from || t > to || t > this.#now) continue;
      if (candles.length === 2000) {
        more = true;
        break;
      }
      candles.push({ time: t, open: String(s.open[i]), high: String(s.high[i]), low: String(s.low[i]), close: String(s.close[i]), volume: s.volume[i] });
    }
    return { body: { candles, more_candles: more } };
  }
}

/** A tick size about 1/100,000 of the price, a power of ten (as Kraken's are). */
function tickSize(price: number): number {
  return 10 ** Math.floor(Math.log10(Math.max(price, 1e-9)) - 5);
}
