/**
 * The live broker's port to one spot exchange through ccxt: markets and their trading rules
 * (precision, LOT_SIZE, minimum notional, order types), quotes, balances, market orders with a
 * client order id, lookups and cancels by client id, fills with fees, and protective orders —
 * a Binance OCO through ccxt's implicit API (`POST /api/v3/orderList/oco`), a lone stop order
 * where the venue has stop orders but no OCO. Every failure is a {@link VenueError}.
 *
 * Units: prices and fees in quote currency, quantities in base asset, times ms UTC.
 */
import type { Exchange, Order, Ticker, Trade as CcxtTrade } from 'ccxt';
import { toVenueError, VenueError } from './errors.js';
import type { KeyCheck } from './key-check.js';

/** An order as edgebot needs it. `filled` may be partial on a cancelled order. */
export interface VenueOrder {
  id: string;
  clientId: string;
  status: 'open' | 'filled' | 'cancelled' | 'rejected';
  filled: number;
  average?: number;
  timestamp?: number;
  /** Fees reported with the order (Binance FULL responses); empty when the venue omits them. */
  fees: { currency: string; cost: number }[];
}

/** What filled on one order, from the venue's trade history. */
export interface Fill {
  qty: number;
  avgPrice: number;
  /** Fees in quote currency, base-asset fees converted at the fill price. */
  feeQuote: number;
  /** Fees charged in the base asset. */
  feeBase: number;
  time: number;
}

/** A sell OCO protecting a long: take profit above (LIMIT_MAKER), stop-limit below. */
export interface OcoRequest {
  symbol: string;
  qty: number;
  target: number;
  stop: number;
  /** Limit price of the stop leg, a little under the trigger so it fills in a fast fall. */
  stopLimit: number;
  listClientId: string;
  targetClientId: string;
  stopClientId: string;
}

export type ProtectionKind = 'oco' | 'stop' | 'engine';

/** Binance spot order-list states (GET /api/v3/orderList `listOrderStatus`). */
export interface OcoState {
  listId: string;
  /** ALL_DONE: one leg filled or both were cancelled/expired. */
  done: boolean;
}

const STATUS: Record<string, VenueOrder['status']> = {
  open: 'open', closed: 'filled', canceled: 'cancelled', expired: 'cancelled', rejected: 'rejected',
};

export class ExchangeBroker {
  constructor(readonly ex: Exchange, readonly quote: string) {}

  get venue(): string {
    return this.ex.id;
  }

  async #call<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw toVenueError(e);
    }
  }

  /** Whether ccxt sends to the venue's testnet (`exchange.sandbox`). */
  get sandbox(): boolean {
    return this.ex.isSandboxModeEnabled === true;
  }

  /**
   * The API key's restrictions: on Binance `GET /sapi/v1/account/apiRestrictions` (ccxt implicit
   * `sapiGetAccountApiRestrictions`); `unsupported` on the testnet, which has no such endpoint
   * (ccxt knows no testnet URL for `/sapi`); `skipped` off Binance (no such ccxt method).
   * @throws VenueError when the venue refuses the key, cannot be reached, or answers without
   * the withdrawal flag (on the real venue: an unchecked key does not start)
   */
  async keyRestrictions(): Promise<KeyCheck> {
    const ex = this.ex as unknown as Partial<BinanceImplicit>;
    if (!this.ex.id.startsWith('binance') || typeof ex.sapiGetAccountApiRestrictions !== 'function') return { status: 'skipped' };
    let res: { enableWithdrawals?: unknown; ipRestrict?: unknown };
    try {
      res = await ex.sapiGetAccountApiRestrictions();
    } catch (e) {
      const err = toVenueError(e);
      // The testnet has no wallet endpoints: ccxt refuses to send (NotSupported), or the host
      // answers 404. On the real venue every failure stops the start: the key stays unchecked.
      if (this.sandbox && (isNotSupported(e) || !['auth', 'network', 'rate-limit'].includes(err.kind))) return { status: 'unsupported' };
      throw err;
    }
    if (typeof res.enableWithdrawals !== 'boolean') {
      // Unknown is not safe: without the flag, the key may be able to withdraw.
      throw new VenueError('exchange', 'apiRestrictions answered without enableWithdrawals; cannot tell whether the key can withdraw', false, false);
    }
    return { status: 'checked', withdrawals: res.enableWithdrawals, ipRestricted: res.ipRestrict === true };
  }

  /** Loads markets once (Binance: `GET /api/v3/exchangeInfo`). */
  async load(): Promise<void> {
    await this.#call(() => this.ex.loadMarkets());
  }

  /** The ccxt market for an edgebot symbol (BTCUSDT → BTC/USDT). Markets must be loaded. */
  market(symbol: string): string {
    const markets = this.ex.markets ?? {};
    if (markets[symbol]) return symbol;
    const byId = (this.ex.markets_by_id as Record<string, { symbol: string }[] | undefined> | undefined)?.[symbol];
    if (byId?.[0]) return byId[0].symbol;
    throw new VenueError('invalid-order', `${this.ex.id} has no spot market ${symbol}`, false, false);
  }

  /** Whether the venue lists `symbol` (markets loaded). */
  hasMarket(symbol: string): boolean {
    try {
      this.market(symbol);
      return true;
    } catch {
      return false;
    }
  }

  /** Base asset of a symbol (BTC). */
  base(symbol: string): string {
    return this.ex.market(this.market(symbol)).base;
  }

  /** Quantity truncated to the market's LOT_SIZE step. */
  amount(symbol: string, q: number): number {
    try {
      return Number(this.ex.amountToPrecision(this.market(symbol), q));
    } catch {
      // ccxt throws when the amount rounds below the minimum precision: that is zero for us.
      return 0;
    }
  }

  /** Price rounded to the market's tick size. */
  price(symbol: string, p: number): number {
    return Number(this.ex.priceToPrecision(this.market(symbol), p));
  }

  /** Minimum order size (base) and value (quote) of a market; 0 when the venue publishes none. */
  minimums(symbol: string): { amount: number; cost: number } {
    const l = this.ex.market(this.market(symbol)).limits;
    return { amount: l.amount?.min ?? 0, cost: l.cost?.min ?? 0 };
  }

  /**
   * How positions can be protected on this market: a Binance OCO when the symbol allows OCO with
   * LIMIT_MAKER and STOP_LOSS_LIMIT legs; a stop order where ccxt can place one; else edgebot
   * watches stop and target itself (engine-managed exits).
   */
  protectionKind(symbol: string): ProtectionKind {
    const m = this.ex.market(this.market(symbol));
    const info = (m.info ?? {}) as { ocoAllowed?: boolean; orderTypes?: string[] };
    const types = info.orderTypes ?? [];
    if (this.ex.id.startsWith('binance') && info.ocoAllowed !== false && types.includes('LIMIT_MAKER') && types.includes('STOP_LOSS_LIMIT')) return 'oco';
    if (this.ex.has['createStopLossOrder'] || this.ex.has['createStopOrder']) return 'stop';
    return 'engine';
  }

  /** Best ask, bid and last price now. */
  async ticker(symbol: string): Promise<{ ask: number; bid: number; last: number }> {
    const t: Ticker = await this.#call(() => this.ex.fetchTicker(this.market(symbol)));
    const last = t.last ?? t.close ?? NaN;
    return { ask: t.ask ?? last, bid: t.bid ?? last, last };
  }

  /** Last prices of several symbols in one call, keyed by edgebot symbol. */
  async lastPrices(symbols: string[]): Promise<Record<string, number>> {
    if (!symbols.length) return {};
    const markets = symbols.map((s) => this.market(s));
    const all = await this.#call(() => this.ex.fetchTickers(markets));
    const out: Record<string, number> = {};
    symbols.forEach((s, i) => {
      const t = all[markets[i]];
      const p = t?.last ?? t?.close;
      if (p !== undefined && p !== null) out[s] = p;
    });
    return out;
  }

  /** Non-zero balances per asset (Binance: `GET /api/v3/account`). */
  async balances(): Promise<Record<string, { free: number; total: number }>> {
    const b = await this.#call(() => this.ex.fetchBalance());
    const out: Record<string, { free: number; total: number }> = {};
    const totals = (b.total ?? {}) as unknown as Record<string, number | undefined>;
    const frees = (b.free ?? {}) as unknown as Record<string, number | undefined>;
    for (const [asset, total] of Object.entries(totals)) {
      if (total) out[asset] = { free: frees[asset] ?? 0, total };
    }
    return out;
  }

  /** A market order with our client id (Binance `newClientOrderId`). */
  async marketOrder(symbol: string, side: 'buy' | 'sell', qty: number, clientId: string): Promise<VenueOrder> {
    const o = await this.#call(() =>
      this.ex.createOrder(this.market(symbol), 'market', side, qty, undefined, this.#clientIdParam(clientId)),
    );
    return toVenueOrder(o, clientId);
  }

  #clientIdParam(clientId: string): Record<string, string> {
    return this.ex.id.startsWith('binance') ? { newClientOrderId: clientId } : { clientOrderId: clientId };
  }

  /** Looks an order up by client id (Binance `origClientOrderId`); null when the venue has none. */
  async findOrder(symbol: string, clientId: string): Promise<VenueOrder | null> {
    try {
      const o = await this.#call(() => this.ex.fetchOrder('', this.market(symbol), { clientOrderId: clientId }));
      return toVenueOrder(o, clientId);
    } catch (e) {
      if (e instanceof VenueError && e.kind === 'not-found') return null;
      throw e;
    }
  }

  /** Cancels an order by client id; null when it is unknown or no longer open. */
  async cancelOrder(symbol: string, clientId: string): Promise<VenueOrder | null> {
    try {
      const o = await this.#call(() => this.ex.cancelOrder('', this.market(symbol), { clientOrderId: clientId }));
      return toVenueOrder(o, clientId);
    } catch (e) {
      if (e instanceof VenueError && (e.kind === 'not-found' || /unknown order/i.test(e.detail))) return null;
      throw e;
    }
  }

  /** Open orders of one symbol. */
  async openOrders(symbol: string): Promise<VenueOrder[]> {
    const list = await this.#call(() => this.ex.fetchOpenOrders(this.market(symbol)));
    return list.map((o) => toVenueOrder(o, o.clientOrderId ?? ''));
  }

  /**
   * What filled on order `orderId`, from the trade history since `since` (Binance
   * `GET /api/v3/myTrades?orderId=`); null when nothing filled. Fees in other assets (BNB) are
   * not converted and count as zero.
   */
  async fills(symbol: string, orderId: string, since: number): Promise<Fill | null> {
    const market = this.market(symbol);
    const params = this.ex.id.startsWith('binance') ? { orderId } : {};
    const trades = await this.#call(() => this.ex.fetchMyTrades(market, since - 60_000, undefined, params));
    const mine = trades.filter((t) => String(t.order ?? orderId) === orderId);
    if (!mine.length) return null;
    const { base, quote } = this.ex.market(market);
    let qty = 0;
    let value = 0;
    let feeQuote = 0;
    let feeBase = 0;
    let time = 0;
    for (const t of mine) {
      qty += t.amount ?? 0;
      value += t.cost ?? (t.amount ?? 0) * (t.price ?? 0);
      time = Math.max(time, t.timestamp ?? 0);
      for (const f of feesOf(t)) {
        if (f.currency === quote) feeQuote += f.cost ?? 0;
        else if (f.currency === base) feeBase += f.cost ?? 0;
      }
    }
    const avgPrice = qty > 0 ? value / qty : 0;
    return { qty, avgPrice, feeQuote: feeQuote + feeBase * avgPrice, feeBase, time };
  }

  /**
   * Places a sell OCO (Binance `POST /api/v3/orderList/oco`): LIMIT_MAKER at the target above,
   * STOP_LOSS_LIMIT (trigger `stop`, limit `stopLimit`, GTC) below. Returns the orderListId.
   */
  async placeOco(r: OcoRequest): Promise<string> {
    const m = this.market(r.symbol);
    const res = await this.#call(() => (this.ex as unknown as BinanceImplicit).privatePostOrderListOco({
      symbol: this.ex.market(m).id,
      side: 'SELL',
      quantity: this.ex.amountToPrecision(m, r.qty),
      listClientOrderId: r.listClientId,
      aboveType: 'LIMIT_MAKER',
      abovePrice: this.ex.priceToPrecision(m, r.target),
      aboveClientOrderId: r.targetClientId,
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: this.ex.priceToPrecision(m, r.stop),
      belowPrice: this.ex.priceToPrecision(m, r.stopLimit),
      belowTimeInForce: 'GTC',
      belowClientOrderId: r.stopClientId,
      newOrderRespType: 'RESULT',
    }));
    return String(res.orderListId);
  }

  /** Looks an OCO up by its list client id (`GET /api/v3/orderList?origClientOrderId=`); null when unknown. */
  async findOco(listClientId: string): Promise<OcoState | null> {
    try {
      const res = await this.#call(() => (this.ex as unknown as BinanceImplicit).privateGetOrderList({ origClientOrderId: listClientId }));
      return { listId: String(res.orderListId), done: res.listOrderStatus === 'ALL_DONE' };
    } catch (e) {
      if (e instanceof VenueError && e.kind === 'not-found') return null;
      throw e;
    }
  }

  /** Cancels an OCO by list client id (`DELETE /api/v3/orderList`); false when unknown or already done. */
  async cancelOco(symbol: string, listClientId: string): Promise<boolean> {
    const m = this.market(symbol);
    try {
      await this.#call(() => (this.ex as unknown as BinanceImplicit).privateDeleteOrderList({
        symbol: this.ex.market(m).id,
        listClientOrderId: listClientId,
      }));
      return true;
    } catch (e) {
      if (e instanceof VenueError && (e.kind === 'not-found' || /unknown order/i.test(e.detail))) return false;
      throw e;
    }
  }

  /** A stop-limit sell (venues with stop orders but no OCO). */
  async placeStop(symbol: string, qty: number, stop: number, stopLimit: number, clientId: string): Promise<VenueOrder> {
    const o = await this.#call(() =>
      this.ex.createOrder(this.market(symbol), 'limit', 'sell', qty, stopLimit, { ...this.#clientIdParam(clientId), stopLossPrice: stop }),
    );
    return toVenueOrder(o, clientId);
  }
}

/** The Binance implicit endpoints edgebot calls (node_modules/ccxt/js/src/abstract/binance.d.ts). */
interface BinanceImplicit {
  privatePostOrderListOco(params: Record<string, unknown>): Promise<{ orderListId: number | string }>;
  privateGetOrderList(params: Record<string, unknown>): Promise<{ orderListId: number | string; listOrderStatus: string }>;
  privateDeleteOrderList(params: Record<string, unknown>): Promise<unknown>;
  sapiGetAccountApiRestrictions(params?: Record<string, unknown>): Promise<{ enableWithdrawals?: unknown; ipRestrict?: unknown }>;
}

/** ccxt's NotSupported (thrown before sending, e.g. `/sapi` on the testnet), by class name up the chain. */
function isNotSupported(e: unknown): boolean {
  for (let p = e && typeof e === 'object' ? Object.getPrototypeOf(e) : null; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if ((p.constructor as { name?: string }).name === 'NotSupported') return true;
  }
  return false;
}

/** ccxt fills `fees` (all of them) and `fee` (the first) at run time; its typings only know `fee`. */
type Fee = { currency?: string; cost?: number };
function feesOf(x: Order | CcxtTrade): Fee[] {
  const y = x as unknown as { fees?: Fee[]; fee?: Fee };
  return y.fees?.length ? y.fees : y.fee ? [y.fee] : [];
}

function toVenueOrder(o: Order, clientId: string): VenueOrder {
  const fees = feesOf(o)
    .filter((f) => f.currency !== undefined && f.cost !== undefined)
    .map((f) => ({ currency: String(f.currency), cost: Number(f.cost) }));
  return {
    id: String(o.id),
    clientId: o.clientOrderId ?? clientId,
    status: STATUS[o.status ?? 'open'] ?? 'open',
    filled: o.filled ?? 0,
    ...(o.average !== undefined && o.average !== null ? { average: o.average } : {}),
    ...(o.timestamp ? { timestamp: o.timestamp } : {}),
    fees,
  };
}
