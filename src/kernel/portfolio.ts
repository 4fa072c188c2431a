import type { AccountView } from '../risk/risk.js';
import type { Position, Trade } from '../portfolio/types.js';
import type { ExecutionClient } from './ports.js';
import type { SimulatedBroker } from './simulated-broker.js';

/**
 * Every position the bot holds, over any number of execution clients (paper, and live when
 * configured). The engine, the risk gate, the trade service and the commands see positions only
 * through it. Sizing uses the paper account's equity, as it always has.
 */
export class Portfolio {
  /** Clients in display order: venue clients first, the paper account last. */
  readonly clients: readonly ExecutionClient[];

  constructor(readonly paper: SimulatedBroker, paperClient: ExecutionClient, others: readonly ExecutionClient[] = []) {
    this.clients = [...others, paperClient];
  }

  /** The client real orders go to: the first venue client, else paper. */
  get primary(): ExecutionClient {
    return this.clients[0];
  }

  /** Open positions (and live entries in flight) of every client. */
  openPositions(): Position[] {
    return this.clients.length === 1 ? this.clients[0].openPositions() : this.clients.flatMap((c) => c.openPositions());
  }

  /** Filled positions of every client (what `/positions` and close-all act on). */
  heldPositions(): Position[] {
    return this.clients.flatMap((c) => c.heldPositions());
  }

  /** Closed trades of every client, oldest exit first. */
  closedTrades(): Trade[] {
    if (this.clients.length === 1) return this.clients[0].closedTrades();
    return this.clients.flatMap((c) => c.closedTrades()).sort((x, y) => x.exitTime - y.exitTime);
  }

  /** The client holding an open position, and the position. */
  find(positionId: string): { client: ExecutionClient; position: Position } | undefined {
    for (const client of this.clients) {
      const position = client.openPositions().find((p) => p.id === positionId);
      if (position) return { client, position };
    }
    return undefined;
  }

  /** What the risk gate needs to know, over every client (queued paper entries count too). */
  accountView(): AccountView {
    const a = this.paper.account;
    const held = this.clients.length === 1 ? [] : this.openPositions().filter((p) => p.mode !== 'paper');
    return {
      equity: this.paper.equity(),
      equityPeak: a.equityPeak,
      openPositions: a.positions.length + a.pending.length + held.length,
      hasPosition: (s) => a.positions.some((p) => p.symbol === s) || a.pending.some((p) => p.symbol === s) || held.some((p) => p.symbol === s),
    };
  }
}
