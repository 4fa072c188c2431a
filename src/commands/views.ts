import type { Side } from '../core/instrument.js';
import type { Mode } from '../core/mode.js';
import type { PerformanceView, PeriodTableView, StatsView } from './reports.js';
import type { Timeframe } from '../core/timeframe.js';
import type { VenueMode } from '../execution/live/key-check.js';
import type { SignalEvidence } from '../signal/evidence.js';

export type { VenueMode };

declare module '../engine/card.js' {
  // The badge of a card shown in live mode (issue #8). Declared here, beside the other view
  // fields, because it is display data: the live trader sets it as a non-enumerable property at
  // start and on every new card, so it never reaches state.json (whose card schema lacks it).
  interface Card {
    /** Live mode only: where a live order for this card would go (LIVE or TESTNET). */
    venueMode?: VenueMode;
  }
  interface LiveConfirmation {
    /** Where the confirmed order goes (LIVE or TESTNET). */
    venueMode?: VenueMode;
  }
}

/** `/status`. Money in quote currency; times ms UTC. */
export interface StatusView {
  kind: 'status';
  mode: Mode;
  stopped: boolean;
  circuitOpen: boolean;
  uptimeMs: number;
  feed: { connected: boolean; details: string[] } | null;
  candles: number;
  lastCloseTime: number;
  cards: number;
  equity: number;
  dayPnl: number;
  openPositions: number;
  maxOpenPositions: number;
  dayTrades: number;
  maxDailyTrades: number;
  dayLossHeadroomPercent: number;
  quote: string;
  /** Live mode only: the exchange (ccxt id) and whether orders go to it for real or to its testnet. */
  venue?: { exchange: string; mode: VenueMode };
  /** `execution.liveUnvalidated`: Live is offered on signals the gate did not validate (absent = off). */
  liveUnvalidated?: boolean;
  /** Signals paused by the drift monitor (absent = none). */
  pausedSignals?: number;
}

export interface PositionRow {
  id: string;
  symbol: string;
  /** Long, or short (perpetual swaps); absent = long (live spot positions). */
  side?: Side;
  mode: 'paper' | 'live';
  qty: number;
  entryPrice: number;
  mark: number;
  stop: number;
  target: number;
  pnl: number;
  pnlPercent: number;
  closing: boolean;
}

/** `/positions`: open positions (each gets a Close button) and entries waiting for a fill. */
export interface PositionsView {
  kind: 'positions';
  positions: PositionRow[];
  pending: { cardId: string; symbol: string; side?: Side; qty: number }[];
  quote: string;
}

export interface TradeRow {
  symbol: string;
  signalId: string;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  reason: string;
  pnl: number;
  pnlPercent: number;
}

export interface TradesView {
  kind: 'trades';
  trades: TradeRow[];
  total: number;
  quote: string;
}

/** `/pnl`: realized P&L for the UTC day and all time, and per signal against its backtest. */
export interface PnlView {
  kind: 'pnl';
  dayPnl: number;
  allTimePnl: number;
  unrealized: number;
  perSignal: { signalId: string; trades: number; winRate: number; pnl: number; backtestWinRate?: number }[];
  quote: string;
}

export interface BalanceView {
  kind: 'balance';
  source: 'paper' | 'exchange';
  balances: { asset: string; free: number; total: number }[];
  equity: number;
  quote: string;
}

/**
 * One signal in `/signals`: its backtest evidence (absent = none), whether Live is offered, and
 * its forward record (paper + live trades since the last resume, R) against the backtest.
 */
export interface SignalRow {
  signalId: string;
  rule: string;
  symbol: string;
  timeframe: Timeframe;
  /** validated: the gate passed it; paper-only: not validated (Live only with `liveUnvalidated`); paused: drift monitor. */
  state: 'validated' | 'paper-only' | 'paused';
  /** Live is offered on its cards (validated, or `liveUnvalidated`, and not paused). */
  live: boolean;
  evidence?: SignalEvidence;
  forward: {
    trades: number;
    meanR: number;
    /** The drift test: mean R it is held to, CUSUM and threshold (σ); absent without evidence. */
    expectedMeanR?: number;
    cusum?: number;
    threshold?: number;
  };
  /** Paused only: the Resume button's key. */
  resumeKey?: string;
}

/** `/signals`: validated, paper-only and paused signals with their evidence and forward record; top |MA-z| coins. */
export interface SignalsView {
  kind: 'signals';
  signals: SignalRow[];
  liveUnvalidated: boolean;
  topMaZ: { symbol: string; maZ: number; rating: number; tradable: boolean }[];
}

export interface TextView {
  kind: 'text';
  text: string;
}

export interface HelpView {
  kind: 'help';
  commands: { command: string; description: string }[];
}

/** `/export`: the closed trades as a CSV document (Telegram sends it as a file, the console writes it). */
export interface ExportView {
  kind: 'export';
  /** ms UTC. */
  at: number;
  trades: number;
  csv: string;
}

export type View = StatusView | PositionsView | TradesView | PnlView | BalanceView | SignalsView | TextView | HelpView
  | PeriodTableView | PerformanceView | StatsView | ExportView;

export type { Timeframe };
