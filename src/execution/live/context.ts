import type { TimerClock } from '../../core/clock.js';
import type { BotEvent } from '../../kernel/events.js';
import type { Config } from '../../config/schema.js';
import type { Card } from '../../kernel/card.js';
import type { Logger } from '../../core/log.js';
import type { Position, Trade } from '../../portfolio/types.js';
import type { RiskManager } from '../../risk/risk.js';
import type { LiveTrade } from '../../store/live-schema.js';
import { failureOf, type VenueError } from './errors.js';
import type { LiveAlert } from '../../kernel/live-outcome.js';
import type { ExchangeBroker } from './exchange-broker.js';
import type { LiveLedger } from './ledger.js';

/** Everything the live order steps work with; built once the runtime exists. */
export interface LiveContext {
  /** The engine's clock: order timeouts are timers on it. */
  clock: TimerClock;
  config: Config;
  /** Shared with paper: kill switch, cooldowns, circuit breaker. */
  risk: RiskManager;
  cards: Map<string, Card>;
  emit: (e: BotEvent) => void;
  ledger: LiveLedger;
  venue: ExchangeBroker;
  log: Logger;
}

/** Tells the owner something unasked (a typed `live-alert` event; the chat words it). */
export function alert(ctx: LiveContext, level: 'info' | 'warning' | 'error', alert: LiveAlert): void {
  ctx.emit({ type: 'live-alert', level, alert });
}

/** Shows a card's new state in the chat and marks the state dirty. */
export function cardChanged(ctx: LiveContext, card: Card): void {
  ctx.emit({ type: 'card-update', card });
  ctx.ledger.store.save();
}

/**
 * A failed order: cooldown on the symbol, one more consecutive exchange error, and when that
 * opens the circuit breaker, an alert to the owner. Returns the cooldown's end, ms UTC.
 */
export function orderFailed(ctx: LiveContext, symbol: string, err: VenueError): number {
  const now = ctx.clock.now();
  const opened = ctx.risk.onExchangeError(symbol, now);
  ctx.log.warn({ symbol, kind: err.kind, detail: err.detail, errors: ctx.risk.state.exchangeErrors }, 'live order failed');
  if (opened) {
    const hit = ctx.risk.circuitHit(now, failureOf(err));
    if (hit) ctx.emit({ type: 'risk-limit', hit });
  }
  return ctx.risk.state.cooldowns[symbol] ?? now;
}

/** A live trade as the chat and the runtime see positions. */
export function toPosition(t: LiveTrade): Position {
  return {
    id: t.id, cardId: t.cardId, signalId: t.signalId, rule: t.rule, symbol: t.symbol, timeframe: t.timeframe, mode: 'live',
    qty: t.qty, entryPrice: t.entryPrice, entryTime: t.entryTime, entryFee: t.entryFee, stop: t.stop, target: t.target,
    ...(t.exitBy !== undefined ? { exitBy: t.exitBy } : {}),
  };
}

/** A closed live trade as `/trades` and `/pnl` see it; null while it is not closed. */
export function toTrade(t: LiveTrade): Trade | null {
  if (t.phase !== 'closed' || t.exitPrice === undefined || t.exitTime === undefined || t.pnl === undefined) return null;
  const risk = (t.entryPrice - t.stop) * t.qty;
  return {
    ...toPosition(t),
    exitPrice: t.exitPrice,
    exitTime: t.exitTime,
    exitFee: t.exitFee ?? 0,
    reason: t.exitReason ?? 'manual',
    pnl: t.pnl,
    pnlPercent: (t.pnl / (t.qty * t.entryPrice)) * 100,
    r: risk > 0 ? t.pnl / risk : 0,
  };
}

