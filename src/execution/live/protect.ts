/**
 * Protecting a live position on the venue: a sell OCO on Binance (take profit LIMIT_MAKER at the
 * target, STOP_LOSS_LIMIT at the stop), a lone stop order elsewhere (edgebot then takes the
 * target itself), or no venue orders at all (edgebot sells at market when stop or target is
 * crossed). Placement follows the entry's rule: intent on disk first, lookup by client id after
 * an ambiguous failure; only a list the venue has never seen is placed again, under the same id.
 */
import type { LiveTrade } from '../../store/live-schema.js';
import { recordClose } from './close.js';
import { alert, orderFailed, type LiveContext } from './context.js';
import { failureOf, toVenueError } from './errors.js';
import type { ProtectionOutcome } from '../../kernel/live-outcome.js';
import type { VenueOrder } from './exchange-broker.js';
import { attemptOf, clientId } from './ids.js';

const RETRYABLE = new Set(['pending', 'unknown']);

/** Client ids of the orders that rest on the book for the current protection attempt. */
function restingIds(t: LiveTrade): { reason: 'target' | 'stop'; id: string }[] {
  const o = t.protection?.order;
  if (!o) return [];
  if (t.protection!.kind !== 'oco') return [{ reason: 'stop', id: o.clientId }];
  const a = attemptOf(o.clientId);
  return [{ reason: 'target', id: clientId(t.cardId, 'target', a) }, { reason: 'stop', id: clientId(t.cardId, 'stop', a) }];
}

/** Starts a new protection attempt for an open position and places it; says what protects it now. */
export async function protect(ctx: LiveContext, t: LiveTrade): Promise<ProtectionOutcome> {
  const now = ctx.clock.now();
  const kind = t.protection?.kind === 'engine' ? 'engine' : ctx.venue.protectionKind(t.symbol);
  if (kind === 'engine') {
    t.protection = { kind, ...(t.protection?.order ? { order: t.protection.order } : {}), ...(t.protection?.lastError ? { lastError: t.protection.lastError } : {}) };
    await ctx.ledger.checkpoint();
    return { code: 'self-watched', stop: t.stop, target: t.target };
  }
  const prev = t.protection?.order;
  const attempt = !prev ? 1 : RETRYABLE.has(prev.status) ? attemptOf(prev.clientId) : attemptOf(prev.clientId) + 1;
  t.protection = {
    kind,
    order: { clientId: clientId(t.cardId, kind === 'oco' ? 'oco' : 'stop', attempt), status: 'pending', qty: ctx.venue.amount(t.symbol, t.qty), sentAt: now, updatedAt: now },
  };
  await ctx.ledger.checkpoint();
  return place(ctx, t);
}

/** Sends the pending protection order of `t` (its intent is already on disk). */
async function place(ctx: LiveContext, t: LiveTrade): Promise<ProtectionOutcome> {
  const { venue } = ctx;
  const p = t.protection!;
  const o = p.order!;
  // The stop leg's limit sits the slippage tolerance under its trigger, so a fast fall still fills it.
  const stopLimit = venue.price(t.symbol, t.stop * (1 - ctx.config.execution.slippageTolerancePercent / 100));
  const a = attemptOf(o.clientId);
  try {
    if (p.kind === 'oco') {
      o.exchangeId = await venue.placeOco({
        symbol: t.symbol, qty: o.qty, target: t.target, stop: t.stop, stopLimit, listClientId: o.clientId,
        targetClientId: clientId(t.cardId, 'target', a), stopClientId: clientId(t.cardId, 'stop', a),
      });
    } else {
      o.exchangeId = (await venue.placeStop(t.symbol, o.qty, t.stop, stopLimit, o.clientId)).id;
    }
  } catch (e) {
    const err = toVenueError(e);
    o.error = err.detail;
    o.updatedAt = ctx.clock.now();
    if (err.ambiguous || err.kind === 'duplicate') {
      o.status = 'unknown';
      await ctx.ledger.checkpoint();
      return { code: 'protection-unknown', failure: failureOf(err), clientId: o.clientId };
    }
    o.status = 'rejected';
    orderFailed(ctx, t.symbol, err);
    // Nothing protects the position on the venue now: edgebot watches stop and target itself.
    t.protection = { kind: 'engine', order: o, lastError: err.detail };
    await ctx.ledger.checkpoint();
    alert(ctx, 'warning', { code: 'protection-refused', symbol: t.symbol, venue: venue.venue, failure: failureOf(err), stop: t.stop, target: t.target });
    return { code: 'protection-refused' };
  }
  o.status = 'open';
  o.updatedAt = ctx.clock.now();
  delete o.error;
  delete p.lastError;
  ctx.risk.onExchangeSuccess();
  await ctx.ledger.checkpoint();
  return { code: 'protected', venue: venue.venue, kind: p.kind === 'oco' ? 'oco' : 'stop', target: t.target, stop: t.stop, stopLimit };
}

/**
 * When a protective order has left the book, finds the leg that filled and books the exit.
 * Returns true when the position was closed that way.
 */
export async function settleProtection(ctx: LiveContext, t: LiveTrade): Promise<boolean> {
  for (const { reason, id } of restingIds(t)) {
    const leg = await ctx.venue.findOrder(t.symbol, id);
    if (leg && leg.filled > 0 && leg.status !== 'open') {
      await recordClose(ctx, t, leg, reason, t.entryTime, t.protection!.order);
      return true;
    }
  }
  return false;
}

/** Whether the current protection still rests on the venue (an executing OCO, an open stop order). */
async function stillResting(ctx: LiveContext, t: LiveTrade): Promise<boolean> {
  const o = t.protection!.order!;
  if (t.protection!.kind === 'oco') {
    const list = await ctx.venue.findOco(o.clientId);
    return !!list && !list.done;
  }
  return (await ctx.venue.findOrder(t.symbol, o.clientId))?.status === 'open';
}

/**
 * Reconcile step for an open position's venue protection: settles an unknown placement by client
 * id (placing it again only when the venue never saw it), confirms resting legs against the
 * venue's open orders, and books the exit when a leg filled.
 * @param open the symbol's open orders, or null when they could not be fetched
 */
export async function checkProtection(ctx: LiveContext, t: LiveTrade, open: VenueOrder[] | null): Promise<void> {
  const p = t.protection;
  if (!p || (p.kind !== 'engine' && !p.order)) {
    // The process stopped between the fill and the protection intent.
    await protect(ctx, t);
    return;
  }
  if (p.kind === 'engine') return;
  const o = p.order!;
  if (RETRYABLE.has(o.status)) {
    const found = p.kind === 'oco' ? await ctx.venue.findOco(o.clientId) : await ctx.venue.findOrder(t.symbol, o.clientId);
    if (!found) {
      await place(ctx, t);
      return;
    }
    o.status = 'open';
    o.exchangeId = 'listId' in found ? found.listId : found.id;
    o.updatedAt = ctx.clock.now();
    await ctx.ledger.checkpoint();
  }
  if (o.status === 'open') {
    const ids = restingIds(t);
    if (open && ids.every(({ id }) => open.some((x) => x.clientId === id))) return;
    // Not among the open orders (or they could not be read): ask about the orders themselves.
    if (await stillResting(ctx, t)) return;
    if (await settleProtection(ctx, t)) return;
    o.status = 'missing';
    o.updatedAt = ctx.clock.now();
    await ctx.ledger.checkpoint();
    alert(ctx, 'warning', { code: 'protection-missing', symbol: t.symbol, clientId: o.clientId });
  }
  // cancelled (a close that failed after taking them down), missing or rejected: protect again.
  const outcome = await protect(ctx, t);
  ctx.log.info({ position: t.id, protection: outcome.code }, 'protection placed again');
}
