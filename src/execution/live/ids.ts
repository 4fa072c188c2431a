/**
 * Client order ids derived from the card id, so the exchange itself can tell edgebot whether an
 * order for a card exists: a double tap, a re-delivered update or a restart looks the id up
 * instead of ordering again. Binance accepts `^[.A-Z:/a-z0-9_-]{1,36}$` for `newClientOrderId`
 * and `listClientOrderId` (Binance spot API docs); card ids are 12 base64url characters.
 */

/** Prefix of every order edgebot places, to tell its orders from the owner's own. */
export const CLIENT_PREFIX = 'eb-';

/** What an order does for a card's position. */
export const LEGS = {
  entry: 'e',
  /** The protective order list (OCO). */
  oco: 'o',
  /** Take-profit leg of the OCO. */
  target: 't',
  /** Stop-loss leg of the OCO, or the lone stop order where the venue has no OCO. */
  stop: 's',
  /** Market exit (manual close, time exit, engine-managed stop or target). */
  exit: 'x',
} as const;
export type Leg = keyof typeof LEGS;

const CLIENT_ID_RE = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/**
 * `eb-<cardId>-<leg>[attempt]`, e.g. `eb-Q2xk9_aZ3-Tb-e` (17 characters) or `eb-Q2xk9_aZ3-Tb-o2`
 * for a second protective list after the first was cancelled. The attempt number is persisted
 * with the order's intent, so a retry after a restart reuses the id it may already have sent.
 * @throws RangeError when the result is not a valid Binance client order id
 */
export function clientId(cardId: string, leg: Leg, attempt = 1): string {
  const id = `${CLIENT_PREFIX}${cardId}-${LEGS[leg]}${attempt > 1 ? attempt : ''}`;
  if (!CLIENT_ID_RE.test(id)) throw new RangeError(`card id "${cardId}" does not make a valid client order id`);
  return id;
}

/** The attempt number inside a client id made by {@link clientId}: 1 without a number, 0 without an id. */
export function attemptOf(id: string | undefined): number {
  const m = id ? /-[a-z](\d*)$/.exec(id) : null;
  return m && m[1] ? Number(m[1]) : m ? 1 : 0;
}

/** Position id of a card's live trade: `L<cardId>` (fits the callback codec's id). */
export function livePositionId(cardId: string): string {
  return `L${cardId}`;
}
