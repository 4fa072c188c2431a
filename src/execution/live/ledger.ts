import type { StateStore } from '../../store/state-store.js';
import { MAX_FINISHED_LIVE_TRADES, type LiveState, type LiveTrade } from '../../store/live-schema.js';

const FINISHED = new Set<LiveTrade['phase']>(['closed', 'failed', 'cancelled']);

/** Whether a record needs no more work. */
export function finished(t: LiveTrade): boolean {
  return FINISHED.has(t.phase);
}

/**
 * The live trades in `state.json` (`live.trades`), one per card. `checkpoint()` writes the file
 * before it resolves: it is called before every exchange call that places or cancels an order
 * (the intent is on disk first) and after it (the outcome is on disk before anyone is told).
 */
export class LiveLedger {
  constructor(readonly store: StateStore) {}

  get state(): LiveState {
    return this.store.data.live;
  }

  get trades(): LiveTrade[] {
    return this.state.trades;
  }

  byCard(cardId: string): LiveTrade | undefined {
    return this.trades.find((t) => t.cardId === cardId);
  }

  byId(positionId: string): LiveTrade | undefined {
    return this.trades.find((t) => t.id === positionId);
  }

  /** Records still in progress (entering, open, closing). */
  active(): LiveTrade[] {
    return this.trades.filter((t) => !finished(t));
  }

  /** Positions held on the exchange (open or being closed). */
  positions(): LiveTrade[] {
    return this.trades.filter((t) => t.phase === 'open' || t.phase === 'closing');
  }

  add(t: LiveTrade): void {
    this.trades.push(t);
    const done = this.trades.filter(finished);
    if (done.length > MAX_FINISHED_LIVE_TRADES) {
      const drop = new Set(done.slice(0, done.length - MAX_FINISHED_LIVE_TRADES));
      this.state.trades = this.trades.filter((x) => !drop.has(x));
    }
  }

  /** Writes the state file now. */
  async checkpoint(): Promise<void> {
    this.store.save();
    await this.store.flush();
  }
}
