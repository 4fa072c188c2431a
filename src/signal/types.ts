import type { Timeframe } from '../core/timeframe.js';

export type Direction = 'long' | 'short';

/** Backtest statistics of a signal over one sample (fractions, not percents, except drawdown). */
export interface SampleStats {
  trades: number;
  /** Fraction of winning trades, 0..1. */
  winRate: number;
  profitFactor: number;
  /** Mean R multiple per trade. */
  avgR: number;
  maxDrawdownPercent: number;
  sharpe: number;
}

/**
 * What a rule proposes on a candle close: a trade idea with its exits, before risk and sizing.
 * Prices in quote currency; `time` is the triggering candle's close (ms UTC).
 */
export interface Setup {
  /** Stable id of the signal definition (validated signal id, or `glicko_zscore:BTCUSDT`). */
  signalId: string;
  rule: string;
  /** Human name shown on the card. */
  name: string;
  symbol: string;
  timeframe: Timeframe;
  direction: Direction;
  time: number;
  /** Reference entry: the triggering close. The fill happens later (next open ± slippage). */
  entry: number;
  stop: number;
  target: number;
  /** Time exit: close the position after this many candles of `timeframe`. */
  maxHoldBars?: number;
  /** One line: why it fired, e.g. "MA-z 2.61 ≥ 2.5 (50 × 5m)". */
  reason: string;
  /** False for informational cards (e.g. a bearish z-score on spot): no trade buttons. */
  tradable: boolean;
  /** Cap on position value, percent of equity (parameter sets). */
  allocationPercent?: number;
  inSample?: SampleStats;
  outOfSample?: SampleStats;
  /** 0..1. */
  confidence?: number;
  /** Context shown on the card. */
  context?: { rating?: number; maZ?: number; htfAligned?: boolean; regime?: 'trending' | 'ranging' };
}
