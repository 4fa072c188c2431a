import type { Timeframe } from '../../../src/core/timeframe.js';
import { binanceError, type FakeReply, type FakeRequest, type FakeRouter } from './http.js';
import { fmt8, type FakeMarket } from './market.js';

/** What the market-data routes need from the fake: its markets and its simulated now. */
export interface MarketContext {
  markets: Map<string, FakeMarket>;
  now(): number;
}

const DAY = 86_400_000;

/**
 * Installs Binance's public spot market-data endpoints on `router`: ping, time, exchangeInfo,
 * klines, ticker/24hr, ticker/price, ticker/bookTicker. Shapes follow the Binance spot REST docs,
 * as far as ccxt's `binance` parser reads them.
 */
export function installMarketRoutes(router: FakeRouter, ctx: MarketContext): void {
  router.route('GET', '/api/v3/ping', () => ({ body: {} }));
  router.route('GET', '/api/v3/time', () => ({ body: { serverTime: ctx.now() } }));
  router.route('GET', '/api/v3/exchangeInfo', () => ({ body: exchangeInfo(ctx) }));
  router.route('GET', '/api/v3/klines', (req) => klines(ctx, req));
  router.route('GET', '/api/v3/ticker/24hr', (req) => perSymbol(ctx, req, (m) => ticker24h(m, ctx.now())));
  router.route('GET', '/api/v3/ticker/price', (req) =>
    perSymbol(ctx, req, (m) => ({ symbol: m.symbol, price: m.formatPrice(m.priceAt(ctx.now())) })),
  );
  router.route('GET', '/api/v3/ticker/bookTicker', (req) => perSymbol(ctx, req, (m) => bookTicker(m, ctx.now())));
}

function exchangeInfo(ctx: MarketContext) {
  return {
    timezone: 'UTC',
    serverTime: ctx.now(),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: [...ctx.markets.values()].map((m) => ({
      symbol: m.symbol,
      status: 'TRADING',
      baseAsset: m.baseAsset,
      baseAssetPrecision: 8,
      quoteAsset: m.quoteAsset,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: m.rules.tickSize, maxPrice: '1000000.00000000', tickSize: m.rules.tickSize },
        { filterType: 'LOT_SIZE', minQty: m.rules.stepSize, maxQty: '9000000.00000000', stepSize: m.rules.stepSize },
        { filterType: 'ICEBERG_PARTS', limit: 10 },
        { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '1000.00000000', stepSize: '0.00000000' },
        { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 },
        { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2', avgPriceMins: 5 },
        { filterType: 'NOTIONAL', minNotional: m.rules.minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
        { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
      ],
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    })),
  };
}

const INTERVALS: Record<string, Timeframe> = { '1m': '1m', '5m': '5m', '15m': '15m', '30m': '30m', '1h': '1h', '4h': '4h' };

/**
 * `GET /api/v3/klines` as Binance answers it: rows with open time in [startTime, endTime],
 * at most `limit` (default 500, max 1000); without startTime the latest rows up to endTime.
 * Only candles that have started by the fake's now are listed, and the last one may still be
 * forming. Only the data's own interval is served (the fake does not aggregate).
 */
function klines(ctx: MarketContext, req: FakeRequest): FakeReply {
  const m = ctx.markets.get(req.params.get('symbol') ?? '');
  if (!m) return binanceError(400, -1121, 'Invalid symbol.');
  const interval = req.params.get('interval') ?? '';
  if (!(interval in INTERVALS)) return binanceError(400, -1120, 'Invalid interval.');
  if (INTERVALS[interval] !== m.series.timeframe) {
    return binanceError(400, -1120, `fake binance serves only ${m.series.timeframe} klines for ${m.symbol}`);
  }
  const limit = Math.min(1000, Math.max(1, Number(req.params.get('limit') ?? 500)));
  const now = ctx.now();
  const start = req.params.has('startTime') ? Number(req.params.get('startTime')) : undefined;
  const end = Math.min(req.params.has('endTime') ? Number(req.params.get('endTime')) : Infinity, now);
  // Last index with open time ≤ end (the candle must have started).
  const last = m.lowerBound(Math.floor(end) + 1) - 1;
  let from: number;
  let to: number;
  if (start !== undefined) {
    from = m.lowerBound(start);
    to = Math.min(last, from + limit - 1);
  } else {
    to = last;
    from = Math.max(0, to - limit + 1);
  }
  const rows: unknown[] = [];
  for (let i = from; i <= to; i++) {
    const k = m.valuesAt(i, now);
    rows.push([
      k.openTime,
      fmt8(k.open),
      fmt8(k.high),
      fmt8(k.low),
      fmt8(k.close),
      fmt8(k.volume),
      k.closeTime,
      fmt8(k.volume * k.close),
      0,
      '0.00000000',
      '0.00000000',
      '0',
    ]);
  }
  return { body: rows };
}

/** Answers for one `symbol`, a JSON list `symbols`, or all markets (Binance's three forms). */
function perSymbol(ctx: MarketContext, req: FakeRequest, f: (m: FakeMarket) => unknown): FakeReply {
  const one = req.params.get('symbol');
  if (one !== null) {
    const m = ctx.markets.get(one);
    return m ? { body: f(m) } : binanceError(400, -1121, 'Invalid symbol.');
  }
  let names: string[] | undefined;
  const many = req.params.get('symbols');
  if (many !== null) {
    try {
      names = JSON.parse(many) as string[];
    } catch {
      return binanceError(400, -1100, 'Illegal characters found in parameter symbols.');
    }
  }
  const list = names ? names.map((n) => ctx.markets.get(n)) : [...ctx.markets.values()];
  if (list.some((m) => !m)) return binanceError(400, -1121, 'Invalid symbol.');
  return { body: list.map((m) => f(m!)) };
}

function ticker24h(m: FakeMarket, now: number) {
  const from = m.lowerBound(now - DAY);
  const to = m.lowerBound(now + 1) - 1;
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  let quoteVolume = 0;
  for (let i = from; i <= to; i++) {
    const k = m.valuesAt(i, now);
    if (k.high > high) high = k.high;
    if (k.low < low) low = k.low;
    volume += k.volume;
    quoteVolume += k.volume * k.close;
  }
  const open = from <= to ? m.series.open[from] : NaN;
  const last = m.priceAt(now);
  const { bid, ask } = quote(m, last);
  return {
    symbol: m.symbol,
    priceChange: m.formatPrice(last - open),
    priceChangePercent: (((last - open) / open) * 100).toFixed(3),
    weightedAvgPrice: m.formatPrice(volume > 0 ? quoteVolume / volume : last),
    prevClosePrice: m.formatPrice(from > 0 ? m.series.close[from - 1] : open),
    lastPrice: m.formatPrice(last),
    lastQty: m.rules.stepSize,
    bidPrice: m.formatPrice(bid),
    bidQty: '1.00000000',
    askPrice: m.formatPrice(ask),
    askQty: '1.00000000',
    openPrice: m.formatPrice(open),
    highPrice: m.formatPrice(high),
    lowPrice: m.formatPrice(low),
    volume: volume.toFixed(8),
    quoteVolume: quoteVolume.toFixed(8),
    openTime: now - DAY,
    closeTime: now,
    firstId: 0,
    lastId: 0,
    count: 0,
  };
}

/** Best bid at the last price, best ask one tick above. */
function quote(m: FakeMarket, last: number): { bid: number; ask: number } {
  return { bid: last, ask: last + Number(m.rules.tickSize) };
}

function bookTicker(m: FakeMarket, now: number) {
  const { bid, ask } = quote(m, m.priceAt(now));
  return { symbol: m.symbol, bidPrice: m.formatPrice(bid), bidQty: '1.00000000', askPrice: m.formatPrice(ask), askQty: '1.00000000' };
}
