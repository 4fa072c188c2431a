import type { Side } from '../core/instrument.js';
import type { ExitReason, Position, Trade, TradeMode } from '../portfolio/types.js';
import type { ActionResult, StopReport } from './outcome.js';

export type { StopReport } from './outcome.js';
import type { VenueFailure } from './live-outcome.js';

export type { VenueFailure };

/** An open position as `/positions` shows it: marked at the venue's last price (quote currency). */
export interface MarkedPosition {
  position: Position;
  mark: number;
  /** A close is in flight. */
  closing: boolean;
}

/** An entry ordered but not filled yet. Quantity in base asset. */
export interface PendingEntryRow {
  cardId: string;
  symbol: string;
  side: Side;
  qty: number;
}

/** What a venue account holds; money in quote currency, quantities in the asset. */
export interface Holdings {
  source: 'paper' | 'exchange';
  quote: string;
  equity: number;
  balances: { asset: string; free: number; total: number }[];
}

/**
 * Where orders go and positions are held (issue #11's one execution port). Paper (the simulated
 * broker, `src/kernel/paper-client.ts`) and live (`src/execution/live/live-trader.ts`) are its two
 * implementations; the kernel's `Portfolio` holds positions from any number of them.
 */
export interface ExecutionClient {
  readonly mode: TradeMode;
  /** Open positions, and entries in flight (they count against the risk limits too). */
  openPositions(): Position[];
  /** Positions held (filled), without entries in flight: what the owner can close. */
  heldPositions(): Position[];
  /** Closed trades, oldest exit first. */
  closedTrades(): Trade[];
  /** An engine-managed exit (z-score reversal): asks to close at market; does not wait. */
  requestExit(positionId: string, reason: ExitReason): void;
  /** Positions held (marked at the last price) and entries waiting for a fill, for `/positions`. */
  holdings(): Promise<{ positions: MarkedPosition[]; pending: PendingEntryRow[] }>;
  /** The owner's close of one position; null when the position is not this client's. */
  close(positionId: string): Promise<ActionResult | null>;
  /** Runs after the kill switch is set: cancels what is in flight, keeps protective orders. */
  onStop(): Promise<StopReport>;
  /** The account's balances, or why the venue could not say. */
  balance(): Promise<Holdings | VenueFailure>;
}
