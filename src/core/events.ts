import type { Card } from '../engine/card.js';
import type { Position, Trade } from '../portfolio/types.js';
import type { SignalPause } from '../signal/drift-service.js';

/** A risk limit that stops new entries once hit (SPEC §8). */
export type RiskLimit = 'daily-loss' | 'drawdown' | 'daily-trades' | 'circuit-breaker';

/**
 * A risk limit hit, with its numbers. `value` and `threshold`: percents for `daily-loss` (loss vs
 * start-of-day equity) and `drawdown` (below the equity peak); counts for `daily-trades` (entries
 * today) and `circuit-breaker` (consecutive exchange errors).
 */
export interface RiskLimitHit {
  limit: RiskLimit;
  value: number;
  threshold: number;
  /** Equity now and what it is measured against (start-of-day equity or the peak), quote currency; equity limits only. */
  equity?: number;
  reference?: number;
  /** When it was hit, ms UTC. */
  time: number;
  /** The circuit breaker's last exchange error, explained. */
  lastError?: string;
  /** `risk.onDailyLossLimit: "flatten"`: every position is being closed at market and trading stays stopped until /resume. */
  flatten?: { positions: number; cancelledEntries: number };
}

/**
 * Everything the engine and its adapters tell the owner, as one discriminated union
 * (freqtrade's RPC message types, in TypeScript). Notifiers switch on `type`.
 */
export type BotEvent =
  /**
   * A new card; `quiet`: recorded but not posted — a risk limit blocked it, and the first card
   * that limit blocked today (its notice) stands for the rest.
   */
  | { type: 'card'; card: Card; quiet?: boolean }
  | { type: 'card-update'; card: Card }
  | { type: 'entry'; position: Position }
  | { type: 'exit'; trade: Trade }
  | { type: 'alert'; level: 'info' | 'warning' | 'error'; text: string }
  /** The drift monitor paused a signal (an alert with a Resume button). */
  | { type: 'signal-paused'; pause: SignalPause }
  /** A risk limit was hit (once per limit per UTC day). */
  | { type: 'risk-limit'; hit: RiskLimitHit };

export type BotEventType = BotEvent['type'];
