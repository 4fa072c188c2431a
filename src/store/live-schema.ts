import { z } from 'zod';
import { TIMEFRAMES } from '../core/timeframe.js';

/**
 * What live execution persists in `state.json` (`live`): one record per card traded live, with
 * every order's intent written before the exchange call and its outcome after, so a restart
 * resumes each record where it stopped and looks orders up by client id instead of re-sending.
 * Prices and fees in quote currency, quantities in base asset, times ms UTC.
 */
export const LiveOrderSchema = z.object({
  /** `eb-<cardId>-<leg>` (see execution/live/ids.ts). */
  clientId: z.string(),
  /**
   * pending: intent saved, request not answered yet · unknown: request failed in a way that may
   * have reached the venue · open: resting on the book · filled · cancelled · rejected: refused
   * by the venue (nothing placed) · missing: the venue no longer has it and nothing filled.
   */
  status: z.enum(['pending', 'unknown', 'open', 'filled', 'cancelled', 'rejected', 'missing']),
  /** The venue's id (orderListId for an OCO). */
  exchangeId: z.string().optional(),
  qty: z.number(),
  filledQty: z.number().optional(),
  avgPrice: z.number().optional(),
  /** All fees converted to quote currency at the fill price. */
  feeQuote: z.number().optional(),
  /** Fees charged in the base asset (they reduce what is held). */
  feeBase: z.number().optional(),
  sentAt: z.number(),
  updatedAt: z.number(),
  error: z.string().optional(),
});

export const LiveTradeSchema = z.object({
  /** Position id `L<cardId>`. */
  id: z.string(),
  cardId: z.string(),
  signalId: z.string(),
  rule: z.string(),
  /** edgebot symbol (BTCUSDT) and ccxt market (BTC/USDT). */
  symbol: z.string(),
  market: z.string(),
  timeframe: z.enum(TIMEFRAMES),
  /**
   * entering: entry order in flight or resting · open: position held · closing: exit in flight ·
   * closed · failed: the entry never filled (refused, or it never reached the venue) ·
   * cancelled: an unfilled entry was cancelled (timeout, /stop).
   */
  phase: z.enum(['entering', 'open', 'closing', 'closed', 'failed', 'cancelled']),
  createdAt: z.number(),
  /** Exchange equity at confirmation, quote currency (the day's start equity if a new UTC day begins before the fill). */
  equity: z.number().optional(),
  stop: z.number(),
  target: z.number(),
  /** Time exit (card's max hold), ms UTC. */
  exitBy: z.number().optional(),
  entry: LiveOrderSchema,
  /** How the position is protected: an OCO list, a lone stop order, or exits watched by edgebot. */
  protection: z.object({
    kind: z.enum(['oco', 'stop', 'engine']),
    order: LiveOrderSchema.optional(),
    /** Last problem reported to the owner (reported once per distinct message). */
    lastError: z.string().optional(),
  }).optional(),
  exit: LiveOrderSchema.optional(),
  exitReason: z.enum(['stop', 'target', 'zscore-reversal', 'time', 'manual', 'risk']).optional(),
  /** Base held after base-asset fees. */
  qty: z.number(),
  entryPrice: z.number(),
  entryTime: z.number(),
  entryFee: z.number(),
  exitPrice: z.number().optional(),
  exitTime: z.number().optional(),
  exitFee: z.number().optional(),
  pnl: z.number().optional(),
});

/** Day counters and equity peak of the exchange account (the paper account keeps its own). */
export const LiveRiskSchema = z.object({
  day: z.string(),
  dayStartEquity: z.number(),
  dayTrades: z.number(),
  equityPeak: z.number(),
});

export const LiveStateSchema = z.object({
  trades: z.array(LiveTradeSchema).default([]),
  risk: LiveRiskSchema.optional(),
});

export type LiveOrder = z.infer<typeof LiveOrderSchema>;
export type LiveTrade = z.infer<typeof LiveTradeSchema>;
export type LiveRisk = z.infer<typeof LiveRiskSchema>;
export type LiveState = z.infer<typeof LiveStateSchema>;

/** Finished records kept for reference; active ones are never dropped. */
export const MAX_FINISHED_LIVE_TRADES = 200;
