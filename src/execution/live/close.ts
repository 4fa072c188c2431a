import type { ExitReason, Trade } from '../../portfolio/types.js';
import type { LiveOrder, LiveTrade } from '../../store/live-schema.js';
import { toTrade, type LiveContext } from './context.js';
import type { VenueOrder } from './exchange-broker.js';
import { fillOf, recordFill } from './fills.js';

/**
 * Books a position's exit from the order that sold it (market exit or a protective leg): realized
 * P&L net of both fees, cooldown after a loss, and an `exit` event for the chat. P&L in quote:
 * proceeds − exit fee − (held × entry price + entry fee), i.e. against what the entry cost.
 */
export async function recordClose(
  ctx: LiveContext,
  t: LiveTrade,
  o: VenueOrder,
  reason: ExitReason,
  since: number,
  order?: LiveOrder,
): Promise<Trade> {
  const f = await fillOf(ctx, t.symbol, o, since);
  if (order) recordFill(order, f, o.id, ctx.clock.now());
  const cost = t.qty * t.entryPrice + t.entryFee;
  const pnl = f.qty * f.avgPrice - f.feeQuote - cost;
  t.exitPrice = f.avgPrice;
  t.exitFee = f.feeQuote;
  t.exitTime = f.time;
  t.exitReason = reason;
  t.pnl = pnl;
  t.phase = 'closed';
  await ctx.ledger.checkpoint();
  const trade = toTrade(t)!;
  ctx.risk.onTradeClosed(trade);
  ctx.log.info({ position: t.id, reason, pnl, exitPrice: f.avgPrice }, 'live position closed');
  ctx.emit({ type: 'exit', trade });
  return trade;
}
