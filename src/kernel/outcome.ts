import type { Side } from '../core/instrument.js';
import type { PaperOnlyReason } from '../signal/evidence.js';
import type { Card } from './card.js';
import type { LiveOutcome } from './live-outcome.js';

/**
 * What an action on a card or position did, as data; `src/notifier/render-outcome.ts` words it.
 * Quantities in base asset.
 */
export type TradeOutcome =
  | { code: 'card-unknown' }
  | { code: 'card-expired' }
  /** Already acted on: paper- or live-traded, skipped, or informational (no trade). */
  | { code: 'card-done'; status: 'paper' | 'live' | 'skipped' | 'info' }
  | { code: 'card-blocked'; reason?: string }
  /** A risk limit refused the entry at the tap (the risk gate's reason). */
  | { code: 'risk-refused'; reason: string }
  | { code: 'paper-queued'; qty: number; symbol: string; side?: Side }
  | { code: 'skipped' }
  | { code: 'live-off' }
  | { code: 'paper-only'; why: PaperOnlyReason }
  | { code: 'position-unknown'; positionId: string }
  | { code: 'position-closing'; positionId: string }
  /**
   * The kill switch is set. `cancelledEntries` and `openPositions` are the paper account's;
   * `venue` sums what the venue clients (live) cancelled and kept, when there are any.
   */
  | { code: 'stopped'; already: boolean; cancelledEntries: number; openPositions: number; venue?: StopReport }
  | { code: 'resumed'; wasStopped: boolean; circuitClosed: boolean }
  /** Live execution's answer (`src/notifier/render-live.ts` words it). */
  | { code: 'live'; live: LiveOutcome };

/** The answer to a tap or command: whether it worked, what happened, and the card it concerned. */
export interface ActionResult {
  ok: boolean;
  outcome: TradeOutcome;
  card?: Card;
}

/** What live execution answers: whether it worked, what happened, and the card it concerned. */
export interface LiveAnswer {
  ok: boolean;
  outcome: LiveOutcome;
  card?: Card;
}

/**
 * Live execution, plugged in by live mode. Without it, `💰 Live…` answers that live trading is
 * not configured.
 */
export interface LiveExecution {
  /** Starts the confirmation flow for a card. */
  request(card: Card): Promise<LiveAnswer>;
  /** Handles the confirmation buttons. */
  confirm(cardId: string): Promise<LiveAnswer>;
  cancel(cardId: string): Promise<LiveAnswer>;
}

/** A live answer as an action result. */
export function fromLive(a: LiveAnswer): ActionResult {
  return { ok: a.ok, outcome: { code: 'live', live: a.outcome }, ...(a.card ? { card: a.card } : {}) };
}

/** What an execution client cancelled after the kill switch was set. */
export interface StopReport {
  /** Live confirmations taken off their cards. */
  confirmations: number;
  /** Entries that were resting unfilled, now cancelled. */
  cancelledEntries: number;
  /** Open positions that keep their protective orders (stop and target). */
  protectedPositions: number;
}
