import type { LiveOrder } from '../../store/live-schema.js';
import type { LiveContext } from './context.js';
import type { Fill, VenueOrder } from './exchange-broker.js';

/**
 * What filled on `o`: from the fees the order response carries (Binance FULL), else from the
 * trade history (`myTrades`), else the order's own average without fees.
 */
export async function fillOf(ctx: LiveContext, symbol: string, o: VenueOrder, since: number): Promise<Fill> {
  const base = ctx.venue.base(symbol);
  if (o.fees.length && o.average !== undefined) {
    let feeQuote = 0;
    let feeBase = 0;
    for (const f of o.fees) {
      if (f.currency === ctx.config.quote) feeQuote += f.cost;
      else if (f.currency === base) feeBase += f.cost;
    }
    return { qty: o.filled, avgPrice: o.average, feeQuote: feeQuote + feeBase * o.average, feeBase, time: o.timestamp ?? ctx.clock.now() };
  }
  try {
    const f = await ctx.venue.fills(symbol, o.id, since);
    if (f && f.qty > 0) return f;
  } catch (err) {
    ctx.log.warn({ err, symbol, orderId: o.id }, 'could not read fills; fees unknown');
  }
  return { qty: o.filled, avgPrice: o.average ?? 0, feeQuote: 0, feeBase: 0, time: o.timestamp ?? ctx.clock.now() };
}

/** Copies a fill into an order record. */
export function recordFill(order: LiveOrder, f: Fill, exchangeId: string, now: number): void {
  order.status = 'filled';
  order.exchangeId = exchangeId;
  order.filledQty = f.qty;
  order.avgPrice = f.avgPrice;
  order.feeQuote = f.feeQuote;
  order.feeBase = f.feeBase;
  order.updatedAt = now;
  delete order.error;
}
