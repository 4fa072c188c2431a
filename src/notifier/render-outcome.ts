import type { TradeOutcome } from '../kernel/trade-service.js';
import type { StopReport } from '../kernel/ports.js';
import { liveText } from './render-live.js';

/** A base-asset quantity, as toasts show it. */
function fmtQty(q: number): string {
  return q >= 100 ? q.toFixed(2) : q >= 1 ? q.toFixed(4) : q.toPrecision(4);
}

const CARD_DONE = {
  paper: 'Already paper-traded.',
  live: 'Already traded live.',
  skipped: 'You skipped this card.',
  info: 'This card is informational; it has no trade.',
} as const;

/** The words for an action's outcome: a tap's toast, or a command's reply (plain text). */
export function outcomeText(o: TradeOutcome, quote: string): string {
  switch (o.code) {
    case 'card-unknown': return 'Unknown or forgotten card.';
    case 'card-expired': return 'This card has expired.';
    case 'card-done': return CARD_DONE[o.status];
    case 'card-blocked': return `Not tradable: ${o.reason ?? 'risk limit'}.`;
    case 'risk-refused': return `Refused: ${o.reason}.`;
    case 'paper-queued': return `📝 Paper ${o.side === 'short' ? 'short sale' : 'buy'} of ${fmtQty(o.qty)} ${o.symbol} queued for the next open.`;
    case 'skipped': return 'Skipped.';
    case 'live-off': return 'Live trading is not configured. Run `edgebot run --mode live` with exchange keys in .env to enable it.';
    case 'paper-only':
      return o.why === 'paused'
        ? 'Refused: this signal is paused by the drift monitor; it is paper-only until you resume it.'
        : 'Refused: this signal is not validated by the backtest gate; it is paper-only.';
    case 'position-unknown': return `No open position ${o.positionId} (or it is already closing).`;
    case 'position-closing': return `Closing ${o.positionId} at the next open.`;
    case 'stopped': {
      const n = o.openPositions;
      return `${o.already ? 'Trading was already stopped.' : '🛑 Trading stopped.'} No new positions until /resume.` +
        (o.cancelledEntries ? ` Cancelled ${o.cancelledEntries} unfilled entr${o.cancelledEntries === 1 ? 'y' : 'ies'}.` : '') +
        (n ? ` ${n} open position${n === 1 ? '' : 's'} keep${n === 1 ? 's' : ''} its stop and target.` : '') +
        (o.venue ? venueStopText(o.venue) : '');
    }
    case 'resumed': {
      const text = o.wasStopped || o.circuitClosed ? '▶️ Trading resumed: new cards can be traded again.' : 'Trading was not stopped.';
      return o.circuitClosed ? `${text} The circuit breaker is closed again.` : text;
    }
    case 'live': return liveText(o.live, quote);
  }
}

/** The live part of a `/stop` answer: what the venue clients cancelled and kept. */
function venueStopText(v: StopReport): string {
  const parts = [];
  if (v.confirmations) parts.push(`Cancelled ${v.confirmations} pending live confirmation${v.confirmations === 1 ? '' : 's'}.`);
  if (v.cancelledEntries) parts.push(`Cancelled ${v.cancelledEntries} unfilled live entr${v.cancelledEntries === 1 ? 'y' : 'ies'}.`);
  const held = v.protectedPositions;
  if (held) parts.push(`${held} live position${held === 1 ? ' keeps its' : 's keep their'} protective orders.`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}
