/**
 * ccxt errors → edgebot's {@link ExchangeError} with a kind the chat can explain and the order
 * logic can act on. The one question that matters for orders is `ambiguous`: could the request
 * have reached the venue? Then the order is looked up by its client id — never sent again blindly.
 */
import { ExchangeError } from '../../core/errors.js';
import type { VenueErrorKind, VenueFailure } from '../../kernel/live-outcome.js';

export type { VenueErrorKind };

/** An exchange call failed. `temporary` errors may be retried (after a lookup, for orders). */
export class VenueError extends ExchangeError {
  override name = 'VenueError';
  constructor(
    readonly kind: VenueErrorKind,
    /** The venue's own words (Binance `msg`), or ccxt's message; never contains keys. */
    readonly detail: string,
    temporary: boolean,
    /** The request may have been executed (timeout, 5xx, unknown answer): look the order up. */
    readonly ambiguous: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${kind}: ${detail}`, temporary, options);
  }
}

/** Class names up an error's prototype chain (ccxt names every class). */
function lineage(e: unknown): string[] {
  const out: string[] = [];
  for (let p = e && typeof e === 'object' ? Object.getPrototypeOf(e) : null; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    out.push((p.constructor as { name?: string }).name ?? '');
  }
  return out;
}

/** Binance puts `{"code":-2015,"msg":"…"}` in ccxt's message; pull out code and msg. */
function binanceBody(message: string): { code?: number; msg?: string } {
  const m = /\{"code":(-?\d+),"msg":"((?:[^"\\]|\\.)*)"\}/.exec(message);
  return m ? { code: Number(m[1]), msg: m[2] } : {};
}

/** Binance error codes that are about the API key, its IP allow-list or the signature (errors.md). */
const AUTH_CODES = new Set([-2014, -2015, -1022, -1002]);

/**
 * Classifies any error thrown by a ccxt call. Auth is read from Binance's code too: after one
 * successful private call ccxt reports -2015 as DDoSProtection (a temporary-ban workaround), but
 * for the owner it still means "check the key, its permissions and IP allow-list".
 */
export function toVenueError(e: unknown): VenueError {
  if (e instanceof VenueError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const names = lineage(e);
  const is = (n: string) => names.includes(n);
  const body = binanceBody(message);
  // Drop URLs: they carry signed query strings, which have no place in a chat message.
  const detail = body.msg ?? message.replace(/^\w+\s+/, '').replace(/https?:\/\/\S+/g, '<url>').slice(0, 300);
  const mk = (kind: VenueErrorKind, temporary: boolean, ambiguous: boolean) => new VenueError(kind, detail, temporary, ambiguous, { cause: e });
  if ((body.code !== undefined && AUTH_CODES.has(body.code)) || is('AuthenticationError')) return mk('auth', false, false);
  if (is('InsufficientFunds')) return mk('insufficient-funds', false, false);
  if (is('OrderNotFound')) return mk('not-found', false, false);
  if (is('DuplicateOrderId') || /duplicate order/i.test(detail)) return mk('duplicate', false, false);
  if (is('InvalidOrder') || is('BadRequest') || is('BadSymbol') || is('OperationRejected') || is('NotSupported') || is('ArgumentsRequired')) {
    return mk('invalid-order', false, false);
  }
  // A 418/429 is answered before the order is looked at: nothing was placed.
  if (is('RateLimitExceeded') || is('DDoSProtection')) return mk('rate-limit', true, false);
  if (is('NetworkError')) return mk('network', true, true);
  // Anything else (5xx, "unknown error, execution status unknown", a bad response): maybe placed.
  return mk('exchange', true, true);
}

/** The error as data, for the chat to word. */
export function failureOf(err: VenueError): VenueFailure {
  return { kind: err.kind, detail: err.detail };
}

/** A few words for a card's status line. */
export function brief(err: VenueError): string {
  const words: Record<VenueErrorKind, string> = {
    'insufficient-funds': 'not enough balance', 'invalid-order': 'invalid order', duplicate: 'duplicate order', 'not-found': 'unknown order',
    auth: 'API key refused', 'rate-limit': 'rate limited', network: 'no answer', exchange: 'exchange error',
  };
  return words[err.kind];
}
