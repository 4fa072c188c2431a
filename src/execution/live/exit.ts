/**
 * Closing a live position at market (manual close, close-all, time exit, or a stop/target that
 * edgebot watches itself): take the protective orders down first — or find that one of them
 * already closed the position — then sell what is held with client id `eb-<cardId>-x`.
 */
import type { ExitReason } from '../../portfolio/types.js';
import type { LiveTrade } from '../../store/live-schema.js';
import type { LiveAnswer } from '../../kernel/trade-service.js';
import { recordClose } from './close.js';
import { alert, orderFailed, type LiveContext } from './context.js';
import { failureOf, toVenueError } from './errors.js';
import type { VenueOrder } from './exchange-broker.js';
import { attemptOf, clientId } from './ids.js';
import { protect, settleProtection } from './protect.js';

const IN_FLIGHT = new Set(['pending', 'unknown', 'open']);

/** Closes `t` at market. Safe to call again after a crash: each step checks what is already done. */
export async function closePosition(ctx: LiveContext, t: LiveTrade, reason: ExitReason): Promise<LiveAnswer> {
  const { venue } = ctx;
  if (t.phase === 'closing' && t.exit && IN_FLIGHT.has(t.exit.status)) {
    await resolveExit(ctx, t);
    return (t.phase as LiveTrade['phase']) === 'closed'
      ? { ok: true, outcome: { code: 'closed', symbol: t.symbol } }
      : { ok: false, outcome: { code: 'close-in-progress', symbol: t.symbol } };
  }
  if (t.phase !== 'open' && t.phase !== 'closing') return { ok: false, outcome: { code: 'not-open', positionId: t.id, phase: t.phase } };
  t.phase = 'closing';
  t.exitReason = reason;
  await ctx.ledger.checkpoint();

  const p = t.protection;
  const po = p?.order;
  if (p && po && p.kind !== 'engine' && IN_FLIGHT.has(po.status)) {
    const gone = p.kind === 'oco' ? await venue.cancelOco(t.symbol, po.clientId) : (await venue.cancelOrder(t.symbol, po.clientId)) !== null;
    if (!gone && (await settleProtection(ctx, t))) {
      return { ok: true, outcome: { code: 'closed-by-protection', symbol: t.symbol, reason: t.exitReason ?? 'manual', pnl: t.pnl ?? 0 } };
    }
    po.status = 'cancelled';
    po.updatedAt = ctx.clock.now();
    await ctx.ledger.checkpoint();
  }

  const base = venue.base(t.symbol);
  const free = (await venue.balances())[base]?.free ?? 0;
  const qty = venue.amount(t.symbol, Math.min(t.qty, free));
  if (!(qty > 0)) {
    t.phase = 'open';
    await ctx.ledger.checkpoint();
    return { ok: false, outcome: { code: 'nothing-free', base, venue: venue.venue, held: t.qty, free } };
  }
  const prev = t.exit;
  const attempt = !prev ? 1 : attemptOf(prev.clientId) + 1;
  const now = ctx.clock.now();
  t.exit = { clientId: clientId(t.cardId, 'exit', attempt), status: 'pending', qty, sentAt: now, updatedAt: now };
  await ctx.ledger.checkpoint();
  let x: VenueOrder;
  try {
    x = await venue.marketOrder(t.symbol, 'sell', qty, t.exit.clientId);
  } catch (e) {
    const err = toVenueError(e);
    t.exit.error = err.detail;
    t.exit.updatedAt = ctx.clock.now();
    if (err.ambiguous || err.kind === 'duplicate') {
      t.exit.status = 'unknown';
      await ctx.ledger.checkpoint();
      const found = await venue.findOrder(t.symbol, t.exit.clientId).catch(() => null);
      if (found) return afterExit(ctx, t, found);
      return { ok: false, outcome: { code: 'exit-unanswered', failure: failureOf(err), clientId: t.exit.clientId } };
    }
    t.exit.status = 'rejected';
    t.phase = 'open';
    orderFailed(ctx, t.symbol, err);
    await ctx.ledger.checkpoint();
    const again = await protect(ctx, t);
    return { ok: false, outcome: { code: 'close-failed', failure: failureOf(err), protection: again } };
  }
  return afterExit(ctx, t, x);
}

async function afterExit(ctx: LiveContext, t: LiveTrade, x: VenueOrder): Promise<LiveAnswer> {
  const exit = t.exit!;
  exit.exchangeId = x.id;
  exit.updatedAt = ctx.clock.now();
  if (x.status === 'open') {
    exit.status = 'open';
    await ctx.ledger.checkpoint();
    return { ok: true, outcome: { code: 'sell-accepted', symbol: t.symbol } };
  }
  if (x.filled > 0) {
    const trade = await recordClose(ctx, t, x, t.exitReason ?? 'manual', exit.sentAt, exit);
    ctx.risk.onExchangeSuccess();
    return { ok: true, outcome: { code: 'sold', symbol: t.symbol, qty: x.filled, price: trade.exitPrice, pnl: trade.pnl } };
  }
  exit.status = 'cancelled';
  t.phase = 'open';
  await ctx.ledger.checkpoint();
  const again = await protect(ctx, t);
  return { ok: false, outcome: { code: 'sell-not-filled', symbol: t.symbol, status: x.status, protection: again } };
}

/** Reconcile step for a position being closed: settles the sell by client id, or finishes the close. */
export async function resolveExit(ctx: LiveContext, t: LiveTrade): Promise<void> {
  const exit = t.exit;
  if (!exit || !IN_FLIGHT.has(exit.status)) {
    // Stopped between taking the protection down and selling: finish the close.
    const r = await closePosition(ctx, t, t.exitReason ?? 'manual');
    if (!r.ok) alert(ctx, 'warning', { code: 'step', outcome: r.outcome });
    return;
  }
  const now = ctx.clock.now();
  const timeoutMs = ctx.config.execution.orderTimeoutSeconds * 1000;
  let x = await ctx.venue.findOrder(t.symbol, exit.clientId);
  if (!x) {
    if (now - exit.sentAt < timeoutMs + 60_000) return;
    exit.status = 'missing';
    t.phase = 'open';
    await ctx.ledger.checkpoint();
    const again = await protect(ctx, t);
    alert(ctx, 'warning', { code: 'sell-never-reached', symbol: t.symbol, venue: ctx.venue.venue, clientId: exit.clientId, protection: again });
    return;
  }
  if (x.status === 'open') {
    if (now - exit.sentAt < timeoutMs) return;
    x = (await ctx.venue.cancelOrder(t.symbol, exit.clientId)) ?? x;
    if (x.status === 'open') return;
  }
  const r = await afterExit(ctx, t, x);
  if (!r.ok) alert(ctx, 'warning', { code: 'step', outcome: r.outcome });
}
