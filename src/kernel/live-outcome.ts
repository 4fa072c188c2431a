/**
 * What live execution did, as data (issue #11: services return data; only `src/notifier` words
 * it — `src/notifier/render-live.ts`). Prices and money in quote currency, quantities in the base
 * asset, times ms UTC.
 */

export type { VenueErrorKind, VenueFailure } from '../core/errors.js';
import type { VenueFailure } from '../core/errors.js';

/** Phases of a live trade (the ledger's). */
export type LivePhase = 'entering' | 'open' | 'closing' | 'closed' | 'failed' | 'cancelled';

/** What protecting a position did. */
export type ProtectionOutcome =
  /** No venue orders: edgebot sells at market when stop or target is crossed. */
  | { code: 'self-watched'; stop: number; target: number }
  /** The placement's outcome is unknown; reconcile looks it up by client id. */
  | { code: 'protection-unknown'; failure: VenueFailure; clientId: string }
  /** The venue refused; edgebot watches stop and target itself (an alert says why). */
  | { code: 'protection-refused' }
  | { code: 'protected'; venue: string; kind: 'oco' | 'stop'; target: number; stop: number; stopLimit: number };

/** The answer to a live tap (`💰 Live…`, `✅ Confirm`, Cancel, Close) or a live order step. */
export type LiveOutcome =
  | { code: 'phase'; phase: LivePhase }
  | { code: 'no-quote'; failure: VenueFailure }
  | { code: 'long-only' }
  | { code: 'price-beyond'; price: number; side: 'stop' | 'target' }
  /** The size is below the venue's (or the config's) minimum; `free` when the balance was the limit. */
  | { code: 'below-minimum'; minCost: number; free?: number }
  /** A risk limit refused; `atConfirm`: the refusal came at `✅ Confirm` (nothing was ordered). */
  | { code: 'risk-refused'; reason: string; atConfirm: boolean }
  | { code: 'confirm-ask'; qty: number; base: string; notional: number; price: number; ttlSeconds: number }
  | { code: 'card-forgotten' }
  | { code: 'not-tradable'; status: string; reason?: string }
  | { code: 'no-confirmation' }
  | { code: 'confirmation-expired'; at: number; cardOpen: boolean }
  | { code: 'no-fresh-quote'; failure: VenueFailure }
  | { code: 'price-moved'; driftPercent: number; from: number; to: number; tolerancePercent: number }
  | { code: 'internal-error' }
  | { code: 'cancelled' }
  | { code: 'nothing-to-cancel' }
  | { code: 'entry-unanswered'; venue: string; clientId: string }
  | { code: 'entry-refused'; failure: VenueFailure; symbol: string; cooldownUntil: number }
  | { code: 'entry-accepted'; timeoutSeconds: number }
  | { code: 'entry-not-filled'; symbol: string; status: string }
  | { code: 'bought'; qty: number; base: string; price: number; fee: number; protection: ProtectionOutcome }
  | { code: 'closed'; symbol: string }
  | { code: 'close-in-progress'; symbol: string }
  | { code: 'not-open'; positionId: string; phase: LivePhase }
  | { code: 'closed-by-protection'; symbol: string; reason: string; pnl: number }
  | { code: 'nothing-free'; base: string; venue: string; held: number; free: number }
  | { code: 'exit-unanswered'; failure: VenueFailure; clientId: string }
  | { code: 'close-failed'; failure: VenueFailure; protection: ProtectionOutcome }
  | { code: 'sell-accepted'; symbol: string }
  | { code: 'sold'; symbol: string; qty: number; price: number; pnl: number }
  | { code: 'sell-not-filled'; symbol: string; status: string; protection: ProtectionOutcome }
  | { code: 'close-unfinished'; symbol: string; failure: VenueFailure };

/** Something live execution tells the owner unasked (reconcile, timers, refused protection). */
export type LiveAlert =
  | { code: 'order-unanswered'; symbol: string; failure: VenueFailure; venue: string; clientId: string }
  | { code: 'order-never-reached'; symbol: string; venue: string; clientId: string }
  | { code: 'entry-timed-out'; symbol: string; timeoutSeconds: number }
  | { code: 'sell-never-reached'; symbol: string; venue: string; clientId: string; protection: ProtectionOutcome }
  | { code: 'protection-refused'; symbol: string; venue: string; failure: VenueFailure; stop: number; target: number }
  | { code: 'protection-missing'; symbol: string; clientId: string }
  | { code: 'exit-unfinished'; symbol: string; reason: string; failure: VenueFailure }
  /** A step's answer nobody tapped for (reconcile, an order timeout). */
  | { code: 'step'; outcome: LiveOutcome };
