import { ConfigError } from '../core/errors.js';
import type { Config } from './schema.js';

/** Binance's production REST host: the schema's default for `exchange.restBaseUrl`. */
const BINANCE_DEFAULT_REST = 'https://api.binance.com';

/** The venues and market types the live (real-money) flow has been tested against. */
export const LIVE_TESTED = [{ id: 'binance', marketType: 'spot' }] as const;

/**
 * Where ccxt should send market-data requests for `config.exchange`: the configured base, except
 * that the default (Binance's host, which default.json spells out) means the venue's own hosts
 * on every other venue — a Kraken Futures config must not need `restBaseUrl` to work.
 */
export function marketDataRestBase(config: Config): string | undefined {
  const { id, restBaseUrl } = config.exchange;
  return id !== 'binance' && restBaseUrl.replace(/\/+$/, '') === BINANCE_DEFAULT_REST ? undefined : restBaseUrl;
}

/**
 * Live mode is allowed only where the live flow (spot market orders, OCO or stop protection,
 * reconcile by client order id) has been tested: Binance spot and its testnet. Futures need
 * leverage, margin and reduce-only protection, which a later issue covers.
 * @throws ConfigError naming the venue and market type, saying which venues live mode supports
 */
export function assertLiveVenue(config: Config): void {
  const { id, marketType } = config.exchange;
  if (LIVE_TESTED.some((v) => v.id === id && v.marketType === marketType)) return;
  const tested = LIVE_TESTED.map((v) => `${v.id} ${v.marketType}`).join(', ');
  const why = marketType === 'swap'
    ? 'live futures orders (leverage, margin, reduce-only protection) are not supported yet'
    : `the live order flow has not been tested on ${id}`;
  throw new ConfigError(
    `live mode on ${id} (${marketType}) is refused: ${why}. Live trading has been tested against: ${tested} (and its testnet). ` +
      `Paper mode works on ${id}: run with --mode paper.`,
    'exchange.id',
  );
}
