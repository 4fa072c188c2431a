import type { Clock } from '../core/clock.js';
import type { BotEvent } from './events.js';
import { timeframeMs } from '../core/timeframe.js';
import type { Card } from './card.js';
import type { RiskManager } from '../risk/risk.js';
import type { PaperOnlyReason } from '../signal/evidence.js';
import type { Portfolio } from './portfolio.js';
import { fromLive, type ActionResult, type LiveExecution } from './outcome.js';
import type { StopReport } from './ports.js';
import type { SimulatedBroker } from './simulated-broker.js';

export type { ActionResult, LiveAnswer, LiveExecution, TradeOutcome } from './outcome.js';
export { fromLive } from './outcome.js';

export interface TradeServiceDeps {
  clock: Clock;
  cards: Map<string, Card>;
  /** The paper venue: paper entries are queued here. */
  broker: SimulatedBroker;
  /** Every position, paper and venue: limits count them all; closes go to the client holding one. */
  portfolio: Portfolio;
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
    if (!card) return { ok: false, outcome: { code: 'card-unknown' } };
    return card;
  }

  #notOpen(card: Card): ActionResult | null {
    switch (card.status) {
      case 'open':
        return this.#expire(card) ? { ok: false, outcome: { code: 'card-expired' }, card } : null;
      case 'paper':
      case 'live':
      case 'skipped':
      case 'info':
        return { ok: false, outcome: { code: 'card-done', status: card.status }, card };
      case 'expired': return { ok: false, outcome: { code: 'card-expired' }, card };
      case 'blocked': return { ok: false, outcome: { code: 'card-blocked', ...(card.blockedReason ? { reason: card.blockedReason } : {}) }, card };
    }
  }

  /** Marks an open card past its expiry as expired (its buttons go away). Returns whether it did. */
  #expire(card: Card): boolean {
    if (card.status !== 'open' || this.d.clock.now() < card.expiresAt) return false;
    card.status = 'expired';
    this.d.emit({ type: 'card-update', card });
    this.d.persist();
    return true;
  }

  /**
   * The expiry timer's call (at `card.expiresAt` on the engine's clock): an open card expires
   * then, not when someone next taps it. False when the card is gone, done or not due.
   */
  expire(cardId: string): boolean {
    const card = this.d.cards.get(cardId);
    return card ? this.#expire(card) : false;
  }

  /** Paper-trades a card: a market buy (a short sale for a short card) at the next base candle's open in the simulated broker. */
  paper(cardId: string): ActionResult {
    const found = this.#card(cardId);
    if (!('id' in found)) return found;
    const card = found;
    const refused = this.#notOpen(card);
    if (refused) return refused;
    const { broker, risk } = this.d;
    const now = this.d.clock.now();
    const block = risk.blockReason(card.symbol, card, this.d.portfolio.accountView(), now);
    if (block) return { ok: false, outcome: { code: 'risk-refused', reason: block }, card };
    broker.submitEntry({
      ...(card.direction === 'short' ? { side: 'short' as const } : {}),
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
    return { ok: true, outcome: { code: 'paper-queued', qty: card.qty, symbol: card.symbol, ...(card.direction === 'short' ? { side: 'short' as const } : {}) }, card };
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
    return { ok: true, outcome: { code: 'skipped' }, card: found };
  }

  /**
   * The live gate, checked now (not from the card's snapshot, so a forged or stale `live`
   * callback is refused too): a `paper-only` outcome for a paper-only signal.
   */
  #liveGate(card: Card): ActionResult | null {
    const why = this.d.paperOnly ? this.d.paperOnly(card.signalId) : 'unvalidated';
    if (!why) return null;
    return { ok: false, outcome: { code: 'paper-only', why }, card };
  }

  /** `💰 Live…`: hands the card to live execution, or explains why not (paper-only signal, live trading off). */
  async live(cardId: string): Promise<ActionResult> {
    const found = this.#card(cardId);
    if (!('id' in found)) return found;
    const refused = this.#notOpen(found) ?? this.#liveGate(found);
    if (refused) return refused;
    if (!this.d.live) return { ok: false, outcome: { code: 'live-off' }, card: found };
    return fromLive(await this.d.live.request(found));
  }

  /** `✅ Confirm` of a live confirmation: the live gate again (the signal may have been paused meanwhile), then live execution. */
  async confirm(cardId: string): Promise<ActionResult> {
    if (!this.d.live) return { ok: false, outcome: { code: 'live-off' } };
    const card = this.d.cards.get(cardId);
    const refused = card ? this.#liveGate(card) : null;
    if (refused) return refused;
    return fromLive(await this.d.live.confirm(cardId));
  }

  /** `Cancel` of a live confirmation. */
  async cancel(cardId: string): Promise<ActionResult> {
    if (!this.d.live) return { ok: false, outcome: { code: 'live-off' } };
    return fromLive(await this.d.live.cancel(cardId));
  }

  /** Closes a position at market through the client holding it (paper: at the next base candle's open). */
  async closePosition(positionId: string): Promise<ActionResult> {
    const found = this.d.portfolio.find(positionId);
    const r = found ? await found.client.close(positionId) : null;
    return r ?? { ok: false, outcome: { code: 'position-unknown', positionId } };
  }

  /**
   * Kill switch: no new entries; open cards lose their buttons; every execution client cancels
   * what is in flight (queued paper entries, live confirmations and unfilled live entries); open
   * positions keep their stops and targets. Persisted before the clients are asked, so a stopped
   * bot restarts stopped even if a venue hangs.
   */
  async stop(): Promise<ActionResult> {
    const { risk } = this.d;
    const already = risk.state.killSwitch;
    risk.state.killSwitch = true;
    for (const card of this.d.cards.values()) {
      if (card.status === 'open') {
        card.status = 'blocked';
        card.blockedReason = 'trading stopped';
        this.d.emit({ type: 'card-update', card });
      }
    }
    // Every client starts cancelling now; the paper account's part is synchronous, so the write
    // below already holds its cancelled entries.
    const asked = this.d.portfolio.clients.map((client) => ({ client, report: client.onStop() }));
    this.d.persist();
    let paper: StopReport | undefined;
    let venue: StopReport | undefined;
    for (const { client, report } of asked) {
      const r = await report;
      if (client.mode === 'paper') paper = r;
      else venue = venue ? { confirmations: venue.confirmations + r.confirmations, cancelledEntries: venue.cancelledEntries + r.cancelledEntries, protectedPositions: venue.protectedPositions + r.protectedPositions } : r;
    }
    this.d.persist();
    return {
      ok: true,
      outcome: { code: 'stopped', already, cancelledEntries: paper?.cancelledEntries ?? 0, openPositions: paper?.protectedPositions ?? 0, ...(venue ? { venue } : {}) },
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
    return { ok: true, outcome: { code: 'resumed', wasStopped: was, circuitClosed: circuit } };
  }
}
