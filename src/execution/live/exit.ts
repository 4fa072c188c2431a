/**
 * Closing a live position at market (manual close, close-all, time exit, or a stop/target that
 * edgebot watches itself): take the protective orders down first — or find that one of them
 * already closed the position — then sell what is held with client id `eb-<cardId>-x`.
 */
import type { ExitReason } from '../../portfolio/types.js';
import type { LiveTrade } from '../../store/live-schema.js';
import { money, price as fmtPrice, qty as fmtQty } from '../../notifier/format.js';
import type { LiveAnswer } from '../../kernel/trade-service.js';
import { recordClose } from './close.js';
import { alert, orderFailed, type LiveContext } from './context.js';
import { explain, toVenueError } from './errors.js';
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
      ? { ok: true, text: `${t.symbol} is closed.` }
      : { ok: false, text: `A close of ${t.symbol} is already in progress.` };
  }
  if (t.phase !== 'open' && t.phase !== 'closing') return { ok: false, text: `${t.id} is not open (${t.phase}).` };
  t.phase = 'closing';
  t.exitReason = reason;
  await ctx.ledger.checkpoint();

  const p = t.protection;
  const po = p?.order;
  if (p && po && p.kind !== 'engine' && IN_FLIGHT.has(po.status)) {
    const gone = p.kind === 'oco' ? await venue.cancelOco(t.symbol, po.clientId) : (await venue.cancelOrder(t.symbol, po.clientId)) !== null;
    if (!gone && (await settleProtection(ctx, t))) {
      return { ok: true, text: `${t.symbol} was already closed by its ${t.exitReason}: P&L ${money(t.pnl ?? 0, true)} ${ctx.config.quote}.` };
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
    return { ok: false, text: `No ${base} is free to sell on ${venue.venue} (held ${fmtQty(t.qty)}, free ${fmtQty(free)}); nothing was sold.` };
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
      return { ok: false, text: `⚠️ ${explain(err, ctx.config.quote)} edgebot looks the sell up by client id ${t.exit.clientId} and reports; it will not sell twice.` };
    }
    t.exit.status = 'rejected';
    t.phase = 'open';
    orderFailed(ctx, t.symbol, err);
    await ctx.ledger.checkpoint();
    const again = await protect(ctx, t);
    return { ok: false, text: `❌ Close failed: ${explain(err, ctx.config.quote)} The position stays open. ${again}` };
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
    return { ok: true, text: `Sell order for ${t.symbol} accepted; waiting for the fill.` };
  }
  if (x.filled > 0) {
    const trade = await recordClose(ctx, t, x, t.exitReason ?? 'manual', exit.sentAt, exit);
    ctx.risk.onExchangeSuccess();
    return {
      ok: true,
      text: `✋ Closed ${t.symbol}: sold ${fmtQty(x.filled)} at ${fmtPrice(trade.exitPrice)}, P&L ${money(trade.pnl, true)} ${ctx.config.quote}.`,
    };
  }
  exit.status = 'cancelled';
  t.phase = 'open';
  await ctx.ledger.checkpoint();
  const again = await protect(ctx, t);
  return { ok: false, text: `The sell of ${t.symbol} did not fill (${x.status}); the position stays open. ${again}` };
}

/** Reconcile step for a position being closed: settles the sell by client id, or finishes the close. */
export async function resolveExit(ctx: LiveContext, t: LiveTrade): Promise<void> {
  const exit = t.exit;
  if (!exit || !IN_FLIGHT.has(exit.status)) {
    // Stopped between taking the protection down and selling: finish the close.
    const r = await closePosition(ctx, t, t.exitReason ?? 'manual');
    if (!r.ok) alert(ctx, 'warning', r.text);
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
    alert(ctx, 'warning', `${t.symbol}: the sell ${exit.clientId} never reached ${ctx.venue.venue}; the position is still open. ${again}`);
    return;
  }
  if (x.status === 'open') {
    if (now - exit.sentAt < timeoutMs) return;
    x = (await ctx.venue.cancelOrder(t.symbol, exit.clientId)) ?? x;
    if (x.status === 'open') return;
  }
  const r = await afterExit(ctx, t, x);
  if (!r.ok) alert(ctx, 'warning', r.text);
}
