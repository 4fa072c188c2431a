import type { Clock } from '../core/clock.js';
import type { BotEvent } from '../core/events.js';
import { timeframeMs } from '../core/timeframe.js';
import type { Card } from '../engine/card.js';
import type { RiskManager } from '../risk/risk.js';
import type { PaperOnlyReason } from '../signal/evidence.js';
import { accountView, type PositionBook } from '../portfolio/book.js';
import type { SimulatedBroker } from './simulated.js';

/** The answer to a tap or command: shown to the owner (a toast for taps) and whether it worked. */
export interface ActionResult {
  ok: boolean;
  text: string;
  card?: Card;
  /** Why a live order was refused because the signal is paper-only (the chat words it). */
  paperOnly?: PaperOnlyReason;
}

/**
 * Live execution, plugged in by live mode. Without it, `💰 Live…` answers that live trading is
 * not configured.
 */
export interface LiveExecution {
  /** Starts the confirmation flow for a card. */
  request(card: Card): Promise<ActionResult>;
  /** Handles the confirmation buttons. */
  confirm(cardId: string): Promise<ActionResult>;
  cancel(cardId: string): Promise<ActionResult>;
}

export interface TradeServiceDeps {
  clock: Clock;
  cards: Map<string, Card>;
  broker: SimulatedBroker;
  /** Positions held elsewhere (live): they count against the limits. */
  external?: PositionBook;
  risk: RiskManager;
  emit: (e: BotEvent) => void;
  /** Called after each state change that must survive a restart. */
  persist: () => void;
  live?: LiveExecution;
  /**
   * The live gate at the moment of a tap: why the signal may only be paper-traded (unvalidated
   * without `execution.liveUnvalidated`, or paused by the drift monitor), or null. Without it,
   * every signal is treated as unvalidated: no live order without evidence.
   */
  paperOnly?: (signalId: string) => PaperOnlyReason | null;
}

/**
 * What the owner can do to cards and positions, for every chat (Telegram, console, auto-trade).
 * Each action re-checks the card's state, its expiry and the risk gate at the moment of the tap,
 * so a stale button, a double tap or a forged callback can never open a second position.
 */
export class TradeService {
  constructor(readonly d: TradeServiceDeps) {}

  #card(cardId: string): Card | ActionResult {
    const card = this.d.cards.get(cardId);
    if (!card) return { ok: false, text: 'Unknown or forgotten card.' };
    return card;
  }

  #notOpen(card: Card): ActionResult | null {
    const now = this.d.clock.now();
    switch (card.status) {
      case 'open':
        if (now >= card.expiresAt) {
          card.status = 'expired';
          this.d.emit({ type: 'card-update', card });
          this.d.persist();
          return { ok: false, text: 'This card has expired.', card };
        }
        return null;
      case 'paper': return { ok: false, text: 'Already paper-traded.', card };
      case 'live': return { ok: false, text: 'Already traded live.', card };
      case 'skipped': return { ok: false, text: 'You skipped this card.', card };
      case 'expired': return { ok: false, text: 'This card has expired.', card };
      case 'info': return { ok: false, text: 'This card is informational; it has no trade.', card };
      case 'blocked': return { ok: false, text: `Not tradable: ${card.blockedReason ?? 'risk limit'}.`, card };
    }
  }

  /** Paper-trades a card: a market buy at the next base candle's open in the simulated broker. */
  paper(cardId: string): ActionResult {
    const found = this.#card(cardId);
    if (!('id' in found)) return found;
    const card = found;
    const refused = this.#notOpen(card);
    if (refused) return refused;
    const { broker, risk } = this.d;
    const now = this.d.clock.now();
    const block = risk.blockReason(card.symbol, card, accountView(broker, this.d.external), now);
    if (block) return { ok: false, text: `Refused: ${block}.`, card };
    broker.submitEntry({
      cardId: card.id,
      signalId: card.signalId,
      rule: card.rule,
      symbol: card.symbol,
      timeframe: card.timeframe,
      mode: 'paper',
      qty: card.qty,
      stop: card.stop,
      target: card.target,
      ...(card.maxHoldBars ? { maxHoldMs: card.maxHoldBars * timeframeMs(card.timeframe) } : {}),
      submittedAt: now,
    });
    risk.onEntry(now, broker.equity());
    card.status = 'paper';
    this.d.emit({ type: 'card-update', card });
    this.d.persist();
    return { ok: true, text: `📝 Paper buy of ${fmtQty(card.qty)} ${card.symbol} queued for the next open.`, card };
  }

  /** Skips a card: its buttons go away. */
  skip(cardId: string): ActionResult {
    const found = this.#card(cardId);
    if (!('id' in found)) return found;
    const refused = this.#notOpen(found);
    if (refused) return refused;
    found.status = 'skipped';
    this.d.emit({ type: 'card-update', card: found });
    this.d.persist();
    return { ok: true, text: 'Skipped.', card: found };
  }

  /**
   * The live gate, checked now (not from the card's snapshot, so a forged or stale `live`
   * callback is refused too): `{ ok: false, paperOnly }` for a paper-only signal.
   */
  #liveGate(card: Card): ActionResult | null {
    const why = this.d.paperOnly ? this.d.paperOnly(card.signalId) : 'unvalidated';
    if (!why) return null;
    return {
      ok: false, paperOnly: why, card,
      text: why === 'paused'
        ? 'Refused: this signal is paused by the drift monitor; it is paper-only until you resume it.'
        : 'Refused: this signal is not validated by the backtest gate; it is paper-only.',
    };
  }

  /** `💰 Live…`: hands the card to live execution, or explains why not (paper-only signal, live trading off). */
  async live(cardId: string): Promise<ActionResult> {
    const found = this.#card(cardId);
    if (!('id' in found)) return found;
    const refused = this.#notOpen(found) ?? this.#liveGate(found);
    if (refused) return refused;
    if (!this.d.live) {
      return { ok: false, text: 'Live trading is not configured. Run `edgebot run --mode live` with exchange keys in .env to enable it.', card: found };
    }
    return this.d.live.request(found);
  }

  /** `✅ Confirm` of a live confirmation: the live gate again (the signal may have been paused meanwhile), then live execution. */
  async confirm(cardId: string): Promise<ActionResult> {
    if (!this.d.live) return { ok: false, text: 'Live trading is not configured.' };
    const card = this.d.cards.get(cardId);
    const refused = card ? this.#liveGate(card) : null;
    if (refused) return refused;
    return this.d.live.confirm(cardId);
  }

  /** Closes a paper position at the next open. */
  closePosition(positionId: string): ActionResult {
    const ok = this.d.broker.requestExit(positionId, 'manual');
    if (!ok) return { ok: false, text: `No open position ${positionId} (or it is already closing).` };
    this.d.persist();
    return { ok: true, text: `Closing ${positionId} at the next open.` };
  }

  /**
   * Kill switch: no new entries; queued paper entries are cancelled at once; open positions keep
   * their stops and targets. Persisted, so a stopped bot restarts stopped.
   */
  stop(): ActionResult {
    const { risk, broker } = this.d;
    const already = risk.state.killSwitch;
    risk.state.killSwitch = true;
    const cancelled = broker.account.pending.map((p) => p.cardId);
    for (const id of cancelled) broker.cancelEntry(id);
    for (const card of this.d.cards.values()) {
      if (card.status === 'open') {
        card.status = 'blocked';
        card.blockedReason = 'trading stopped';
        this.d.emit({ type: 'card-update', card });
      }
    }
    this.d.persist();
    const open = broker.account.positions.length;
    return {
      ok: true,
      text: `${already ? 'Trading was already stopped.' : '🛑 Trading stopped.'} No new positions until /resume.` +
        (cancelled.length ? ` Cancelled ${cancelled.length} unfilled entr${cancelled.length === 1 ? 'y' : 'ies'}.` : '') +
        (open ? ` ${open} open position${open === 1 ? '' : 's'} keep${open === 1 ? 's' : ''} its stop and target.` : ''),
    };
  }

  /** Undoes `/stop`, and closes an open circuit breaker (the owner has looked at the exchange errors). */
  resume(): ActionResult {
    const r = this.d.risk.state;
    const was = r.killSwitch;
    const circuit = r.circuitOpen;
    r.killSwitch = false;
    r.circuitOpen = false;
    r.exchangeErrors = 0;
    this.d.persist();
    const text = was || circuit ? '▶️ Trading resumed: new cards can be traded again.' : 'Trading was not stopped.';
    return { ok: true, text: circuit ? `${text} The circuit breaker is closed again.` : text };
  }
}

function fmtQty(q: number): string {
  return q >= 100 ? q.toFixed(2) : q >= 1 ? q.toFixed(4) : q.toPrecision(4);
}
