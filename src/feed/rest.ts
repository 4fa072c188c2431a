/**
 * ccxt REST helpers for market data: an exchange factory whose API hosts can be pointed
 * elsewhere (a fake exchange on loopback, a proxy), paginated closed-candle history, and the
 * multi-symbol backfill the live feed uses for warm-up, catch-up after reconnects and REST polling.
 *
 * ccxt is big (~0.5 s and ~80 MB to import), so it is loaded lazily on first use only.
 */
import type { Exchange } from 'ccxt';
import type { Candle } from '../core/candle.js';
import { ConfigError, ExchangeError } from '../core/errors.js';
import { toCcxtSymbol } from '../core/instrument.js';
import { bucketOpen, timeframeMs, type Timeframe } from '../core/timeframe.js';
import { closeMatches } from './market-match.js';

type CcxtModule = typeof import('ccxt');
let ccxtModule: Promise<CcxtModule> | undefined;

/** Imports ccxt once, on first use. */
export function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import('ccxt');
  return ccxtModule;
}

/** Which exchange to talk to and where. */
export interface ExchangeConfig {
  /** ccxt exchange id, e.g. `binance`, `krakenfutures`. */
  id: string;
  /**
   * Replaces the scheme and host of every REST API URL of the exchange, keeping the path
   * (`https://api.binance.com/api/v3` → `${restBaseUrl}/api/v3`). Default: the exchange's own hosts.
   */
  restBaseUrl?: string;
  /** Minimum spacing of requests in ms (ccxt `rateLimit`, scaled by each endpoint's cost). Default: the exchange's. */
  rateLimitMs?: number;
  /** Per-request timeout, ms. Default 10 000. */
  timeoutMs?: number;
  /** API credentials (only needed by the live broker; market data is public). */
  apiKey?: string;
  secret?: string;
  password?: string;
  /** Extra ccxt `options`, merged over edgebot's defaults. */
  options?: Record<string, unknown>;
}

/**
 * Options that keep Binance's `loadMarkets` to one public call (`GET /api/v3/exchangeInfo`):
 * edgebot trades spot only, and currencies come from the markets.
 */
const BINANCE_OPTIONS = { fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false };

/**
 * Creates a ccxt exchange with rate limiting on and, when `restBaseUrl` is set, every REST URL
 * (`urls.api`, and the `test`/`demo` sets sandbox mode switches to) rewritten to that base.
 * @throws ExchangeError (permanent) for an unknown exchange id
 */
export async function createExchange(cfg: ExchangeConfig): Promise<Exchange> {
  const ccxt = await loadCcxt();
  // `exchanges` maps every id to its class (the module also exports non-exchange names).
  const classes = ccxt.exchanges as unknown as Record<string, (new (o: object) => Exchange) | undefined>;
  const Ctor = Object.hasOwn(classes, cfg.id) ? classes[cfg.id] : undefined;
  if (typeof Ctor !== 'function') {
    throw new ExchangeError(`unknown ccxt exchange id "${cfg.id}"`, false);
  }
  const ex = new Ctor({
    enableRateLimit: true,
    timeout: cfg.timeoutMs ?? 10_000,
    ...(cfg.rateLimitMs === undefined ? {} : { rateLimit: cfg.rateLimitMs }),
    ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
    ...(cfg.secret ? { secret: cfg.secret } : {}),
    ...(cfg.password ? { password: cfg.password } : {}),
  });
  ex.options = { ...ex.options, ...(cfg.id === 'binance' ? BINANCE_OPTIONS : {}), ...cfg.options };
  if (cfg.restBaseUrl) {
    const urls = ex.urls as Record<string, unknown>;
    for (const key of ['api', 'test', 'demo']) {
      if (urls[key] !== undefined) urls[key] = rebase(urls[key], cfg.restBaseUrl);
    }
  }
  return ex;
}

/** Rewrites every http(s) URL string inside `v` (string, array or nested object) onto `base`. */
function rebase(v: unknown, base: string): unknown {
  const root = base.replace(/\/+$/, '');
  if (typeof v === 'string') {
    const m = /^https?:\/\/[^/]+(\/.*)?$/i.exec(v);
    return m ? root + (m[1] ?? '') : v;
  }
  if (Array.isArray(v)) return v.map((x) => rebase(x, base));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rebase(x, base)]));
  }
  return v;
}

/**
 * Maps a ccxt error to an {@link ExchangeError}. Permanent: a bad request or symbol, missing or
 * refused credentials, an unsupported call — retrying cannot help. Everything else (network
 * trouble, timeouts, rate limits, outages, Binance's "internal error, please try again") is
 * temporary: retry with backoff.
 */
export async function toExchangeError(e: unknown, what: string): Promise<ExchangeError> {
  if (e instanceof ExchangeError) return e;
  const ccxt = await loadCcxt();
  // A RangeError or ConfigError is edgebot's own verdict on the input (a symbol it cannot place):
  // retrying cannot help, and treating it as temporary once meant retrying for ever.
  if (e instanceof ConfigError) return new ExchangeError(`${what}: ${e.message}`, false, { cause: e });
  const permanent =
    e instanceof RangeError ||
    e instanceof ccxt.BadRequest ||
    e instanceof ccxt.AuthenticationError ||
    e instanceof ccxt.NotSupported ||
    e instanceof ccxt.ArgumentsRequired;
  const temporary = !permanent;
  const msg = e instanceof Error ? e.message : String(e);
  return new ExchangeError(`${what}: ${msg}`, temporary, { cause: e });
}

/**
 * The ccxt market symbol for an edgebot symbol: the symbol itself if ccxt knows it
 * (`BTC/USDT`, `BTC/USD:USD`), else the market whose exchange id it is (`BTCUSDT` on Binance,
 * `PF_XBTUSD` on Kraken Futures), else `BASE/quote`.
 * @throws ConfigError naming the symbol and the venue's closest market symbols
 */
export async function resolveMarket(ex: Exchange, symbol: string, quote = 'USDT'): Promise<string> {
  const markets = await ex.loadMarkets();
  if (markets[symbol]) return symbol;
  const byId = (ex.markets_by_id as Record<string, { symbol: string }[] | undefined> | undefined)?.[symbol];
  if (byId?.[0]) return byId[0].symbol;
  let guess: string | undefined;
  try {
    guess = toCcxtSymbol(symbol, quote);
  } catch {
    guess = undefined; // not a `quote` pair: no guess
  }
  if (guess && markets[guess]) return guess;
  const near = closeMatches(guess ?? symbol, Object.values(markets) as never[]);
  throw new ConfigError(`${ex.id} has no market ${symbol}${near.length ? `; close matches: ${near.join(', ')}` : ''}`, 'symbol');
}

/** What {@link fetchHistory} fetches. Times ms UTC. */
export interface HistoryRequest {
  /** edgebot symbol (`BTCUSDT`) or ccxt market symbol. */
  symbol: string;
  /** The ccxt market symbol when already resolved (`BTC/USD:USD`); default: resolved from `symbol`. */
  market?: string;
  timeframe: Timeframe;
  /** First open time wanted (inclusive). */
  since: number;
  /** Open times before this (exclusive); default: up to now. */
  until?: number;
  /** The current time: candles closing after it are still forming and are left out. */
  now: number;
  /** Rows per request (max 1000 on Binance). Smaller pages cost less rate-limit weight. */
  pageLimit?: number;
}

/**
 * Closed candles of one symbol with open time in [since, until), oldest first, without
 * duplicates, paginating `fetchOHLCV`. The still-open last row the exchange reports is dropped
 * (close time > now). Rows the exchange does not have (its own gaps) are simply absent.
 * @throws ExchangeError (temporary for network trouble and rate limits)
 */
export async function fetchHistory(ex: Exchange, req: HistoryRequest): Promise<Candle[]> {
  const tfMs = timeframeMs(req.timeframe);
  // Last open time whose candle has closed by `now`.
  const end = Math.min(req.until ?? Infinity, bucketOpen(req.now, req.timeframe) - tfMs + 1);
  const pageLimit = req.pageLimit ?? 1000;
  const out: Candle[] = [];
  let market: string;
  try {
    market = req.market ?? (await resolveMarket(ex, req.symbol));
  } catch (e) {
    throw await toExchangeError(e, `${ex.id} loadMarkets`);
  }
  let cursor = bucketOpen(req.since + tfMs - 1, req.timeframe);
  while (cursor < end) {
    const limit = Math.max(1, Math.min(pageLimit, Math.ceil((end - cursor) / tfMs)));
    let rows: (number | undefined)[][];
    try {
      rows = await ex.fetchOHLCV(market, req.timeframe, cursor, limit, { until: end - 1 });
    } catch (e) {
      throw await toExchangeError(e, `${ex.id} fetchOHLCV ${market} ${req.timeframe}`);
    }
    // ccxt parses the venue's JSON; a broken body must not become a TypeError here.
    if (!Array.isArray(rows)) throw new ExchangeError(`${ex.id} fetchOHLCV ${market} ${req.timeframe}: not a list of rows`, true);
    let next = cursor;
    for (const r of rows) {
      const c = rowToCandle(r, tfMs);
      if (!c) continue;
      const t = c.openTime;
      if (!(t >= cursor) || t >= end) continue;
      if (out.length && t <= out[out.length - 1].openTime) continue;
      out.push(c);
      next = t + tfMs;
    }
    // No row past the cursor: the exchange has nothing more in range (or ignores `since`).
    if (next === cursor) break;
    cursor = next;
  }
  return out;
}

/**
 * One ccxt OHLCV row `[openTime ms, open, high, low, close, volume]` as a candle (close time =
 * open + `tfMs`). Returns null when the row cannot be placed in time (not an array, open time not
 * a finite integer on the `tfMs` grid): such a row would move the feed's high-water mark.
 * Prices and volume are converted as given (missing or non-numeric → NaN), so the pipeline's
 * validator (`checkCandle` in src/feed/validate.ts) drops, counts and logs a bad candle as it does for every feed.
 * Never throws.
 */
export function rowToCandle(row: unknown, tfMs: number): Candle | null {
  if (!Array.isArray(row)) return null;
  const t = num(row[0]);
  if (!Number.isInteger(t) || t < 0 || t % tfMs !== 0) return null;
  return { openTime: t, closeTime: t + tfMs, open: num(row[1]), high: num(row[2]), low: num(row[3]), close: num(row[4]), volume: num(row[5]) };
}

/** A number from a ccxt cell (number or numeric string), else NaN. */
function num(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.trim() !== '') return Number(x);
  return NaN;
}

/** One symbol's catch-up: closed candles with open time ≥ `from`. */
export interface BackfillRequest {
  symbol: string;
  /** Its ccxt market symbol, when resolved at start (`BTC/USD:USD`). */
  market?: string;
  /** First open time wanted, ms UTC. */
  from: number;
}

/** A backfilled candle of one symbol. */
export interface SymbolCandle {
  symbol: string;
  candle: Candle;
}

/**
 * Fetches the closed candles missed by several symbols (each from its own `from` up to `now`)
 * and merges them in close-time order, ties in the order of `requests` — the order a live
 * feed would have delivered them in.
 * @throws ExchangeError when any fetch fails (nothing is returned then; retry the whole call)
 */
export async function backfill(
  ex: Exchange,
  requests: readonly BackfillRequest[],
  timeframe: Timeframe,
  now: number,
  pageLimit?: number,
): Promise<SymbolCandle[]> {
  const lists: Candle[][] = [];
  for (const r of requests) {
    lists.push(await fetchHistory(ex, { symbol: r.symbol, ...(r.market ? { market: r.market } : {}), timeframe, since: r.from, now, pageLimit }));
  }
  return mergeByOpenTime(requests.map((r) => r.symbol), lists);
}

/** k-way merge of per-symbol ascending candle lists by open time; ties keep the symbols' order. */
export function mergeByOpenTime(symbols: readonly string[], lists: readonly Candle[][]): SymbolCandle[] {
  const pos = lists.map(() => 0);
  const out: SymbolCandle[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      if (pos[i] < lists[i].length && (best < 0 || lists[i][pos[i]].openTime < lists[best][pos[best]].openTime)) best = i;
    }
    if (best < 0) return out;
    out.push({ symbol: symbols[best], candle: lists[best][pos[best]++] });
  }
}

/**
 * When to poll over REST: once per base interval, `graceMs` after each close, so the exchange
 * has the closed candle by then. Times ms on the feed's clock.
 */
export class PollSchedule {
  #next = -Infinity;

  constructor(readonly timeframe: Timeframe, readonly graceMs: number) {}

  /** True when a poll is due at `now`. */
  due(now: number): boolean {
    return now >= this.#next;
  }

  /** Records a poll at `now`; the next is due `graceMs` after the next close. */
  polled(now: number): void {
    this.#next = bucketOpen(now - this.graceMs, this.timeframe) + timeframeMs(this.timeframe) + this.graceMs;
  }

  /** Makes a poll due at once (the WebSocket just went down). */
  asap(): void {
    this.#next = -Infinity;
  }

  /** When the next poll is due, ms. */
  get next(): number {
    return this.#next;
  }
}
