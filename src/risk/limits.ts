import type { VenueFailure } from '../core/errors.js';

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
  /** The circuit breaker's last exchange error (the chat explains it). */
  lastError?: VenueFailure;
  /** `risk.onDailyLossLimit: "flatten"`: every position is being closed at market and trading stays stopped until /resume. */
  flatten?: { positions: number; cancelledEntries: number };
}
