/**
 * Instruments from the venue's markets: each configured base coin is matched, at start, to one
 * market of `loadMarkets()` of the configured quote and type (spot `BTC/USDT`, linear perpetual
 * `BTC/USD:USD`), or to the explicit ccxt symbol config names for it. A coin the venue does not
 * have is a configuration mistake, reported once with the closest market symbols the venue has —
 * never retried.
 */
import type { Exchange } from 'ccxt';
import { ConfigError } from '../core/errors.js';
import { displaySymbol, type Instrument, type MarketType } from '../core/instrument.js';
import { toExchangeError } from './rest.js';
import { closeMatches, isType, type MarketInfo } from './market-match.js';

/** What to resolve: config `baseCoins`, `quote`, `exchange.marketType` and `exchange.markets`. */
export interface InstrumentRequest {
  baseCoins: readonly string[];
  quote: string;
  marketType: MarketType;
  /** Explicit ccxt symbols per base coin (config `exchange.markets`). */
  explicit?: Readonly<Record<string, string>>;
}

/** The unified symbol edgebot looks for by default: `BTC/USDT` (spot) or `BTC/USD:USD` (linear swap). */
export function defaultMarketSymbol(base: string, quote: string, type: MarketType): string {
  return type === 'spot' ? `${base}/${quote}` : `${base}/${quote}:${quote}`;
}

/**
 * Matches every base coin to one of `markets` (a ccxt `markets` dictionary). Pure, so the
 * matching is tested without a venue.
 * @throws ConfigError naming every coin (or explicit symbol) the venue has no active market of
 *   that type for, with the closest market symbols it does have
 */
export function matchInstruments(venue: string, markets: Readonly<Record<string, MarketInfo | undefined>>, req: InstrumentRequest): Instrument[] {
  const all = Object.values(markets).filter((m): m is MarketInfo => !!m);
  const out: Instrument[] = [];
  const problems: string[] = [];
  let field = 'baseCoins';
  for (const coin of Object.keys(req.explicit ?? {})) {
    if (!req.baseCoins.includes(coin)) {
      throw new ConfigError(`exchange.markets.${coin}: ${coin} is not in baseCoins (${req.baseCoins.join(', ')})`, `exchange.markets.${coin}`);
    }
  }
  for (const coin of req.baseCoins) {
    const explicit = req.explicit?.[coin];
    const wanted = explicit ?? defaultMarketSymbol(coin, req.quote, req.marketType);
    const m = markets[wanted];
    let why = '';
    if (!m) why = 'no such market';
    else if (!isType(m, req.marketType)) why = `it is not a ${req.marketType} market`;
    else if (m.active === false) why = 'the market is inactive';
    if (why) {
      if (explicit) field = `exchange.markets.${coin}`;
      const near = closeMatches(wanted, all, req.marketType).filter((s) => s !== wanted);
      problems.push(`${wanted} (${explicit ? `exchange.markets.${coin}` : `coin ${coin}`}): ${why}` + (near.length ? `; close matches: ${near.join(', ')}` : ''));
      continue;
    }
    const base = (m!.base ?? coin).toUpperCase();
    const quote = (m!.quote ?? req.quote).toUpperCase();
    out.push({
      // Named from the config (coin, quote), so the names are known before the venue is asked.
      symbol: displaySymbol(coin, req.quote, req.marketType),
      market: wanted,
      venueId: m!.id ?? wanted,
      base,
      quote,
      type: req.marketType,
      ...(typeof m!.taker === 'number' && Number.isFinite(m!.taker) && m!.taker >= 0 ? { takerFeeBps: m!.taker * 1e4 } : {}),
    });
  }
  if (problems.length) {
    throw new ConfigError(
      `${venue} has no ${req.marketType} market for ${problems.length === 1 ? problems[0] : `these:\n  ${problems.join('\n  ')}`}\n` +
        `Check baseCoins, quote ("${req.quote}"), exchange.marketType ("${req.marketType}") or name the market in exchange.markets.`,
      field,
    );
  }
  const seen = new Map<string, string>();
  for (const i of out) {
    const other = seen.get(i.symbol);
    if (other) throw new ConfigError(`${other} and ${i.market} both show as ${i.symbol}; list each market once`, 'exchange.markets');
    seen.set(i.symbol, i.market);
  }
  return out;
}

/**
 * Loads the venue's markets (one `loadMarkets()`) and matches the configured coins to them.
 * @throws ConfigError for a coin the venue does not have (see {@link matchInstruments});
 *   ExchangeError when the markets cannot be loaded (temporary for network trouble)
 */
export async function resolveInstruments(ex: Exchange, req: InstrumentRequest): Promise<Instrument[]> {
  let markets: Record<string, MarketInfo | undefined>;
  try {
    markets = (await ex.loadMarkets()) as unknown as Record<string, MarketInfo | undefined>;
  } catch (e) {
    throw await toExchangeError(e, `${ex.id} loadMarkets`);
  }
  return matchInstruments(ex.id, markets, req);
}

/**
 * The feed's base timeframe must be one the venue serves candles for (ccxt `timeframes`); higher
 * ones are aggregated from it, so a venue without 2m candles (Kraken Futures) still scans 2m.
 * @throws ConfigError naming the venue's timeframes
 */
export function assertBaseTimeframe(ex: Exchange, base: string): void {
  const tfs = ex.timeframes as Record<string, unknown> | undefined;
  if (!tfs || Object.keys(tfs).length === 0 || Object.hasOwn(tfs, base)) return;
  throw new ConfigError(
    `${ex.id} has no ${base} candles (it has ${Object.keys(tfs).join(', ')}); set feed.baseTimeframe to one of them — ` +
      'timeframes it lacks are aggregated from the base (2m from 1m)',
    'feed.baseTimeframe',
  );
}
