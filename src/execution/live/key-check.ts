/**
 * What live mode checks about its API key before it may start (issue #8): on Binance,
 * `GET /sapi/v1/account/apiRestrictions`. A key that can withdraw refuses the start (a leaked
 * key that trades can lose money; one that withdraws can empty the account); a key without an
 * IP allow-list starts with a warning for the owner.
 */
import { ConfigError } from '../../core/errors.js';
import type { Card, LiveConfirmation, VenueMode } from '../../kernel/card.js';

/** Whether the venue's key endpoint was asked, and what it said. */
export type KeyCheck =
  /** Binance answered: the key's withdrawal permission and IP allow-list flag. */
  | { status: 'checked'; withdrawals: boolean; ipRestricted: boolean }
  /** The endpoint does not exist there (Binance's spot testnet has no `/sapi`): not checked. */
  | { status: 'unsupported' }
  /** Not Binance: the venue has no such endpoint in ccxt, so edgebot does not check. */
  | { status: 'skipped' };

/** Whether orders go to the real venue or its testnet (`exchange.sandbox`). */
export type { VenueMode };

/** A reason to warn the owner at start; the chat layer words it. */
export type KeyWarning = { code: 'no-ip-restriction' };

/** What a successful live start found; the app turns `warnings` into alerts. */
export interface LiveStart {
  /** ccxt exchange id (binance). */
  venue: string;
  mode: VenueMode;
  key: KeyCheck;
  warnings: KeyWarning[];
}

/** `exchange.sandbox` as a venue mode. */
export function venueMode(sandbox: boolean): VenueMode {
  return sandbox ? 'testnet' : 'live';
}

/**
 * Judges a key check: warnings for the owner, or a refusal.
 * @throws ConfigError (field EXCHANGE_API_KEY) when the key can withdraw funds
 */
export function judgeKey(check: KeyCheck): KeyWarning[] {
  if (check.status !== 'checked') return [];
  if (check.withdrawals) {
    throw new ConfigError(
      'live mode refused: this API key can withdraw funds: disable withdrawals for it on Binance ' +
        '(API Management → Edit restrictions → untick "Enable Withdrawals"), or create a new key with only ' +
        '"Enable Reading" and "Enable Spot & Margin Trading", then restart. edgebot never withdraws and will not trade with a key that can.',
      'EXCHANGE_API_KEY',
    );
  }
  return check.ipRestricted ? [] : [{ code: 'no-ip-restriction' }];
}

/**
 * Puts the LIVE/TESTNET badge on a card or confirmation as a non-enumerable property: renders
 * read it, JSON (state.json) skips it — the badge describes this process, not the stored card.
 */
export function markVenue(x: Card | LiveConfirmation, mode: VenueMode): void {
  Object.defineProperty(x, 'venueMode', { value: mode, enumerable: false, writable: true, configurable: true });
}
