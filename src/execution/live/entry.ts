/**
 * The live entry: a market buy whose client order id is derived from the card (`eb-<cardId>-e`).
 * The intent is written to disk before the request; after an ambiguous failure (timeout, network,
 * 5xx, "duplicate") the order is looked up by that id — an entry is never sent a second time.
 */
import type { LiveAnswer } from '../../kernel/trade-service.js';
import type { Card, LiveConfirmation } from '../../kernel/card.js';
import { timeframeMs } from '../../core/timeframe.js';
import type { LiveTrade } from '../../store/live-schema.js';
import { liveOnEntry } from './confirm.js';
import { alert, cardChanged, orderFailed, toPosition, type LiveContext } from './context.js';
import { brief, failureOf, toVenueError } from './errors.js';
import type { VenueOrder } from './exchange-broker.js';
import { fillOf, recordFill } from './fills.js';
import { clientId, livePositionId } from './ids.js';
import { protect } from './protect.js';

/** Creates the card's live trade, persists the intent, and sends the entry. */
export async function openPosition(ctx: LiveContext, card: Card, c: LiveConfirmation): Promise<LiveAnswer> {
  const now = ctx.clock.now();
  const t: LiveTrade = {
    id: livePositionId(card.id), cardId: card.id, signalId: card.signalId, rule: card.rule, symbol: card.symbol,
    market: ctx.venue.market(card.symbol), timeframe: card.timeframe, phase: 'entering', createdAt: now, equity: c.equity,
    stop: card.stop, target: card.target,
    entry: { clientId: clientId(card.id, 'entry'), status: 'pending', qty: c.qty, sentAt: now, updatedAt: now },
    qty: 0, entryPrice: 0, entryTime: 0, entryFee: 0,
  };
  ctx.ledger.add(t);
  card.status = 'live';
  delete card.confirmation;
  ctx.emit({ type: 'card-update', card });
  // The intent is on disk before the exchange hears of it: a restart finds it and looks it up.
  await ctx.ledger.checkpoint();
  const r = await submitEntry(ctx, t, card);
  return { ...r, card };
}

async function submitEntry(ctx: LiveContext, t: LiveTrade, card: Card): Promise<LiveAnswer> {
  let o: VenueOrder;
  try {
    o = await ctx.venue.marketOrder(t.symbol, 'buy', t.entry.qty, t.entry.clientId);
  } catch (e) {
    const err = toVenueError(e);
    const now = ctx.clock.now();
    t.entry.updatedAt = now;
    t.entry.error = err.detail;
    if (err.ambiguous || err.kind === 'duplicate') {
      t.entry.status = 'unknown';
      await ctx.ledger.checkpoint();
      ctx.log.warn({ clientId: t.entry.clientId, kind: err.kind, detail: err.detail }, 'entry outcome unknown; looking it up by client id');
      const found = await ctx.venue.findOrder(t.symbol, t.entry.clientId).catch(() => null);
      if (found) return afterEntryOrder(ctx, t, found);
      alert(ctx, 'warning', { code: 'order-unanswered', symbol: t.symbol, failure: failureOf(err), venue: ctx.venue.venue, clientId: t.entry.clientId });
      return { ok: false, outcome: { code: 'entry-unanswered', venue: ctx.venue.venue, clientId: t.entry.clientId } };
    }
    t.entry.status = 'rejected';
    t.phase = 'failed';
    card.status = 'blocked';
    card.blockedReason = `live order refused (${brief(err)})`;
    const until = orderFailed(ctx, t.symbol, err);
    cardChanged(ctx, card);
    await ctx.ledger.checkpoint();
    return { ok: false, outcome: { code: 'entry-refused', failure: failureOf(err), symbol: t.symbol, cooldownUntil: until } };
  }
  return afterEntryOrder(ctx, t, o);
}

/** Applies what the venue says about the entry order (from the response or a lookup). */
export async function afterEntryOrder(ctx: LiveContext, t: LiveTrade, o: VenueOrder): Promise<LiveAnswer> {
  const now = ctx.clock.now();
  t.entry.exchangeId = o.id;
  t.entry.updatedAt = now;
  if (o.status === 'open') {
    t.entry.status = 'open';
    await ctx.ledger.checkpoint();
    return { ok: true, outcome: { code: 'entry-accepted', timeoutSeconds: ctx.config.execution.orderTimeoutSeconds } };
  }
  if (o.filled > 0) return entryFilled(ctx, t, o);
  t.entry.status = o.status === 'rejected' ? 'rejected' : 'cancelled';
  t.phase = o.status === 'rejected' ? 'failed' : 'cancelled';
  await ctx.ledger.checkpoint();
  return { ok: false, outcome: { code: 'entry-not-filled', symbol: t.symbol, status: o.status } };
}

/** Records the fill, announces the position and protects it. */
async function entryFilled(ctx: LiveContext, t: LiveTrade, o: VenueOrder): Promise<LiveAnswer> {
  const f = await fillOf(ctx, t.symbol, o, t.entry.sentAt);
  const now = ctx.clock.now();
  recordFill(t.entry, f, o.id, now);
  // Binance takes a buy's fee in the coin bought: what is held (and can be sold) is net of it.
  t.qty = f.qty - f.feeBase;
  t.entryPrice = f.avgPrice;
  t.entryFee = f.feeQuote;
  t.entryTime = f.time;
  const card = ctx.cards.get(t.cardId);
  if (card?.maxHoldBars) t.exitBy = f.time + card.maxHoldBars * timeframeMs(card.timeframe);
  t.phase = 'open';
  liveOnEntry(ctx, t.equity);
  ctx.risk.onExchangeSuccess();
  await ctx.ledger.checkpoint();
  ctx.emit({ type: 'entry', position: toPosition(t) });
  const protection = await protect(ctx, t);
  return { ok: true, outcome: { code: 'bought', qty: t.qty, base: ctx.venue.base(t.symbol), price: t.entryPrice, fee: t.entryFee, protection } };
}

/**
 * Settles an entry whose outcome is not known yet (reconcile, order timeout): looks it up by
 * client id; cancels it when it rests unfilled past `orderTimeoutSeconds`; gives up only once
 * the venue has certainly never seen it.
 */
export async function resolveEntry(ctx: LiveContext, t: LiveTrade): Promise<void> {
  const now = ctx.clock.now();
  const timeoutMs = ctx.config.execution.orderTimeoutSeconds * 1000;
  let o = await ctx.venue.findOrder(t.symbol, t.entry.clientId);
  if (!o) {
    // Binance drops a request older than its recvWindow (≤ 60 s): past that, never-seen is final.
    if (now - t.entry.sentAt < timeoutMs + 60_000) return;
    t.entry.status = 'missing';
    t.entry.updatedAt = now;
    t.phase = 'failed';
    const card = ctx.cards.get(t.cardId);
    if (card) {
      card.status = 'blocked';
      card.blockedReason = 'the live order never reached the exchange';
      cardChanged(ctx, card);
    }
    await ctx.ledger.checkpoint();
    alert(ctx, 'warning', { code: 'order-never-reached', symbol: t.symbol, venue: ctx.venue.venue, clientId: t.entry.clientId });
    return;
  }
  if (o.status === 'open' && now - t.entry.sentAt >= timeoutMs) {
    o = (await ctx.venue.cancelOrder(t.symbol, t.entry.clientId)) ?? (await ctx.venue.findOrder(t.symbol, t.entry.clientId)) ?? o;
    if (o.status === 'open') return;
    if (o.filled === 0) {
      t.entry.status = 'cancelled';
      t.entry.updatedAt = now;
      t.phase = 'cancelled';
      await ctx.ledger.checkpoint();
      alert(ctx, 'info', { code: 'entry-timed-out', symbol: t.symbol, timeoutSeconds: ctx.config.execution.orderTimeoutSeconds });
      return;
    }
  }
  if (o.status === 'open') {
    t.entry.status = 'open';
    t.entry.exchangeId = o.id;
    return;
  }
  const r = await afterEntryOrder(ctx, t, o);
  if (!r.ok) alert(ctx, 'info', { code: 'step', outcome: r.outcome });
}
