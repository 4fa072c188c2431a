/**
 * Binance spot trading endpoints for the fake exchange: a signed account with balances, market
 * orders that fill at once at the fake's current price, OCO order lists, cancels, open orders and
 * trade history — as far as ccxt's `binance` class and edgebot's live broker use them. Shapes and
 * error codes follow the Binance spot REST docs (rest-api.md, errors.md).
 *
 * Controls for tests: fill an OCO leg, delay a reply past the client's timeout (the order is
 * still created), inject errors, move a symbol's price, change balances, count orders.
 */
import { createHmac } from 'node:crypto';
import type { FakeBinance } from '../binance.js';
import { binanceError, type FakeReply, type FakeRequest } from './http.js';
import type { FakeMarket } from './market.js';

export interface TradingOptions {
  apiKey: string;
  secret: string;
  /** Free balances at start, per asset (`{ USDT: 10_000 }`). */
  balances: Record<string, number>;
  /** Commission per fill, fraction of the traded amount, charged in the asset received (Binance default 0.001). */
  commission?: number;
  /** The key's restrictions (`GET /sapi/v1/account/apiRestrictions`); default a safe key: no withdrawals, IP-restricted. */
  restrictions?: Partial<KeyRestrictions>;
}

/** What Binance reports about an API key (`GET /sapi/v1/account/apiRestrictions`; the flags edgebot reads). */
export interface KeyRestrictions {
  /** The key may withdraw funds. */
  enableWithdrawals: boolean;
  /** The key only works from the IPs on its allow-list. */
  ipRestrict: boolean;
  enableSpotAndMarginTrading: boolean;
  enableReading: boolean;
}

type Status = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

/** One order as the fake keeps it. Prices in quote, quantities in base. */
export interface FakeOrder {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  type: string;
  price: number;
  stopPrice: number;
  origQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: Status;
  timeInForce: string;
  time: number;
  updateTime: number;
}

/** An OCO order list: `above` (take profit) and `below` (stop) legs. */
export interface FakeOrderList {
  orderListId: number;
  listClientOrderId: string;
  symbol: string;
  above: FakeOrder;
  below: FakeOrder;
  status: 'EXECUTING' | 'ALL_DONE';
  time: number;
}

export interface FakeTrade {
  symbol: string;
  id: number;
  orderId: number;
  orderListId: number;
  price: number;
  qty: number;
  quoteQty: number;
  commission: number;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const s8 = (x: number) => x.toFixed(8);
const EPS = 1e-9;

/** The trading side of a fake Binance; see {@link installTrading}. */
export class FakeTrading {
  readonly orders: FakeOrder[] = [];
  readonly lists: FakeOrderList[] = [];
  readonly trades: FakeTrade[] = [];
  readonly balances = new Map<string, { free: number; locked: number }>();
  /** Order-creating requests that were accepted (market orders and OCO legs count separately). */
  readonly created = { orders: 0, lists: 0 };
  /** The key's restrictions as `GET /sapi/v1/account/apiRestrictions` reports them; tests may change them. */
  readonly restrictions: KeyRestrictions;
  readonly #delays = new Map<string, number>();
  readonly #priceFactor = new Map<string, number>();
  #rest = 0;
  #seq = 1000;
  #tradeSeq = 5000;
  apiKey: string;

  constructor(readonly fake: FakeBinance, readonly opts: TradingOptions) {
    this.apiKey = opts.apiKey;
    this.restrictions = { enableWithdrawals: false, ipRestrict: true, enableSpotAndMarginTrading: true, enableReading: true, ...opts.restrictions };
    for (const [a, v] of Object.entries(opts.balances)) this.balances.set(a, { free: v, locked: 0 });
  }

  // --- controls -------------------------------------------------------------------------------

  /** Entry orders (non-list orders) placed with this client id prefix, e.g. `eb-`. */
  marketOrders(prefix = ''): FakeOrder[] {
    return this.orders.filter((o) => o.orderListId === -1 && o.clientOrderId.startsWith(prefix));
  }

  /** The next request to `path` is processed, then answered only after `ms` of real time. */
  delayNext(path: string, ms: number): void {
    this.#delays.set(path, ms);
  }

  /** The next request to `path` (any method) gets `{code, msg}` with HTTP `status`, unprocessed. */
  failNext(path: string, code: number, msg: string, status = 400): void {
    this.fake.router.fail(path, 1, binanceError(status, code, msg));
  }

  /** The next `n` market orders are accepted but rest unfilled (status NEW), as in a market without liquidity. */
  restNext(n = 1): void {
    this.#rest = n;
  }

  /** Sets an asset's free balance. */
  setBalance(asset: string, free: number): void {
    this.#bal(asset).free = free;
  }

  /** Scales `symbol`'s prices (tickers and fills) by `factor` from now on; 1 restores them. */
  shiftPrice(symbol: string, factor: number): void {
    const m = this.#market(symbol);
    if (!this.#priceFactor.has(symbol)) {
      // The market-data routes read FakeMarket.priceAt; wrapping it on this instance moves
      // tickers and fills together without touching the market fake.
      const orig = m.priceAt.bind(m);
      m.priceAt = (t: number) => orig(t) * (this.#priceFactor.get(symbol) ?? 1);
    }
    this.#priceFactor.set(symbol, factor);
  }

  /** Fills one leg of an OCO at its limit price; the other leg expires (as Binance does). */
  fillOcoLeg(listClientOrderId: string, leg: 'target' | 'stop'): FakeOrder {
    const list = this.lists.find((l) => l.listClientOrderId === listClientOrderId);
    if (!list || list.status !== 'EXECUTING') throw new Error(`no executing order list ${listClientOrderId}`);
    const [fill, other] = leg === 'target' ? [list.above, list.below] : [list.below, list.above];
    const m = this.#market(list.symbol);
    const now = this.fake.now();
    const base = this.#bal(m.baseAsset);
    base.locked -= fill.origQty;
    this.#execute(m, fill, fill.price, fill.origQty, now, true);
    other.status = 'EXPIRED';
    other.updateTime = now;
    list.status = 'ALL_DONE';
    return fill;
  }

  // --- plumbing -------------------------------------------------------------------------------

  #market(symbol: string): FakeMarket {
    const m = this.fake.markets.get(symbol);
    if (!m) throw new Error(`fake has no market ${symbol}`);
    return m;
  }

  #bal(asset: string): { free: number; locked: number } {
    let b = this.balances.get(asset);
    if (!b) this.balances.set(asset, (b = { free: 0, locked: 0 }));
    return b;
  }

  /** Checks `X-MBX-APIKEY` and the HMAC-SHA256 `signature` over the other parameters. */
  #auth(req: FakeRequest): FakeReply | null {
    if (req.headers['x-mbx-apikey'] !== this.apiKey) return binanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const sig = req.params.get('signature');
    const rest = new URLSearchParams([...req.params].filter(([k]) => k !== 'signature'));
    // ccxt urlencodes the same way for the values used here (letters, digits, - _ .).
    const want = createHmac('sha256', this.opts.secret).update(rest.toString()).digest('hex');
    if (sig !== want) return binanceError(400, -1022, 'Signature for this request is not valid.');
    if (!req.params.has('timestamp')) return binanceError(400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    return null;
  }

  /** Wraps a handler with auth and the one-shot delay of `path`. */
  signed(path: string, f: (req: FakeRequest) => FakeReply): (req: FakeRequest) => Promise<FakeReply> {
    return async (req) => {
      const refused = this.#auth(req);
      const reply = refused ?? f(req);
      const delay = this.#delays.get(path);
      if (delay !== undefined) {
        this.#delays.delete(path);
        await sleep(delay);
      }
      return reply;
    };
  }

  #execute(m: FakeMarket, o: FakeOrder, price: number, qty: number, now: number, isMaker: boolean): void {
    const c = this.opts.commission ?? 0.001;
    const quote = this.#bal(m.quoteAsset);
    const base = this.#bal(m.baseAsset);
    let commission: number;
    let commissionAsset: string;
    if (o.side === 'BUY') {
      quote.free -= qty * price;
      commission = qty * c;
      commissionAsset = m.baseAsset;
      base.free += qty - commission;
    } else {
      commission = qty * price * c;
      commissionAsset = m.quoteAsset;
      quote.free += qty * price - commission;
    }
    o.executedQty = qty;
    o.cummulativeQuoteQty = qty * price;
    o.status = 'FILLED';
    o.updateTime = now;
    this.trades.push({
      symbol: m.symbol, id: ++this.#tradeSeq, orderId: o.orderId, orderListId: o.orderListId, price, qty, quoteQty: qty * price,
      commission, commissionAsset, time: now, isBuyer: o.side === 'BUY', isMaker,
    });
  }

  /** LOT_SIZE, PRICE_FILTER and NOTIONAL checks; null when they pass. */
  #filters(m: FakeMarket, qty: number, price: number, limitPrices: number[]): FakeReply | null {
    const step = Number(m.rules.stepSize);
    if (!(qty >= step - EPS) || Math.abs(qty / step - Math.round(qty / step)) > 1e-6) return binanceError(400, -1013, 'Filter failure: LOT_SIZE');
    const tick = Number(m.rules.tickSize);
    for (const p of limitPrices) {
      if (!(p > 0) || Math.abs(p / tick - Math.round(p / tick)) > 1e-6) return binanceError(400, -1013, 'Filter failure: PRICE_FILTER');
    }
    if (qty * price < Number(m.rules.minNotional) - EPS) return binanceError(400, -1013, 'Filter failure: NOTIONAL');
    return null;
  }

  #duplicate(id: string): boolean {
    return this.orders.some((o) => o.clientOrderId === id) || this.lists.some((l) => l.listClientOrderId === id);
  }

  newOrder(req: FakeRequest): FakeReply {
    const p = req.params;
    const m = this.fake.markets.get(p.get('symbol') ?? '');
    if (!m) return binanceError(400, -1121, 'Invalid symbol.');
    const type = p.get('type');
    const side = p.get('side');
    if (type !== 'MARKET') return binanceError(400, -1116, 'Invalid orderType.');
    if (side !== 'BUY' && side !== 'SELL') return binanceError(400, -1117, 'Invalid side.');
    const qty = Number(p.get('quantity'));
    const clientOrderId = p.get('newClientOrderId') ?? `fake${this.#seq + 1}`;
    if (this.#duplicate(clientOrderId)) return binanceError(400, -2010, 'Duplicate order sent.');
    const now = this.fake.now();
    const price = m.priceAt(now);
    const bad = this.#filters(m, qty, price, []);
    if (bad) return bad;
    const funds = side === 'BUY' ? this.#bal(m.quoteAsset).free >= qty * price - EPS : this.#bal(m.baseAsset).free >= qty - EPS;
    if (!funds) return binanceError(400, -2010, 'Account has insufficient balance for requested action.');
    const o: FakeOrder = {
      symbol: m.symbol, orderId: ++this.#seq, orderListId: -1, clientOrderId, side, type, price: 0, stopPrice: 0, origQty: qty,
      executedQty: 0, cummulativeQuoteQty: 0, status: 'NEW', timeInForce: 'GTC', time: now, updateTime: now,
    };
    this.orders.push(o);
    this.created.orders++;
    if (this.#rest > 0) {
      this.#rest--;
      return { body: { ...orderJson(o), transactTime: now, fills: [] } };
    }
    this.#execute(m, o, price, qty, now, false);
    const t = this.trades[this.trades.length - 1];
    return {
      body: {
        ...orderJson(o), transactTime: now,
        fills: [{ price: s8(t.price), qty: s8(t.qty), commission: s8(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id }],
      },
    };
  }

  #find(p: URLSearchParams): FakeOrder | undefined {
    const symbol = p.get('symbol');
    const id = p.get('orderId');
    const cid = p.get('origClientOrderId');
    return this.orders.find((o) => o.symbol === symbol && (id !== null ? String(o.orderId) === id : o.clientOrderId === cid));
  }

  getOrder(req: FakeRequest): FakeReply {
    const o = this.#find(req.params);
    return o ? { body: orderJson(o) } : binanceError(400, -2013, 'Order does not exist.');
  }

  cancelOrder(req: FakeRequest): FakeReply {
    const o = this.#find(req.params);
    if (!o || (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')) return binanceError(400, -2011, 'Unknown order sent.');
    if (o.orderListId !== -1) {
      // Cancelling one leg of an OCO cancels the whole list.
      this.#cancelList(this.lists.find((l) => l.orderListId === o.orderListId)!);
    } else {
      o.status = 'CANCELED';
      o.updateTime = this.fake.now();
    }
    return { body: { origClientOrderId: o.clientOrderId, ...orderJson(o) } };
  }

  #cancelList(l: FakeOrderList): void {
    const now = this.fake.now();
    for (const o of [l.above, l.below]) {
      o.status = 'CANCELED';
      o.updateTime = now;
    }
    const base = this.#bal(this.#market(l.symbol).baseAsset);
    base.locked -= l.above.origQty;
    base.free += l.above.origQty;
    l.status = 'ALL_DONE';
  }

  openOrders(req: FakeRequest): FakeReply {
    const symbol = req.params.get('symbol');
    return { body: this.orders.filter((o) => (!symbol || o.symbol === symbol) && o.status === 'NEW').map(orderJson) };
  }

  myTrades(req: FakeRequest): FakeReply {
    const p = req.params;
    const symbol = p.get('symbol');
    if (!this.fake.markets.has(symbol ?? '')) return binanceError(400, -1121, 'Invalid symbol.');
    const orderId = p.get('orderId');
    const start = Number(p.get('startTime') ?? -Infinity);
    const limit = Number(p.get('limit') ?? 500);
    const rows = this.trades.filter((t) => t.symbol === symbol && (orderId === null || String(t.orderId) === orderId) && t.time >= start);
    return {
      body: rows.slice(-limit).map((t) => ({
        symbol: t.symbol, id: t.id, orderId: t.orderId, orderListId: t.orderListId, price: s8(t.price), qty: s8(t.qty),
        quoteQty: s8(t.quoteQty), commission: s8(t.commission), commissionAsset: t.commissionAsset, time: t.time,
        isBuyer: t.isBuyer, isMaker: t.isMaker, isBestMatch: true,
      })),
    };
  }

  account(): FakeReply {
    const now = this.fake.now();
    return {
      body: {
        makerCommission: 10, takerCommission: 10, buyerCommission: 0, sellerCommission: 0,
        commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
        canTrade: true, canWithdraw: false, canDeposit: true, brokered: false, requireSelfTradePrevention: false, preventSor: false,
        updateTime: now, accountType: 'SPOT',
        balances: [...this.balances].map(([asset, b]) => ({ asset, free: s8(b.free), locked: s8(b.locked) })),
        permissions: ['SPOT'], uid: 1,
      },
    };
  }

  /** `GET /sapi/v1/account/apiRestrictions` (wallet endpoints doc): the key's permissions and IP allow-list flag. */
  apiRestrictions(): FakeReply {
    const r = this.restrictions;
    return {
      body: {
        ipRestrict: r.ipRestrict, createTime: Date.UTC(2021, 0, 1), enableInternalTransfer: false, enableFutures: false,
        enablePortfolioMarginTrading: false, enableVanillaOptions: false, permitsUniversalTransfer: false, enableReading: r.enableReading,
        enableSpotAndMarginTrading: r.enableSpotAndMarginTrading, enableWithdrawals: r.enableWithdrawals, enableMargin: false,
        enableFixApiTrade: false, enableFixReadOnly: false,
      },
    };
  }

  /** `POST /api/v3/orderList/oco`, SELL side: LIMIT_MAKER above, STOP_LOSS_LIMIT below. */
  newOco(req: FakeRequest): FakeReply {
    const p = req.params;
    const m = this.fake.markets.get(p.get('symbol') ?? '');
    if (!m) return binanceError(400, -1121, 'Invalid symbol.');
    if (p.get('side') !== 'SELL' || p.get('aboveType') !== 'LIMIT_MAKER' || p.get('belowType') !== 'STOP_LOSS_LIMIT') {
      return binanceError(400, -1106, 'fake binance: only SELL OCOs with aboveType LIMIT_MAKER and belowType STOP_LOSS_LIMIT');
    }
    if (!p.get('belowTimeInForce')) return binanceError(400, -1102, "Mandatory parameter 'belowTimeInForce' was not sent, was empty/null, or malformed.");
    const listId = p.get('listClientOrderId') ?? `list${this.#seq + 1}`;
    const aboveId = p.get('aboveClientOrderId') ?? `${listId}a`;
    const belowId = p.get('belowClientOrderId') ?? `${listId}b`;
    if (this.#duplicate(listId) || this.#duplicate(aboveId) || this.#duplicate(belowId)) return binanceError(400, -2010, 'Duplicate order sent.');
    const qty = Number(p.get('quantity'));
    const above = Number(p.get('abovePrice'));
    const below = Number(p.get('belowPrice'));
    const stop = Number(p.get('belowStopPrice'));
    const now = this.fake.now();
    const last = m.priceAt(now);
    const bad = this.#filters(m, qty, stop, [above, below, stop]);
    if (bad) return bad;
    if (!(above > last)) return binanceError(400, -2010, 'Order would immediately match and take.');
    if (!(stop < last)) return binanceError(400, -2010, 'Stop price would trigger immediately.');
    const base = this.#bal(m.baseAsset);
    if (base.free < qty - EPS) return binanceError(400, -2010, 'Account has insufficient balance for requested action.');
    base.free -= qty;
    base.locked += qty;
    const orderListId = ++this.#seq;
    const leg = (clientOrderId: string, type: string, price: number, stopPrice: number, tif: string): FakeOrder => ({
      symbol: m.symbol, orderId: ++this.#seq, orderListId, clientOrderId, side: 'SELL', type, price, stopPrice, origQty: qty,
      executedQty: 0, cummulativeQuoteQty: 0, status: 'NEW', timeInForce: tif, time: now, updateTime: now,
    });
    const list: FakeOrderList = {
      orderListId, listClientOrderId: listId, symbol: m.symbol, status: 'EXECUTING', time: now,
      above: leg(aboveId, 'LIMIT_MAKER', above, 0, 'GTC'),
      below: leg(belowId, 'STOP_LOSS_LIMIT', below, stop, p.get('belowTimeInForce')!),
    };
    this.orders.push(list.below, list.above);
    this.lists.push(list);
    this.created.lists++;
    return { body: { ...listJson(list), orderReports: [orderJson(list.below), orderJson(list.above)] } };
  }

  #findList(p: URLSearchParams): FakeOrderList | undefined {
    const id = p.get('orderListId');
    const cid = p.get('listClientOrderId') ?? p.get('origClientOrderId');
    return this.lists.find((l) => (id !== null ? String(l.orderListId) === id : l.listClientOrderId === cid));
  }

  getOrderList(req: FakeRequest): FakeReply {
    const l = this.#findList(req.params);
    return l ? { body: listJson(l) } : binanceError(400, -2013, 'Order list does not exist.');
  }

  cancelOrderList(req: FakeRequest): FakeReply {
    const l = this.#findList(req.params);
    if (!l || l.status !== 'EXECUTING') return binanceError(400, -2011, 'Unknown order sent.');
    this.#cancelList(l);
    return { body: { ...listJson(l), orderReports: [orderJson(l.below), orderJson(l.above)] } };
  }

  openOrderLists(): FakeReply {
    return { body: this.lists.filter((l) => l.status === 'EXECUTING').map(listJson) };
  }
}

function orderJson(o: FakeOrder) {
  return {
    symbol: o.symbol, orderId: o.orderId, orderListId: o.orderListId, clientOrderId: o.clientOrderId, price: s8(o.price),
    origQty: s8(o.origQty), executedQty: s8(o.executedQty), cummulativeQuoteQty: s8(o.cummulativeQuoteQty), status: o.status,
    timeInForce: o.timeInForce, type: o.type, side: o.side, stopPrice: s8(o.stopPrice), icebergQty: '0.00000000', time: o.time,
    updateTime: o.updateTime, isWorking: o.type !== 'STOP_LOSS_LIMIT', workingTime: o.time, origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

function listJson(l: FakeOrderList) {
  return {
    orderListId: l.orderListId, contingencyType: 'OCO', listStatusType: l.status === 'EXECUTING' ? 'EXEC_STARTED' : 'ALL_DONE',
    listOrderStatus: l.status, listClientOrderId: l.listClientOrderId, transactionTime: l.time, symbol: l.symbol,
    orders: [l.below, l.above].map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
  };
}

/**
 * Installs the signed trading endpoints on `fake` and returns their state and controls:
 * `GET /api/v3/account`, `POST|GET|DELETE /api/v3/order`, `GET /api/v3/openOrders`,
 * `GET /api/v3/myTrades`, `POST /api/v3/orderList/oco`, `GET|DELETE /api/v3/orderList`,
 * `GET /api/v3/openOrderList`, `GET /sapi/v1/account/apiRestrictions`. A wrong key answers 401
 * with -2015, a wrong signature -1022.
 */
export function installTrading(fake: FakeBinance, opts: TradingOptions): FakeTrading {
  const t = new FakeTrading(fake, opts);
  const r = fake.router;
  r.route('GET', '/api/v3/account', t.signed('/api/v3/account', () => t.account()));
  r.route('POST', '/api/v3/order', t.signed('/api/v3/order', (q) => t.newOrder(q)));
  r.route('GET', '/api/v3/order', t.signed('/api/v3/order', (q) => t.getOrder(q)));
  r.route('DELETE', '/api/v3/order', t.signed('/api/v3/order', (q) => t.cancelOrder(q)));
  r.route('GET', '/api/v3/openOrders', t.signed('/api/v3/openOrders', (q) => t.openOrders(q)));
  r.route('GET', '/api/v3/myTrades', t.signed('/api/v3/myTrades', (q) => t.myTrades(q)));
  r.route('POST', '/api/v3/orderList/oco', t.signed('/api/v3/orderList/oco', (q) => t.newOco(q)));
  r.route('GET', '/api/v3/orderList', t.signed('/api/v3/orderList', (q) => t.getOrderList(q)));
  r.route('DELETE', '/api/v3/orderList', t.signed('/api/v3/orderList', (q) => t.cancelOrderList(q)));
  r.route('GET', '/api/v3/openOrderList', t.signed('/api/v3/openOrderList', () => t.openOrderLists()));
  r.route('GET', '/sapi/v1/account/apiRestrictions', t.signed('/sapi/v1/account/apiRestrictions', () => t.apiRestrictions()));
  return t;
}
