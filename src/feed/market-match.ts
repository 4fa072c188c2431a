import { distance } from 'fastest-levenshtein';
import type { MarketType } from '../core/instrument.js';

/** The part of a ccxt market edgebot reads (ccxt's own `Market` type has every field optional). */
export interface MarketInfo {
  id?: string;
  symbol?: string;
  base?: string;
  quote?: string;
  settle?: string;
  spot?: boolean;
  swap?: boolean;
  linear?: boolean;
  active?: boolean;
  taker?: number;
}

/** How many close matches a "no such market" error lists. */
const CLOSE_MATCHES = 5;

/**
 * The venue's market symbols nearest to `wanted` (Levenshtein distance, case-insensitive), preferring
 * markets of `type`: at most {@link CLOSE_MATCHES}, closest first, ties in alphabetical order.
 */
export function closeMatches(wanted: string, markets: readonly MarketInfo[], type?: MarketType): string[] {
  const w = wanted.toUpperCase();
  const pool = markets.filter((m) => typeof m.symbol === 'string' && (type === undefined || isType(m, type)));
  const from = pool.length ? pool : markets.filter((m) => typeof m.symbol === 'string');
  return from
    .map((m) => ({ s: m.symbol!, d: distance(w, m.symbol!.toUpperCase()) }))
    .sort((a, b) => a.d - b.d || (a.s < b.s ? -1 : a.s > b.s ? 1 : 0))
    .slice(0, CLOSE_MATCHES)
    .map((x) => x.s);
}

/** Whether `m` is a market of `type` (spot, or a perpetual swap). */
export function isType(m: MarketInfo, type: MarketType): boolean {
  return type === 'spot' ? m.spot === true : m.swap === true;
}
