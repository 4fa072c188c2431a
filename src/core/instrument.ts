/**
 * Instruments are Binance-style spot symbols: `BTCUSDT` = base `BTC`, quote `USDT`.
 * ccxt spells the same market `BTC/USDT`.
 */
export interface Instrument {
  symbol: string;
  base: string;
  quote: string;
}

/** Splits `BTCUSDT` into base/quote for a known quote currency; throws RangeError otherwise. */
export function parseSymbol(symbol: string, quote = 'USDT'): Instrument {
  const s = symbol.toUpperCase();
  if (!s.endsWith(quote) || s.length <= quote.length) {
    throw new RangeError(`symbol "${symbol}" is not a ${quote} pair`);
  }
  return { symbol: s, base: s.slice(0, -quote.length), quote };
}

/** `BTCUSDT` → `BTC/USDT` (ccxt market symbol). */
export function toCcxtSymbol(symbol: string, quote = 'USDT'): string {
  const i = parseSymbol(symbol, quote);
  return `${i.base}/${i.quote}`;
}

/** `BTC/USDT` → `BTCUSDT`. */
export function fromCcxtSymbol(market: string): string {
  return market.replace('/', '').split(':')[0];
}
