/**
 * Reconcile (at start and every minute): brings every unfinished live record in line with the
 * venue. Entries and exits with an unknown outcome are looked up by client id; open positions
 * are checked against the venue's open orders, and a protective leg that filled is booked with
 * its realized P&L; stops and targets edgebot watches itself, and time exits, are applied.
 * Expired confirmations are taken off their cards.
 */
import type { LiveTrade } from '../../store/live-schema.js';
import type { LiveAnswer } from '../../kernel/trade-service.js';
import { alert, cardChanged, type LiveContext } from './context.js';
import { resolveEntry } from './entry.js';
import { closePosition, resolveExit } from './exit.js';
import type { VenueOrder } from './exchange-broker.js';
import { checkProtection } from './protect.js';

/** Runs `fn` with the per-card lock held (the same lock taps take). */
export type CardLock = <T>(cardId: string, fn: () => Promise<T>) => Promise<T>;

export interface ReconcileReport {
  /** Records looked at. */
  checked: number;
  /** Positions open on the venue afterwards. */
  open: number;
  /** Records whose step failed this time (they are retried next time). */
  failed: number;
}

/** Takes confirmations whose time is up off their cards (and expires cards past their own expiry). */
export function expireConfirmations(ctx: LiveContext): void {
  const now = ctx.clock.now();
  for (const card of ctx.cards.values()) {
    if (!card.confirmation || now < card.confirmation.expiresAt) continue;
    delete card.confirmation;
    if (card.status === 'open' && now >= card.expiresAt) card.status = 'expired';
    cardChanged(ctx, card);
  }
}

export async function reconcile(ctx: LiveContext, lock: CardLock): Promise<ReconcileReport> {
  expireConfirmations(ctx);
  const active = ctx.ledger.active();
  const open = new Map<string, VenueOrder[] | null>();
  for (const s of new Set(active.filter((t) => t.phase === 'open').map((t) => t.symbol))) {
    try {
      open.set(s, await ctx.venue.openOrders(s));
    } catch (err) {
      ctx.log.warn({ err, symbol: s }, 'reconcile: open orders unavailable');
      open.set(s, null);
    }
  }
  let failed = 0;
  for (const t of active) {
    try {
      await lock(t.cardId, () => step(ctx, t, open.get(t.symbol) ?? null));
    } catch (err) {
      failed++;
      ctx.log.warn({ err, position: t.id, phase: t.phase }, 'reconcile step failed; retrying next time');
    }
  }
  return { checked: active.length, open: ctx.ledger.positions().length, failed };
}

async function step(ctx: LiveContext, t: LiveTrade, open: VenueOrder[] | null): Promise<void> {
  switch (t.phase) {
    case 'entering':
      return resolveEntry(ctx, t);
    case 'closing':
      return resolveExit(ctx, t);
    case 'open': {
      if (t.exitBy !== undefined && ctx.clock.now() >= t.exitBy) return report(ctx, await closePosition(ctx, t, 'time'));
      await checkProtection(ctx, t, open);
      if (t.phase === 'open') await watchedExits(ctx, t);
      return;
    }
    default:
      return;
  }
}

/** Stop and target that no venue order covers: sell at market once the last price crosses them. */
async function watchedExits(ctx: LiveContext, t: LiveTrade): Promise<void> {
  const kind = t.protection?.kind;
  if (kind === 'oco') return;
  const { last } = await ctx.venue.ticker(t.symbol);
  if (kind === 'engine' && last <= t.stop) report(ctx, await closePosition(ctx, t, 'stop'));
  else if (last >= t.target) report(ctx, await closePosition(ctx, t, 'target'));
}

function report(ctx: LiveContext, r: LiveAnswer): void {
  // Successful closes announce themselves through the exit event.
  if (!r.ok) alert(ctx, 'warning', { code: 'step', outcome: r.outcome });
}
