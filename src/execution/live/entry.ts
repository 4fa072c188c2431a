/**
 * The live entry: a market buy whose client order id is derived from the card (`eb-<cardId>-e`).
 * The intent is written to disk before the request; after an ambiguous failure (timeout, network,
 * 5xx, "duplicate") the order is looked up by that id — an entry is never sent a second time.
 */
import type { LiveAnswer } from '../../kernel/trade-service.js';
import type { Card, LiveConfirmation } from '../../kernel/card.js';
import { timeframeMs } from '../../core/timeframe.js';
import { money, price as fmtPrice, qty as fmtQty } from '../../notifier/format.js';
import type { LiveTrade } from '../../store/live-schema.js';
import { liveOnEntry } from './confirm.js';
import { alert, cardChanged, hhmm, orderFailed, toPosition, type LiveContext } from './context.js';
import { brief, explain, toVenueError } from './errors.js';
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
      alert(ctx, 'warning', `${t.symbol}: ${explain(err, ctx.config.quote)} The order may still have reached ${ctx.venue.venue}; ` +
        `edgebot looks it up by its client id ${t.entry.clientId} every minute and reports — it never sends it again.`);
      return { ok: false, text: `⚠️ No answer from ${ctx.venue.venue}; checking order ${t.entry.clientId} by its client id (never re-sent).` };
    }
    t.entry.status = 'rejected';
    t.phase = 'failed';
    card.status = 'blocked';
    card.blockedReason = `live order refused (${brief(err)})`;
    const until = orderFailed(ctx, t.symbol, err);
    cardChanged(ctx, card);
    await ctx.ledger.checkpoint();
    return { ok: false, text: `❌ No order: ${explain(err, ctx.config.quote)} ${t.symbol} cools down until ${hhmm(until)}.` };
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
    return { ok: true, text: `⏳ Order accepted; waiting for the fill (cancelled if unfilled after ${ctx.config.execution.orderTimeoutSeconds} s).` };
  }
  if (o.filled > 0) return entryFilled(ctx, t, o);
  t.entry.status = o.status === 'rejected' ? 'rejected' : 'cancelled';
  t.phase = o.status === 'rejected' ? 'failed' : 'cancelled';
  await ctx.ledger.checkpoint();
  return { ok: false, text: `The exchange did not fill the ${t.symbol} order (${o.status}); nothing was bought.` };
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
  return {
    ok: true,
    text: `✅ Bought ${fmtQty(t.qty)} ${ctx.venue.base(t.symbol)} at ${fmtPrice(t.entryPrice)} ` +
      `(fee ${money(t.entryFee)} ${ctx.config.quote}). ${protection}`,
  };
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
    alert(ctx, 'warning', `${t.symbol}: the live order ${t.entry.clientId} never reached ${ctx.venue.venue}; nothing was bought.`);
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
      alert(ctx, 'info', `${t.symbol}: the live entry was not filled within ${ctx.config.execution.orderTimeoutSeconds} s and was cancelled.`);
      return;
    }
  }
  if (o.status === 'open') {
    t.entry.status = 'open';
    t.entry.exchangeId = o.id;
    return;
  }
  const r = await afterEntryOrder(ctx, t, o);
  if (!r.ok) alert(ctx, 'info', r.text);
}
