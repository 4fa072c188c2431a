import type { PendingEntry, Position, Trade } from './types.js';

/** The paper account: what the store persists and `/balance` shows. Money in quote currency. */
export interface PaperAccount {
  cash: number;
  positions: Position[];
  pending: PendingEntry[];
  trades: Trade[];
  /** Last seen price per symbol (the last base close), for equity. */
  marks: Record<string, number>;
  equityPeak: number;
  /** Largest peak-to-trough fall of equity so far, percent of the peak. */
  maxDrawdownPercent: number;
}

export type BrokerEvent = { type: 'entry'; position: Position } | { type: 'exit'; trade: Trade };

/** Starts an empty paper account. */
export function newPaperAccount(startingBalance: number): PaperAccount {
  return { cash: startingBalance, positions: [], pending: [], trades: [], marks: {}, equityPeak: startingBalance, maxDrawdownPercent: 0 };
}
