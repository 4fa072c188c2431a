import type { Side } from '../core/instrument.js';
import type { Timeframe } from '../core/timeframe.js';

/** Why a position closed; `risk`: flattened when the daily loss limit was hit (`risk.onDailyLossLimit: "flatten"`). */
export type ExitReason = 'stop' | 'target' | 'zscore-reversal' | 'time' | 'manual' | 'risk';
export type TradeMode = 'paper' | 'live';

/**
 * An open position, long or short. Quantities in base asset (positive for both sides), prices
 * and fees in quote currency, times ms UTC. A long's stop is below its entry and its target
 * above; a short's the other way round.
 */
export interface Position {
  id: string;
  /** Absent = long (positions stored before shorts existed). Shorts exist on swap markets only. */
  side?: Side;
  cardId: string;
  signalId: string;
  rule: string;
  symbol: string;
  timeframe: Timeframe;
  mode: TradeMode;
  qty: number;
  entryPrice: number;
  entryTime: number;
  entryFee: number;
  stop: number;
  target: number;
  /** Close at the first base candle closing at or after this time (time exit), if set. */
  exitBy?: number;
  /** A market exit has been requested and fills at the next base candle's open. */
  exitRequested?: ExitReason;
}

/** A closed position. `pnl` is net of both fees; `r` is pnl over the initial risk |entry − stop| × qty. */
export interface Trade extends Position {
  exitPrice: number;
  exitTime: number;
  exitFee: number;
  reason: ExitReason;
  pnl: number;
  pnlPercent: number;
  r: number;
}

/** A market entry waiting for the next base candle of its instrument; `maxHoldMs` becomes the position's `exitBy`. */
export interface PendingEntry extends Pick<Position, 'cardId' | 'signalId' | 'rule' | 'symbol' | 'timeframe' | 'mode' | 'qty' | 'stop' | 'target' | 'side'> {
  maxHoldMs?: number;
  submittedAt: number;
}

/** +1 for a long, −1 for a short: P&L = sign × qty × (exit − entry). */
export function sideSign(p: Pick<Position, 'side'>): 1 | -1 {
  return p.side === 'short' ? -1 : 1;
}
