import type { ExitReason, Position, Trade } from '../portfolio/types.js';
import type { ExecutionClient, Holdings, MarkedPosition, PendingEntryRow, StopReport } from './ports.js';
import type { SimulatedBroker } from './simulated-broker.js';
import type { ActionResult } from './trade-service.js';

/**
 * The paper account as an {@link ExecutionClient}: the simulated broker's positions, fills on the
 * next base candle (the engine drives the broker), balances from its ledger. Money in `quote`.
 */
export class PaperClient implements ExecutionClient {
  readonly mode = 'paper' as const;

  constructor(readonly broker: SimulatedBroker, readonly quote: string, readonly persist: () => void) {}

  openPositions(): Position[] {
    return this.broker.account.positions;
  }

  heldPositions(): Position[] {
    return this.broker.account.positions;
  }

  closedTrades(): Trade[] {
    return this.broker.account.trades;
  }

  requestExit(positionId: string, reason: ExitReason): void {
    this.broker.requestExit(positionId, reason);
  }

  async holdings(): Promise<{ positions: MarkedPosition[]; pending: PendingEntryRow[] }> {
    const a = this.broker.account;
    return {
      positions: a.positions.map((p) => ({ position: p, mark: a.marks[p.symbol] ?? p.entryPrice, closing: !!p.exitRequested })),
      pending: a.pending.map((p) => ({ cardId: p.cardId, symbol: p.symbol, side: p.side ?? 'long', qty: p.qty })),
    };
  }

  /** Closes at the next base candle's open (a market exit in the simulation). */
  async close(positionId: string): Promise<ActionResult | null> {
    if (!this.broker.account.positions.some((p) => p.id === positionId)) return null;
    this.broker.requestExit(positionId, 'manual');
    this.persist();
    return { ok: true, outcome: { code: 'position-closing', positionId } };
  }

  /** Cancels queued entries at once; open positions keep their stops and targets. */
  async onStop(): Promise<StopReport> {
    const cancelled = this.broker.account.pending.map((p) => p.cardId);
    for (const id of cancelled) this.broker.cancelEntry(id);
    return { confirmations: 0, cancelledEntries: cancelled.length, protectedPositions: this.broker.account.positions.length };
  }

  /** Cash, and each coin held at its quantity; equity marks positions at the last close. */
  async balance(): Promise<Holdings> {
    const a = this.broker.account;
    const byAsset = new Map<string, number>();
    for (const p of a.positions) {
      const base = p.symbol.slice(0, -this.quote.length);
      byAsset.set(base, (byAsset.get(base) ?? 0) + p.qty);
    }
    return {
      source: 'paper',
      quote: this.quote,
      equity: this.broker.equity(),
      balances: [{ asset: this.quote, free: a.cash, total: a.cash }, ...[...byAsset].map(([asset, q]) => ({ asset, free: q, total: q }))],
    };
  }
}
