/**
 * Instruments. Inside edgebot an instrument is keyed by its short display name (`symbol`), the
 * one cards, `/positions`, the state file and live-params.json use: base + quote for spot
 * (`BTCUSDT`), base + quote + `.P` for a perpetual swap (`BTCUSD.P`, TradingView's spelling).
 * The venue's market behind it is a ccxt unified symbol (`BTC/USDT`, `BTC/USD:USD`), resolved from
 * the venue's `loadMarkets()` at start (src/feed/markets.ts).
 */

/** Spot markets trade long only; perpetual swaps trade both ways (paper mode). */
export const MARKET_TYPES = ['spot', 'swap'] as const;
export type MarketType = (typeof MARKET_TYPES)[number];

/** Which way a position or order faces. */
export type Side = 'long' | 'short';

/** One tradable market of the venue, as edgebot uses it. */
export interface Instrument {
  /** Short display name and edgebot's key: `BTCUSDT`, `BTCUSD.P`. */
  symbol: string;
  /** ccxt unified symbol: `BTC/USDT`, `BTC/USD:USD`. */
  market: string;
  /** The venue's own id: `BTCUSDT`, `PF_XBTUSD`. */
  venueId: string;
  /** ccxt currency codes (`XBT` is already `BTC`). */
  base: string;
  quote: string;
  type: MarketType;
  /** Taker fee the venue's market info states, in basis points (5 = 0.05 %); absent when it states none. */
  takerFeeBps?: number;
}

/** `BTC`, `USD`, `swap` → `BTCUSD.P`; `BTC`, `USDT`, `spot` → `BTCUSDT`. */
export function displaySymbol(base: string, quote: string, type: MarketType): string {
  return `${base}${quote}${type === 'swap' ? '.P' : ''}`.toUpperCase();
}

/** Whether a position may be opened on `side` in a market of `type`: spot is long-only. */
export function sideAllowed(type: MarketType, side: Side): boolean {
  return side === 'long' || type === 'swap';
}

/** Splits `BTCUSDT` into base/quote for a known quote currency; throws RangeError otherwise. */
export function parseSymbol(symbol: string, quote = 'USDT'): { symbol: string; base: string; quote: string } {
  const s = symbol.toUpperCase().replace(/\.P$/, '');
  if (!s.endsWith(quote) || s.length <= quote.length) {
    throw new RangeError(`symbol "${symbol}" is not a ${quote} pair`);
  }
  return { symbol: s, base: s.slice(0, -quote.length), quote };
}

/** `BTCUSDT` → `BTC/USDT` (ccxt spot market symbol). */
export function toCcxtSymbol(symbol: string, quote = 'USDT'): string {
  const i = parseSymbol(symbol, quote);
  return `${i.base}/${i.quote}`;
}

/** `BTC/USDT` → `BTCUSDT`. */
export function fromCcxtSymbol(market: string): string {
  return market.replace('/', '').split(':')[0];
}
