import type { BotEvent } from '../kernel/events.js';
import type { LiveAlert, LiveOutcome, LivePhase, ProtectionOutcome, VenueFailure } from '../kernel/live-outcome.js';
import { money, pct, price as fmtPrice, qty as fmtQty } from './format.js';
import type { KeyWarning, LiveStart } from '../execution/live/key-check.js';

const KEY_WARNING_TEXT: Record<KeyWarning['code'], string> = {
  'no-ip-restriction':
    'The exchange API key has no IP restriction: whoever obtains it can trade this account from anywhere. ' +
    'On Binance: API Management → Edit restrictions → "Restrict access to trusted IPs only", and add this server\'s IP.',
};

/** The owner's alerts from a live start: one warning per problem the key check found. */
export function liveStartAlerts(s: LiveStart): BotEvent[] {
  return s.warnings.map((w) => ({ type: 'alert', level: 'warning', text: `${s.mode === 'testnet' ? 'Testnet' : 'Live'} (${s.venue}): ${KEY_WARNING_TEXT[w.code]}` }));
}

/**
 * One or two sentences for the owner: what went wrong and what to do. Kept short enough for a
 * callback answer (Telegram shows at most 200 characters there).
 */
export function explain(err: VenueFailure, quote: string): string {
  switch (err.kind) {
    case 'insufficient-funds': return `Not enough balance on the exchange (${err.detail}). Top up ${quote} or lower risk.`;
    case 'invalid-order': return `The exchange refused the order: ${err.detail}.`;
    case 'duplicate': return 'The exchange already has an order with this client id; no second one is placed.';
    case 'not-found': return 'The exchange does not know this order.';
    case 'auth': return 'The exchange refused the API key: check EXCHANGE_API_KEY/SECRET, its spot-trading permission and IP allow-list.';
    case 'rate-limit': return 'The exchange is rate-limiting edgebot; nothing was placed. Try again in a minute.';
    case 'network': return 'No answer from the exchange (network error or timeout).';
    case 'exchange': return `The exchange reported an error: ${err.detail}.`;
  }
}

const PHASE_TEXT: Record<LivePhase, string> = {
  entering: 'The live order for this card is in progress.',
  open: 'Already traded live: the position is open.',
  closing: 'Already traded live: the position is being closed.',
  closed: 'Already traded live: the position is closed.',
  failed: 'A live order for this card already failed; it is not sent again.',
  cancelled: 'The live order for this card was cancelled; it is not sent again.',
};

/** `HH:MM UTC`. */
function hhmm(t: number): string {
  return `${new Date(t).toISOString().slice(11, 16)} UTC`;
}

/** The line after a fill or a failed close: how the position is protected now. */
export function protectionText(p: ProtectionOutcome, quote: string): string {
  switch (p.code) {
    case 'self-watched':
      return `edgebot watches stop ${fmtPrice(p.stop)} and target ${fmtPrice(p.target)} itself and sells at market when one is crossed.`;
    case 'protection-unknown':
      return `⚠️ ${explain(p.failure, quote)} edgebot checks for ${p.clientId} at the next reconcile and places the protective orders if they are missing.`;
    case 'protection-refused':
      return '⚠️ Protective orders refused; edgebot watches stop and target itself.';
    case 'protected':
      return `🛡 Protected on ${p.venue} by ${p.kind === 'oco' ? 'an OCO' : 'a stop order'}: target ${fmtPrice(p.target)} · ` +
        `stop ${fmtPrice(p.stop)} (limit ${fmtPrice(p.stopLimit)}).`;
  }
}

/** A live answer in words, for a toast or a reply. Money in `quote`. */
export function liveText(o: LiveOutcome, quote: string): string {
  switch (o.code) {
    case 'phase': return PHASE_TEXT[o.phase];
    case 'no-quote': return `No quote: ${explain(o.failure, quote)}`;
    case 'long-only': return 'Spot trading is long only.';
    case 'price-beyond':
      return `The price ${fmtPrice(o.price)} is already ${o.side === 'stop' ? 'at or below the stop' : 'at or above the target'}; no order.`;
    case 'below-minimum':
      return `The size for this card is below the minimum order of ${o.minCost} ${quote}${o.free !== undefined ? ` (only ${o.free.toFixed(2)} ${quote} free)` : ''}; no order.`;
    case 'risk-refused': return o.atConfirm ? `Refused: ${o.reason}. Nothing was ordered.` : `Refused: ${o.reason}.`;
    case 'confirm-ask':
      return `Buy ${fmtQty(o.qty)} ${o.base} ≈ ${money(o.notional)} ${quote} at ${fmtPrice(o.price)}? Confirm within ${o.ttlSeconds} s.`;
    case 'card-forgotten': return 'Unknown or forgotten card; nothing was ordered.';
    case 'not-tradable':
      return `${o.status === 'blocked' ? `Not tradable: ${o.reason ?? 'risk limit'}` : `This card is ${o.status}`}. Nothing was ordered.`;
    case 'no-confirmation': return 'No confirmation is pending; tap 💰 Live… first.';
    case 'confirmation-expired':
      return `⌛ The confirmation expired at ${new Date(o.at).toISOString().slice(11, 19)} UTC. Nothing was ordered` +
        (o.cardOpen ? '; tap 💰 Live… for a fresh quote.' : '.');
    case 'no-fresh-quote': return `No fresh quote: ${explain(o.failure, quote)} Nothing was ordered.`;
    case 'price-moved':
      return `Price moved ${pct(o.driftPercent)} since the quote (${fmtPrice(o.from)} → ${fmtPrice(o.to)}; tolerance ${pct(o.tolerancePercent)}). ` +
        'Nothing was ordered; tap 💰 Live… for a fresh quote.';
    case 'internal-error': return 'The live order hit an internal error; reconcile checks it by its client id every minute. See /positions.';
    case 'cancelled': return 'Cancelled; nothing was ordered.';
    case 'nothing-to-cancel': return 'Nothing to cancel.';
    case 'entry-unanswered': return `⚠️ No answer from ${o.venue}; checking order ${o.clientId} by its client id (never re-sent).`;
    case 'entry-refused': return `❌ No order: ${explain(o.failure, quote)} ${o.symbol} cools down until ${hhmm(o.cooldownUntil)}.`;
    case 'entry-accepted': return `⏳ Order accepted; waiting for the fill (cancelled if unfilled after ${o.timeoutSeconds} s).`;
    case 'entry-not-filled': return `The exchange did not fill the ${o.symbol} order (${o.status}); nothing was bought.`;
    case 'bought':
      return `✅ Bought ${fmtQty(o.qty)} ${o.base} at ${fmtPrice(o.price)} (fee ${money(o.fee)} ${quote}). ${protectionText(o.protection, quote)}`;
    case 'closed': return `${o.symbol} is closed.`;
    case 'close-in-progress': return `A close of ${o.symbol} is already in progress.`;
    case 'not-open': return `${o.positionId} is not open (${o.phase}).`;
    case 'closed-by-protection': return `${o.symbol} was already closed by its ${o.reason}: P&L ${money(o.pnl, true)} ${quote}.`;
    case 'nothing-free':
      return `No ${o.base} is free to sell on ${o.venue} (held ${fmtQty(o.held)}, free ${fmtQty(o.free)}); nothing was sold.`;
    case 'exit-unanswered':
      return `⚠️ ${explain(o.failure, quote)} edgebot looks the sell up by client id ${o.clientId} and reports; it will not sell twice.`;
    case 'close-failed': return `❌ Close failed: ${explain(o.failure, quote)} The position stays open. ${protectionText(o.protection, quote)}`;
    case 'sell-accepted': return `Sell order for ${o.symbol} accepted; waiting for the fill.`;
    case 'sold': return `✋ Closed ${o.symbol}: sold ${fmtQty(o.qty)} at ${fmtPrice(o.price)}, P&L ${money(o.pnl, true)} ${quote}.`;
    case 'sell-not-filled':
      return `The sell of ${o.symbol} did not fill (${o.status}); the position stays open. ${protectionText(o.protection, quote)}`;
    case 'close-unfinished': return `Close of ${o.symbol} not finished: ${explain(o.failure, quote)} Reconcile retries it.`;
  }
}

/** An alert from live execution in words. */
export function liveAlertText(a: LiveAlert, quote: string): string {
  switch (a.code) {
    case 'order-unanswered':
      return `${a.symbol}: ${explain(a.failure, quote)} The order may still have reached ${a.venue}; ` +
        `edgebot looks it up by its client id ${a.clientId} every minute and reports — it never sends it again.`;
    case 'order-never-reached': return `${a.symbol}: the live order ${a.clientId} never reached ${a.venue}; nothing was bought.`;
    case 'entry-timed-out': return `${a.symbol}: the live entry was not filled within ${a.timeoutSeconds} s and was cancelled.`;
    case 'sell-never-reached':
      return `${a.symbol}: the sell ${a.clientId} never reached ${a.venue}; the position is still open. ${protectionText(a.protection, quote)}`;
    case 'protection-refused':
      return `${a.symbol}: ${a.venue} refused the protective orders — ${explain(a.failure, quote)} ` +
        `edgebot now watches stop ${fmtPrice(a.stop)} and target ${fmtPrice(a.target)} itself and sells at market when one is crossed.`;
    case 'protection-missing':
      return `${a.symbol}: the protective orders ${a.clientId} left the book without a fill (cancelled outside edgebot?). Placing them again.`;
    case 'exit-unfinished': return `${a.symbol}: ${a.reason} exit not finished — ${explain(a.failure, quote)} Reconcile retries it.`;
    case 'step': return liveText(a.outcome, quote);
  }
}
