import type { AccountView } from '../risk/risk.js';
import type { SimulatedBroker } from './simulated-broker.js';
import type { ExitReason, Position, Trade } from '../portfolio/types.js';

/**
 * Positions held outside the simulated broker — live ones, on the exchange. The engine, the risk
 * gate and the commands see them through this port, so limits and exits cover both books.
 */
export interface PositionBook {
  /** Open positions, and entries in flight (they count against limits too). */
  openPositions(): Position[];
  /** Closed trades, oldest first. */
  closedTrades(): Trade[];
  /** Asks to close a position at market (an engine-managed exit such as a z-score reversal); does not wait. */
  requestExit(positionId: string, reason: ExitReason): void;
}

/** What the risk gate needs to know, over the paper account and the other book together. */
export function accountView(broker: SimulatedBroker, other?: PositionBook): AccountView {
  const a = broker.account;
  const held = other?.openPositions() ?? [];
  return {
    equity: broker.equity(),
    equityPeak: a.equityPeak,
    openPositions: a.positions.length + a.pending.length + held.length,
    hasPosition: (s) => a.positions.some((p) => p.symbol === s) || a.pending.some((p) => p.symbol === s) || held.some((p) => p.symbol === s),
  };
}

/** Closed trades of both books, oldest exit first. */
export function allTrades(broker: SimulatedBroker, other?: PositionBook): Trade[] {
  const t = broker.account.trades;
  const o = other?.closedTrades() ?? [];
  return o.length ? [...t, ...o].sort((x, y) => x.exitTime - y.exitTime) : t;
}
