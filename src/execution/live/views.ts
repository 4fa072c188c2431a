/**
 * Live mode's chat views and overrides (RouterExtras): `/balance` from the exchange, `/positions`
 * with live and paper positions, live closes and the live part of `/stop`.
 */
import type { Runtime } from '../../app/runtime.js';
import * as cmd from '../../commands/index.js';
import type { BotEvent } from '../../core/events.js';
import type { BalanceView, PositionRow, PositionsView, TextView } from '../../commands/views.js';
import type { RouterExtras } from '../../notifier/router.js';
import { explain, toVenueError } from './errors.js';
import type { KeyWarning, LiveStart } from './key-check.js';
import type { LiveTrader } from './live-trader.js';

const KEY_WARNING_TEXT: Record<KeyWarning['code'], string> = {
  'no-ip-restriction':
    'The exchange API key has no IP restriction: whoever obtains it can trade this account from anywhere. ' +
    'On Binance: API Management → Edit restrictions → "Restrict access to trusted IPs only", and add this server\'s IP.',
};

/** The owner's alerts from a live start: one warning per problem the key check found. */
export function liveStartAlerts(s: LiveStart): BotEvent[] {
  return s.warnings.map((w) => ({ type: 'alert', level: 'warning', text: `${s.mode === 'testnet' ? 'Testnet' : 'Live'} (${s.venue}): ${KEY_WARNING_TEXT[w.code]}` }));
}

/** `/balance` in live mode: non-zero exchange balances; equity = quote + coins at their last price. */
export async function exchangeBalance(trader: LiveTrader): Promise<BalanceView | TextView> {
  const { venue, config } = trader.ctx;
  const quote = config.quote;
  try {
    const b = await venue.balances();
    const coins = Object.keys(b).filter((a) => a !== quote && venue.hasMarket(a + quote));
    const prices = await venue.lastPrices(coins.map((a) => a + quote)).catch(() => ({} as Record<string, number>));
    let equity = b[quote]?.total ?? 0;
    for (const a of coins) equity += b[a].total * (prices[a + quote] ?? 0);
    const assets = [quote, ...Object.keys(b).filter((a) => a !== quote).sort()].filter((a) => b[a]);
    return {
      kind: 'balance', source: 'exchange', quote, equity,
      balances: assets.map((asset) => ({ asset, free: b[asset].free, total: b[asset].total })),
    };
  } catch (e) {
    return { kind: 'text', text: `Exchange balance unavailable: ${explain(toVenueError(e), quote)}` };
  }
}

/** `/positions` in live mode: live positions (marked at the last price) first, then paper ones. */
export async function livePositions(trader: LiveTrader, rt: Runtime): Promise<PositionsView> {
  const { ledger, venue } = trader.ctx;
  const paper = cmd.positions(rt);
  const held = ledger.positions();
  const marks = await venue.lastPrices([...new Set(held.map((t) => t.symbol))]).catch(() => ({} as Record<string, number>));
  const rows: PositionRow[] = held.map((t) => {
    const mark = marks[t.symbol] ?? t.entryPrice;
    const pnl = t.qty * (mark - t.entryPrice) - t.entryFee;
    return {
      id: t.id, symbol: t.symbol, mode: 'live', qty: t.qty, entryPrice: t.entryPrice, mark, stop: t.stop, target: t.target,
      pnl, pnlPercent: (pnl / (t.qty * t.entryPrice)) * 100, closing: t.phase === 'closing',
      heldMs: Math.max(0, rt.clock.now() - t.entryTime), timeframe: t.timeframe,
    };
  });
  const entering = ledger.active().filter((t) => t.phase === 'entering').map((t) => ({ cardId: t.cardId, symbol: t.symbol, qty: t.entry.qty }));
  return { ...paper, positions: [...rows, ...paper.positions], pending: [...entering, ...paper.pending] };
}

/** The router overrides live mode plugs in. */
export function liveRouterExtras(trader: LiveTrader, rt: Runtime): RouterExtras {
  return {
    balance: () => exchangeBalance(trader),
    positions: () => livePositions(trader, rt),
    livePositions: () => trader.ctx.ledger.positions().map((t) => ({ id: t.id, symbol: t.symbol })),
    onStop: () => trader.onStop(),
    closeLive: (id) => trader.close(id),
  };
}
