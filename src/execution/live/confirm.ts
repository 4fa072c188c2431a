/**
 * The confirmation step of a live order (SPEC §6): `💰 Live…` quotes the card afresh (ticker,
 * exchange equity, size within risk, balance and the venue's minimums); `✅ Confirm` re-checks
 * expiry, kill switch, risk limits and price drift before anything is sent.
 */
import type { Card, LiveConfirmation } from '../../kernel/card.js';
import type { LiveOutcome } from '../../kernel/live-outcome.js';
import { RiskManager, type RiskState, type Sizing } from '../../risk/risk.js';
import type { LiveContext } from './context.js';
import { markVenue, venueMode } from './key-check.js';

/** Part of the free quote balance a new order may use: room for the price to tick up before the fill. */
const BALANCE_HEADROOM = 0.98;

/**
 * Exchange equity in quote currency: the quote balance plus edgebot's live positions at `marks`
 * (their entry price when no mark is given). Other coins in the account are not counted.
 */
export function liveEquity(ctx: LiveContext, quoteTotal: number, marks: Record<string, number> = {}): number {
  let e = quoteTotal;
  for (const t of ctx.ledger.positions()) e += t.qty * (marks[t.symbol] ?? t.entryPrice);
  return e;
}

/**
 * The risk gate for live orders: the shared kill switch, circuit breaker and cooldowns, with the
 * day counters, equity peak and open positions of the exchange account (not the paper account's).
 */
export function liveBlockReason(ctx: LiveContext, symbol: string, sizing: Sizing, equity: number): string | null {
  const now = ctx.clock.now();
  const own = (ctx.ledger.state.risk ??= { day: '', dayStartEquity: equity, dayTrades: 0, equityPeak: equity });
  own.equityPeak = Math.max(own.equityPeak, equity);
  const state: RiskState = { ...ctx.risk.state, day: own.day, dayStartEquity: own.dayStartEquity, dayTrades: own.dayTrades };
  const held = ctx.ledger.active();
  const reason = new RiskManager(ctx.config.risk, state).blockReason(symbol, sizing, {
    equity,
    equityPeak: own.equityPeak,
    openPositions: held.length,
    hasPosition: (s) => held.some((t) => t.symbol === s),
  }, now);
  own.day = state.day;
  own.dayStartEquity = state.dayStartEquity;
  own.dayTrades = state.dayTrades;
  return reason;
}

/**
 * Counts a filled live entry against the exchange account's daily trade limit. `equity` (quote)
 * is the confirmation's; it only matters when the fill opens a new UTC day.
 */
export function liveOnEntry(ctx: LiveContext, equity: number | undefined): void {
  const e = equity ?? ctx.ledger.state.risk?.dayStartEquity ?? 0;
  const own = (ctx.ledger.state.risk ??= { day: '', dayStartEquity: e, dayTrades: 0, equityPeak: e });
  const state: RiskState = { ...ctx.risk.state, day: own.day, dayStartEquity: own.dayStartEquity, dayTrades: own.dayTrades };
  new RiskManager(ctx.config.risk, state).onEntry(ctx.clock.now(), e);
  own.day = state.day;
  own.dayStartEquity = state.dayStartEquity;
  own.dayTrades = state.dayTrades;
}

/**
 * A fresh confirmation for `card`, or why there can be none.
 * @throws VenueError when the exchange cannot be asked (ticker, balance)
 */
export async function quoteCard(ctx: LiveContext, card: Card): Promise<LiveConfirmation | LiveOutcome> {
  const { venue, config } = ctx;
  if (card.direction !== 'long') return { code: 'long-only' };
  const symbol = card.symbol;
  venue.market(symbol);
  const t = await venue.ticker(symbol);
  const px = t.ask;
  if (!(px > card.stop && px < card.target)) {
    return { code: 'price-beyond', price: px, side: px <= card.stop ? 'stop' : 'target' };
  }
  const balances = await venue.balances();
  const quote = balances[config.quote] ?? { free: 0, total: 0 };
  const equity = liveEquity(ctx, quote.total, { [symbol]: t.last });
  const sized = ctx.risk.size(px, card.stop, equity, card.allocationPercent);
  const affordable = (quote.free * BALANCE_HEADROOM) / px;
  const qty = venue.amount(symbol, Math.min(sized.qty || 0, affordable));
  const notional = qty * px;
  const min = venue.minimums(symbol);
  const minCost = Math.max(min.cost, config.risk.minNotional);
  if (qty <= 0 || qty < min.amount || notional < minCost) {
    return { code: 'below-minimum', minCost, ...(sized.qty > affordable ? { free: quote.free } : {}) };
  }
  const riskQuote = qty * (px - card.stop);
  const sizing: Sizing = { qty, notional, riskQuote, riskPercent: (riskQuote / equity) * 100 };
  const block = liveBlockReason(ctx, symbol, sizing, equity);
  if (block) return { code: 'risk-refused', reason: block, atConfirm: false };
  const now = ctx.clock.now();
  const c: LiveConfirmation = {
    venue: venue.venue,
    quotedAt: now,
    // A confirmation never outlives its card: the signal would be stale.
    expiresAt: Math.min(card.expiresAt, now + config.execution.confirmTtlSeconds * 1000),
    price: px,
    qty,
    notional,
    riskQuote,
    riskPercent: sizing.riskPercent,
    equity,
    stop: card.stop,
    target: card.target,
  };
  markVenue(c, venueMode(venue.sandbox));
  return c;
}

/**
 * Re-checks a confirmation at the moment of `✅ Confirm`, cheapest checks first; returns the
 * refusal, or null when the order may go. Expiry is checked by the caller.
 * @throws VenueError when the fresh ticker cannot be fetched
 */
export async function recheck(ctx: LiveContext, card: Card, c: LiveConfirmation): Promise<LiveOutcome | null> {
  const block = liveBlockReason(ctx, card.symbol, { qty: c.qty, notional: c.notional, riskQuote: c.riskQuote, riskPercent: c.riskPercent }, c.equity);
  if (block) return { code: 'risk-refused', reason: block, atConfirm: true };
  const t = await ctx.venue.ticker(card.symbol);
  const drift = (Math.abs(t.ask - c.price) / c.price) * 100;
  const tolerance = ctx.config.execution.slippageTolerancePercent;
  if (drift > tolerance) {
    return { code: 'price-moved', driftPercent: drift, from: c.price, to: t.ask, tolerancePercent: tolerance };
  }
  return null;
}
