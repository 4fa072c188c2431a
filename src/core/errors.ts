/**
 * The error tree. Every error edgebot raises on purpose is one of these, so callers can
 * decide by class: retry only `ExchangeError` with `temporary: true`, refuse bad input with
 * its message, crash only on bugs.
 */
export class EdgebotError extends Error {
  override name = 'EdgebotError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A config file or setting is missing or malformed. `field` names the offending path. */
export class ConfigError extends EdgebotError {
  override name = 'ConfigError';
  constructor(message: string, readonly field?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Market data or a state file is broken (bad candle, corrupt JSON, wrong schema). */
export class DataError extends EdgebotError {
  override name = 'DataError';
}

/** An exchange call failed. `temporary` errors (network, rate limit) may be retried with backoff. */
export class ExchangeError extends EdgebotError {
  override name = 'ExchangeError';
  constructor(message: string, readonly temporary: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An order was refused by edgebot's own checks or by the venue. */
export class OrderError extends EdgebotError {
  override name = 'OrderError';
}

/** A signal definition or evaluation is invalid (unknown rule, bad params, invalid validated.json). */
export class SignalError extends EdgebotError {
  override name = 'SignalError';
}

/** The state file could not be written (disk full, read-only, permissions). Retried with backoff. */
export class StorageError extends EdgebotError {
  override name = 'StorageError';
}

/** The process cannot go on (another instance holds the state, Telegram polling stopped): exit non-zero. */
export class FatalError extends EdgebotError {
  override name = 'FatalError';
}

/** The command line is wrong (unknown flag, missing argument): the CLI exits with code 2. */
export class UsageError extends EdgebotError {
  override name = 'UsageError';
}

/** How a venue call failed, as the order logic classifies it (`src/execution/live/errors.ts`). */
export type VenueErrorKind =
  | 'insufficient-funds'
  | 'invalid-order'
  | 'duplicate'
  | 'not-found'
  | 'auth'
  | 'rate-limit'
  | 'network'
  | 'exchange';

/** A venue error: its kind and the venue's own words (never a key). */
export interface VenueFailure {
  kind: VenueErrorKind;
  detail: string;
}
