import { z } from 'zod';
import { TIMEFRAMES } from '../core/timeframe.js';
import { LiveStateSchema } from './live-schema.js';
import { SettingsSchema, TOPICS } from './settings-schema.js';

const tf = z.enum(TIMEFRAMES);
const stats = z.object({
  trades: z.number(), winRate: z.number(), profitFactor: z.number(), avgR: z.number(),
  maxDrawdownPercent: z.number(), sharpe: z.number(),
});

const side = z.enum(['long', 'short']).optional();
const position = z.object({
  id: z.string(), side, cardId: z.string(), signalId: z.string(), rule: z.string(), symbol: z.string(), timeframe: tf,
  mode: z.enum(['paper', 'live']), qty: z.number(), entryPrice: z.number(), entryTime: z.number(), entryFee: z.number(),
  stop: z.number(), target: z.number(), exitBy: z.number().optional(),
  exitRequested: z.enum(['stop', 'target', 'zscore-reversal', 'time', 'manual', 'risk']).optional(),
});
const trade = position.extend({
  exitPrice: z.number(), exitTime: z.number(), exitFee: z.number(),
  reason: z.enum(['stop', 'target', 'zscore-reversal', 'time', 'manual', 'risk']),
  pnl: z.number(), pnlPercent: z.number(), r: z.number(),
});
const pending = z.object({
  side, cardId: z.string(), signalId: z.string(), rule: z.string(), symbol: z.string(), timeframe: tf,
  mode: z.enum(['paper', 'live']), qty: z.number(), stop: z.number(), target: z.number(),
  maxHoldMs: z.number().optional(), submittedAt: z.number(),
});
const card = z.object({
  id: z.string(), createdAt: z.number(), expiresAt: z.number(), signalId: z.string(), rule: z.string(), name: z.string(),
  symbol: z.string(), timeframe: tf, direction: z.enum(['long', 'short']), entry: z.number(), stop: z.number(),
  target: z.number(), stopPercent: z.number(), targetPercent: z.number(), rr: z.number(), qty: z.number(),
  notional: z.number(), riskQuote: z.number(), riskPercent: z.number(), maxHoldBars: z.number().optional(),
  allocationPercent: z.number().optional(), reason: z.string(), inSample: stats.optional(), outOfSample: stats.optional(),
  confidence: z.number().optional(),
  /** Backtest evidence of the card's signal (src/signal/evidence.ts); absent = none. */
  evidence: z.object({
    validated: z.boolean(), source: z.enum(['family', 'zscore']), familyId: z.string(), trades: z.number(), meanR: z.number(),
    meanRLower: z.number().optional(), meanRUpper: z.number().optional(), sharpe: z.number(), dsr: z.number(),
    dataFrom: z.number(), dataTo: z.number(),
  }).optional(),
  /** Why the card has no Live button. */
  paperOnly: z.enum(['unvalidated', 'paused']).optional(),
  context: z.object({
    rating: z.number().optional(), maZ: z.number().optional(), htfAligned: z.boolean().optional(),
    regime: z.enum(['trending', 'ranging']).optional(),
  }).optional(),
  blockedReason: z.string().optional(),
  blockedLimit: z.enum(['daily-loss', 'drawdown', 'daily-trades', 'circuit-breaker']).optional(),
  limitNotice: z.boolean().optional(),
  /** "swap" on a perpetual's card (both sides tradable, funding not simulated); absent = spot. */
  marketType: z.enum(['spot', 'swap']).optional(),
  status: z.enum(['open', 'paper', 'live', 'skipped', 'expired', 'info', 'blocked']),
  positionId: z.string().optional(),
  confirmation: z.object({
    venue: z.string(), quotedAt: z.number(), expiresAt: z.number(), price: z.number(), qty: z.number(), notional: z.number(),
    riskQuote: z.number(), riskPercent: z.number(), equity: z.number(), stop: z.number(), target: z.number(),
  }).optional(),
  /** Telegram message that shows this card, so later taps and updates can edit it. */
  message: z.object({
    chatId: z.number(), messageId: z.number(),
    /** The message is a chart photo with the card as its caption: edits go to the caption. */
    photo: z.boolean().optional(),
  }).optional(),
});

const button = z.object({ text: z.string(), data: z.string() });

/**
 * Delivery class of an outbox item (issue #10): `urgent` — replies to the owner, confirmations,
 * kill-switch replies, risk alerts, errors; `normal` — cards, their edits, fills and exits;
 * `bulk` — summaries, charts and other bulk. A message in retry never holds back a higher class.
 */
export const PrioritySchema = z.enum(['urgent', 'normal', 'bulk']);
export type Priority = z.infer<typeof PrioritySchema>;

/** Fields every outbox item has: id, delivery class (absent = `normal`), enqueue time (ms UTC, wall clock). */
const itemBase = { id: z.number(), priority: PrioritySchema.optional(), at: z.number().optional() };

/**
 * A message waiting in the persisted outbox (write-ahead): recorded with the state that it shows,
 * delivered after the write, removed once the chat has it. Cards are rendered from the stored
 * card at delivery, so a card sent late shows its latest status.
 */
export const OutboxItemSchema = z.discriminatedUnion('kind', [
  z.object({ ...itemBase, kind: z.literal('card'), cardId: z.string() }),
  z.object({ ...itemBase, kind: z.literal('edit'), cardId: z.string() }),
  z.object({
    ...itemBase, kind: z.literal('text'), html: z.string(), buttons: z.array(z.array(button)),
    /** Another chat than the owner's (a reply to an allow-listed user elsewhere). */
    chatId: z.number().optional(),
    /** What the message is about, for the owner's notification settings (absent: an alert). */
    topic: z.enum(TOPICS).optional(),
  }),
]);
export type OutboxItem = z.infer<typeof OutboxItemSchema>;

/** Cross-coin ratings as of their last step, so a restart continues them instead of re-deriving them from a shorter history. */
export const RatingsSnapshotSchema = z.object({
  /** Coins and the options hash they were rated with; a different set starts over. */
  key: z.string(),
  lastStepTime: z.number(),
  steps: z.number(),
  rating: z.array(z.number()), rd: z.array(z.number()), volatility: z.array(z.number()),
  prevClose: z.array(z.number().nullable()), prevVolume: z.array(z.number().nullable()),
  returns: z.array(z.array(z.number())), maZ: z.array(z.array(z.number())), z: z.array(z.number()),
  /** The z-score rule's previous MA-z per coin (its crossing memory). */
  prevMaZ: z.array(z.number()),
});
export type RatingsSnapshot = z.infer<typeof RatingsSnapshotSchema>;

/** The same snapshot packed into one base64 string (src/store/ratings-codec.ts): what is written now. */
export const PackedRatingsSchema = z.object({
  packed: z.literal(1), key: z.string(), lastStepTime: z.number(), steps: z.number(), n: z.number().int().nonnegative(),
  returnsRow: z.number().int().nonnegative(), maZRows: z.array(z.number().int().nonnegative()), data: z.string(),
});

export { DriftSignalSchema, type DriftSignalState } from '../signal/drift.js';
import { DriftSignalSchema } from '../signal/drift.js';

/**
 * Execution KPI measurements (src/kernel/kpi.ts), bounded: card counts since the state began;
 * order times of entries not filled yet (card id → ms UTC); the last fills (quote and fill price
 * in quote currency, slippage in % — adverse positive —, order-to-fill ms); the last
 * candle-close → card-delivered latencies (ms); feed connected ('1') or not ('0') per minute over
 * the last 24 h; and which KPIs are past their threshold (alerted once per crossing).
 */
export const KpiStateSchema = z.object({
  tradable: z.number(),
  acted: z.number(),
  orders: z.record(z.string(), z.number()),
  fills: z.array(z.object({
    at: z.number(), cardId: z.string(), symbol: z.string(), mode: z.enum(['paper', 'live']), quote: z.number(), price: z.number(),
    slippagePercent: z.number(), fillMs: z.number().optional(),
  })),
  latencyMs: z.array(z.number()),
  uptime: z.string(),
  alerted: z.array(z.enum(['slippage', 'fill-time', 'uptime', 'latency'])),
});
export type KpiState = z.infer<typeof KpiStateSchema>;

/** data/state.json, version 1 (SPEC §9). */
export const StateSchema = z.object({
  version: z.literal(1),
  risk: z.object({
    killSwitch: z.boolean(), cooldowns: z.record(z.string(), z.number()), day: z.string(), dayStartEquity: z.number(),
    dayTrades: z.number(), exchangeErrors: z.number(), circuitOpen: z.boolean(),
    /** Per risk limit, the UTC day (YYYY-MM-DD) its alert went out; and the day its blocked-cards notice did. */
    alerted: z.record(z.string(), z.string()).optional(),
    noticed: z.record(z.string(), z.string()).optional(),
  }),
  paper: z.object({
    cash: z.number(), positions: z.array(position), pending: z.array(pending), trades: z.array(trade),
    marks: z.record(z.string(), z.number()), equityPeak: z.number(), maxDrawdownPercent: z.number(),
  }),
  cards: z.array(card),
  /** Bounded log of what fired, newest last. */
  signalLog: z.array(z.object({ time: z.number(), cardId: z.string(), signalId: z.string(), symbol: z.string(), status: z.string() })),
  telegram: z.object({ lastUpdateId: z.number() }),
  /** Live execution: one record per card traded live, orders persisted around every exchange call. */
  live: LiveStateSchema.prefault({}),
  /**
   * Where the engine stands: `through[symbol]` is the close time (ms UTC) of the last base candle
   * it acted on. After a restart, candles up to it are history (they rebuild indicators, never
   * act); later ones were never acted on and are processed once, as live.
   */
  engine: z.object({
    through: z.record(z.string(), z.number()),
    /** Written packed; an older file's plain snapshot still loads. */
    ratings: z.union([PackedRatingsSchema, RatingsSnapshotSchema]).optional(),
  }).prefault({ through: {} }),
  /**
   * Drift monitor per signal id. Optional (older files and `emptyState` have none: nothing
   * paused); the runtime creates it on start.
   */
  drift: z.object({ signals: z.record(z.string(), DriftSignalSchema) }).optional(),
  outbox: z.object({ nextId: z.number(), items: z.array(OutboxItemSchema) }).prefault({ nextId: 1, items: [] }),
  /** The owner's notification settings (/settings); absent in older files = the defaults. */
  settings: SettingsSchema.optional(),
  /** Execution KPI samples (src/kernel/kpi.ts); optional: older files have none, the runtime creates it. */
  kpi: KpiStateSchema.optional(),
  /** The current and previous process: a start without a clean stop before it was a crash. */
  runs: z.object({
    startedAt: z.number().optional(),
    cleanStopAt: z.number().optional(),
    pid: z.number().optional(),
  }).prefault({}),
});

export type StoredCard = z.infer<typeof card>;
export type State = z.infer<typeof StateSchema>;
export const STATE_VERSION = 1;
export const MAX_CARDS = 500;
export const MAX_SIGNAL_LOG = 1000;
