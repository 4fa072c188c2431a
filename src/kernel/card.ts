import type { RiskLimit } from '../risk/limits.js';
import type { MarketType } from '../core/instrument.js';
import type { Timeframe } from '../core/timeframe.js';
import type { PaperOnlyReason, SignalEvidence } from '../signal/evidence.js';
import type { Direction, SampleStats } from '../signal/types.js';

export type CardStatus = 'open' | 'paper' | 'live' | 'skipped' | 'expired' | 'info' | 'blocked';

/**
 * A signal card as posted to the owner (SPEC §6). Prices and money in quote currency, sizes in
 * base asset, percents as percents, times ms UTC.
 */
/** Where a live order would go: the real venue or its testnet. */
export type VenueMode = 'live' | 'testnet';

export interface Card {
  id: string;
  createdAt: number;
  expiresAt: number;
  signalId: string;
  rule: string;
  name: string;
  symbol: string;
  timeframe: Timeframe;
  direction: Direction;
  entry: number;
  stop: number;
  target: number;
  stopPercent: number;
  targetPercent: number;
  /** Reward : risk, e.g. 2 for 2:1. */
  rr: number;
  qty: number;
  notional: number;
  riskQuote: number;
  riskPercent: number;
  maxHoldBars?: number;
  allocationPercent?: number;
  reason: string;
  inSample?: SampleStats;
  outOfSample?: SampleStats;
  confidence?: number;
  /** The signal's backtest evidence when the card was made (validated.json v2); absent = no backtest evidence. */
  evidence?: SignalEvidence;
  /** Set when the card may only be paper-traded (no Live button): unvalidated, or paused by the drift monitor. */
  paperOnly?: PaperOnlyReason;
  context?: { rating?: number; maZ?: number; htfAligned?: boolean; regime?: 'trending' | 'ranging' };
  /** "swap" for a perpetual swap's card: a short is tradable there, and funding is not simulated. Absent = spot. */
  marketType?: MarketType;
  /** Why trade buttons are absent (risk limit, kill switch, informational). */
  blockedReason?: string;
  /** The alerting risk limit that blocked it, if one did. */
  blockedLimit?: RiskLimit;
  /** The first card `blockedLimit` blocked this UTC day: posted as the limit's notice; later ones that day are not posted. */
  limitNotice?: boolean;
  status: CardStatus;
  positionId?: string;
  /** Live order confirmation shown after `💰 Live…`, until confirmed, cancelled or expired. */
  confirmation?: LiveConfirmation;
  /** The chat message showing this card, so taps and updates can edit it; `photo`: a chart whose caption is the card. */
  message?: { chatId: number; messageId: number; photo?: boolean };
  /**
   * Live mode only: the venue badge (LIVE or TESTNET). Display data, set by the live trader as a
   * non-enumerable property, so it never reaches state.json.
   */
  venueMode?: VenueMode;
}

/**
 * A fresh quote and size for a live order, valid until `expiresAt` (SPEC §6). Prices and money in
 * quote currency, size in base asset, riskPercent of `equity` (the exchange account), times ms UTC.
 */
export interface LiveConfirmation {
  /** Exchange the order goes to (ccxt id). */
  venue: string;
  quotedAt: number;
  expiresAt: number;
  /** The quote: best ask for a buy. Confirm refuses when the price moved more than the tolerance. */
  price: number;
  qty: number;
  notional: number;
  riskQuote: number;
  riskPercent: number;
  equity: number;
  stop: number;
  target: number;
  /** Where the confirmed order goes (LIVE or TESTNET); display data like `Card.venueMode`. */
  venueMode?: VenueMode;
}

/** Whether the card still offers trade buttons at `now`. */
export function cardActionable(card: Card, now: number): boolean {
  return card.status === 'open' && now < card.expiresAt;
}
