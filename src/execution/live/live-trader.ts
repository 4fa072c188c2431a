/**
 * Live execution (SPEC §7) behind the {@link LiveExecution} port: `💰 Live…` → confirmation →
 * `✅ Confirm` → market entry → protective orders, plus reconcile, `/stop`, live closes and the
 * chat's live views. Every action on a card runs under that card's lock, so two taps (or a tap
 * and the reconcile job) never interleave; the ledger and the client ids make a repeated tap, a
 * re-delivered update or a restart a no-op rather than a second order.
 */
import type { Runtime } from '../../kernel/kernel.js';
import type { Card } from '../../kernel/card.js';
import { fromLive, type ActionResult, type LiveAnswer, type LiveExecution } from '../../kernel/trade-service.js';
import type { ExecutionClient, Holdings, MarkedPosition, PendingEntryRow, StopReport, VenueFailure } from '../../kernel/ports.js';
import type { ExitReason, Position, Trade } from '../../portfolio/types.js';
import { quoteCard, recheck } from './confirm.js';
import { cardChanged, toPosition, toTrade, type LiveContext } from './context.js';
import { afterEntryOrder, openPosition, resolveEntry } from './entry.js';
import { failureOf, toVenueError, VenueError } from './errors.js';
import type { LiveOutcome } from '../../kernel/live-outcome.js';
import { judgeKey, markVenue, venueMode, type LiveStart } from './key-check.js';
import type { ExchangeBroker } from './exchange-broker.js';
import { closePosition } from './exit.js';
import { LiveLedger } from './ledger.js';
import { reconcile, type CardLock, type ReconcileReport } from './reconcile.js';

export class LiveTrader implements LiveExecution, ExecutionClient {
  readonly mode = 'live' as const;
  #ctx: LiveContext | undefined;
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Cancels of the order-timeout timers (on the engine's clock). */
  readonly #timers = new Set<() => void>();
  #reconciling: Promise<ReconcileReport> | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(readonly venue: ExchangeBroker) {}

  /** Wires the trader to the runtime it serves (the runtime is built with the trader as its port). */
  attach(rt: Pick<Runtime, 'clock' | 'config' | 'risk' | 'bus' | 'store' | 'log'> & { engine: { cards: Map<string, Card> } }): void {
    this.#ctx = {
      clock: rt.clock, config: rt.config, risk: rt.risk, cards: rt.engine.cards, emit: (e) => rt.bus.emit(e),
      ledger: new LiveLedger(rt.store), venue: this.venue, log: rt.log.child({ component: 'live' }),
    };
    // Every card this process shows carries the venue's LIVE/TESTNET badge: restored ones now,
    // new ones as the engine announces them (before the chat renders them: it queues).
    const mode = venueMode(this.venue.sandbox);
    for (const c of rt.engine.cards.values()) markVenue(c, mode);
    this.#unsubscribe = rt.bus.subscribe((e) => {
      if (e.type === 'card' || e.type === 'card-update') markVenue(e.card, mode);
    });
  }

  get ctx(): LiveContext {
    if (!this.#ctx) throw new Error('LiveTrader.attach(runtime) must be called first');
    return this.#ctx;
  }

  /**
   * Loads markets, reads the balance once (bad keys stop the bot here), then checks the key's
   * restrictions (Binance `GET /sapi/v1/account/apiRestrictions`) before any order can be sent.
   * Returns the venue mode and what the owner should be warned about.
   * @throws VenueError (kind `auth` for refused keys)
   * @throws ConfigError when the key can withdraw funds
   */
  async connect(): Promise<LiveStart> {
    await this.venue.load();
    await this.venue.balances();
    const key = await this.venue.keyRestrictions();
    const start: LiveStart = { venue: this.venue.venue, mode: venueMode(this.venue.sandbox), key, warnings: [] };
    const log = this.#ctx?.log;
    if (key.status === 'skipped') log?.info({ venue: start.venue }, 'API key restrictions not checked: only Binance reports them');
    else if (key.status === 'unsupported') log?.info({ venue: start.venue, mode: start.mode }, 'API key restrictions not checked: the testnet has no /sapi/v1/account/apiRestrictions');
    else log?.info({ venue: start.venue, mode: start.mode, withdrawals: key.withdrawals, ipRestricted: key.ipRestricted }, 'API key restrictions');
    start.warnings = judgeKey(key);
    return start;
  }

  /** Serializes work per card (taps, timers, reconcile). */
  readonly lock: CardLock = (key, fn) => {
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(() => undefined, () => undefined);
    this.#locks.set(key, tail);
    void tail.then(() => {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    });
    return run;
  };

  /** `💰 Live…`: edits the card into a confirmation with a fresh quote, or says why not. */
  request(card: Card): Promise<LiveAnswer> {
    return this.lock(card.id, async () => {
      const ctx = this.ctx;
      const existing = ctx.ledger.byCard(card.id);
      if (existing) return { ok: false, outcome: { code: 'phase', phase: existing.phase }, card };
      let c;
      try {
        c = await quoteCard(ctx, card);
      } catch (e) {
        return { ok: false, outcome: { code: 'no-quote', failure: failureOf(toVenueError(e)) }, card };
      }
      if ('code' in c) return { ok: false, outcome: c, card };
      card.confirmation = c;
      cardChanged(ctx, card);
      const base = ctx.venue.base(card.symbol);
      return {
        ok: true,
        outcome: { code: 'confirm-ask', qty: c.qty, base, notional: c.notional, price: c.price, ttlSeconds: Math.round((c.expiresAt - c.quotedAt) / 1000) },
        card,
      };
    });
  }

  /** `✅ Confirm`: re-checks, then orders once. A repeated confirm reports the first one's state. */
  confirm(cardId: string): Promise<LiveAnswer> {
    return this.lock(cardId, async () => {
      const ctx = this.ctx;
      const existing = ctx.ledger.byCard(cardId);
      if (existing) return { ok: false, outcome: { code: 'phase', phase: existing.phase } };
      const card = ctx.cards.get(cardId);
      if (!card) return { ok: false, outcome: { code: 'card-forgotten' } };
      if (card.status !== 'open') {
        return { ok: false, outcome: { code: 'not-tradable', status: card.status, ...(card.blockedReason ? { reason: card.blockedReason } : {}) }, card };
      }
      const c = card.confirmation;
      if (!c) return { ok: false, outcome: { code: 'no-confirmation' }, card };
      const now = ctx.clock.now();
      if (now >= c.expiresAt) {
        delete card.confirmation;
        if (now >= card.expiresAt) card.status = 'expired';
        cardChanged(ctx, card);
        return { ok: false, outcome: { code: 'confirmation-expired', at: c.expiresAt, cardOpen: card.status === 'open' }, card };
      }
      let refusal: LiveOutcome | null;
      try {
        refusal = await recheck(ctx, card, c);
      } catch (e) {
        refusal = { code: 'no-fresh-quote', failure: failureOf(toVenueError(e)) };
      }
      if (refusal) {
        delete card.confirmation;
        cardChanged(ctx, card);
        return { ok: false, outcome: refusal, card };
      }
      let r: LiveAnswer;
      try {
        r = await openPosition(ctx, card, c);
      } catch (err) {
        // The intent is on disk (or nothing was sent): reconcile settles the order by its client id.
        ctx.log.error({ err, cardId }, 'live order step failed');
        return { ok: false, outcome: { code: 'internal-error' }, card };
      }
      const t = ctx.ledger.byCard(cardId);
      if (t?.phase === 'entering' && t.entry.status === 'open') this.#settleLater(cardId, ctx.config.execution.orderTimeoutSeconds * 1000);
      return r;
    });
  }

  /** `Cancel`: takes the confirmation off the card; the card's own buttons come back. */
  cancel(cardId: string): Promise<LiveAnswer> {
    return this.lock(cardId, async () => {
      const ctx = this.ctx;
      const card = ctx.cards.get(cardId);
      if (!card?.confirmation) return { ok: false, outcome: { code: 'nothing-to-cancel' } };
      delete card.confirmation;
      cardChanged(ctx, card);
      return { ok: true, outcome: { code: 'cancelled' }, card };
    });
  }

  /** Checks an accepted, unfilled entry once its timeout is up (reconcile does it after a restart). */
  #settleLater(cardId: string, ms: number): void {
    const ctx = this.ctx;
    const cancel = ctx.clock.setTimer(ctx.clock.now() + ms, () => {
      this.#timers.delete(cancel);
      const t = ctx.ledger.byCard(cardId);
      if (t?.phase !== 'entering') return;
      void this.lock(cardId, () => resolveEntry(ctx, t)).catch((err) => ctx.log.warn({ err, cardId }, 'entry timeout check failed'));
    });
    this.#timers.add(cancel);
  }

  /** One reconcile pass; concurrent calls share it. */
  reconcile(): Promise<ReconcileReport> {
    this.#reconciling ??= reconcile(this.ctx, this.lock).finally(() => {
      this.#reconciling = undefined;
    });
    return this.#reconciling;
  }

  /** Live positions held or being entered, for the risk gate and engine-managed exits. */
  openPositions(): Position[] {
    return this.#ctx ? this.#ctx.ledger.active().map(toPosition) : [];
  }

  /** Live positions filled and not yet closed. */
  heldPositions(): Position[] {
    return this.#ctx ? this.#ctx.ledger.positions().map(toPosition) : [];
  }

  /** Closed live trades, oldest first. */
  closedTrades(): Trade[] {
    if (!this.#ctx) return [];
    const out: Trade[] = [];
    for (const t of this.#ctx.ledger.trades) {
      const trade = toTrade(t);
      if (trade) out.push(trade);
    }
    return out.sort((a, b) => a.exitTime - b.exitTime);
  }

  /** An engine-managed exit (z-score reversal): closes at market in the background, errors are logged and reported. */
  requestExit(positionId: string, reason: ExitReason): void {
    const t = this.ctx.ledger.byId(positionId);
    if (!t || t.phase !== 'open') return;
    void this.lock(t.cardId, () => closePosition(this.ctx, t, reason)).catch((e) => {
      const err = e instanceof VenueError ? e : toVenueError(e);
      this.ctx.log.warn({ err, positionId, reason }, 'engine-requested live exit failed');
      this.ctx.emit({ type: 'live-alert', level: 'warning', alert: { code: 'exit-unfinished', symbol: t.symbol, reason, failure: failureOf(err) } });
    });
  }

  /** Closes a live position at market; null when `positionId` is not a live position. */
  async close(positionId: string): Promise<ActionResult | null> {
    const t = this.ctx.ledger.byId(positionId);
    if (!t) return null;
    return fromLive(await this.lock(t.cardId, async () => {
      try {
        return await closePosition(this.ctx, t, 'manual');
      } catch (e) {
        const err = e instanceof VenueError ? e : toVenueError(e);
        return { ok: false, outcome: { code: 'close-unfinished', symbol: t.symbol, failure: failureOf(err) } } as LiveAnswer;
      }
    }));
  }

  /** Live positions held (marked at the last price) and entries waiting for their fill. */
  async holdings(): Promise<{ positions: MarkedPosition[]; pending: PendingEntryRow[] }> {
    const { ledger, venue } = this.ctx;
    const held = ledger.positions();
    const marks = await venue.lastPrices([...new Set(held.map((t) => t.symbol))]).catch(() => ({} as Record<string, number>));
    return {
      positions: held.map((t) => ({ position: toPosition(t), mark: marks[t.symbol] ?? t.entryPrice, closing: t.phase === 'closing' })),
      pending: ledger.active().filter((t) => t.phase === 'entering').map((t) => ({ cardId: t.cardId, symbol: t.symbol, side: 'long' as const, qty: t.entry.qty })),
    };
  }

  /** Non-zero exchange balances; equity = quote + coins at their last price. */
  async balance(): Promise<Holdings | VenueFailure> {
    const { venue, config } = this.ctx;
    const quote = config.quote;
    try {
      const b = await venue.balances();
      const coins = Object.keys(b).filter((a) => a !== quote && venue.hasMarket(a + quote));
      const prices = await venue.lastPrices(coins.map((a) => a + quote)).catch(() => ({} as Record<string, number>));
      let equity = b[quote]?.total ?? 0;
      for (const a of coins) equity += b[a].total * (prices[a + quote] ?? 0);
      const assets = [quote, ...Object.keys(b).filter((a) => a !== quote).sort()].filter((a) => b[a]);
      return { source: 'exchange', quote, equity, balances: assets.map((asset) => ({ asset, free: b[asset].free, total: b[asset].total })) };
    } catch (e) {
      const err = toVenueError(e);
      return { kind: err.kind, detail: err.detail };
    }
  }

  /**
   * After `/stop`: takes pending confirmations off their cards and cancels entries still resting
   * unfilled. Protective orders of open positions stay.
   */
  async onStop(): Promise<StopReport> {
    const ctx = this.ctx;
    let confirmations = 0;
    for (const card of ctx.cards.values()) {
      if (!card.confirmation) continue;
      delete card.confirmation;
      confirmations++;
      cardChanged(ctx, card);
    }
    let cancelled = 0;
    for (const t of ctx.ledger.active().filter((x) => x.phase === 'entering')) {
      await this.lock(t.cardId, async () => {
        try {
          const o = await ctx.venue.cancelOrder(t.symbol, t.entry.clientId);
          if (!o) return; // not resting (already filled, or not there yet): reconcile settles it
          if (o.filled === 0) {
            t.entry.status = 'cancelled';
            t.phase = 'cancelled';
            await ctx.ledger.checkpoint();
            cancelled++;
          } else {
            await afterEntryOrder(ctx, t, o);
          }
        } catch (err) {
          ctx.log.warn({ err, cardId: t.cardId }, 'could not cancel an unfilled entry on /stop');
        }
      });
    }
    return { confirmations, cancelledEntries: cancelled, protectedPositions: ctx.ledger.positions().length };
  }

  /** Clears timers (shutdown). State is already on disk. */
  stop(): void {
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
