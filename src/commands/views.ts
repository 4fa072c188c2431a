import type { Mode, SignalSummary } from '../app/runtime.js';
import type { Timeframe } from '../core/timeframe.js';

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
}

export interface PositionRow {
  id: string;
  symbol: string;
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
  pending: { cardId: string; symbol: string; qty: number }[];
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

export interface SignalsView {
  kind: 'signals';
  signals: SignalSummary[];
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

export type View = StatusView | PositionsView | TradesView | PnlView | BalanceView | SignalsView | TextView | HelpView;

export type { Timeframe };
