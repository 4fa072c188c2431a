import type { Level, SettableTopic, SettingsOutcome } from '../store/settings.js';
import type { Side } from '../core/instrument.js';
import type { Mode } from '../core/mode.js';
import type { EquityPoint, PerformanceView, PeriodTableView, StatsView } from './reports.js';
import type { Timeframe } from '../core/timeframe.js';
import type { VenueMode } from '../kernel/card.js';
import type { VenueFailure } from '../kernel/ports.js';
import type { SignalEvidence } from '../signal/evidence.js';
import type { KpiSnapshot } from '../kernel/kpi.js';

export type { VenueMode };

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
  /** Execution KPIs (`/status` shows one line of them, `/kpi` the detail). */
  kpi?: KpiSnapshot;
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
  /** Time in the position so far, ms (engine clock). */
  heldMs?: number;
  /** The timeframe of the card it came from (its chart's). */
  timeframe?: Timeframe;
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
/**
 * `/pnl`: today's and all-time realized P&L, unrealized, per signal; the `/stats` figures of the
 * same trades; and the realized equity curve (quote currency, times ms UTC) for its chart.
 */
export interface PnlView {
  kind: 'pnl';
  dayPnl: number;
  allTimePnl: number;
  unrealized: number;
  perSignal: { signalId: string; trades: number; winRate: number; pnl: number; backtestWinRate?: number }[];
  stats: StatsView;
  equity: EquityPoint[];
  quote: string;
}

/** `/balance` when the venue could not answer (its error kind and words). */
export interface BalanceUnavailableView {
  kind: 'balance-unavailable';
  failure: VenueFailure;
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

/** `/kpi`: the execution KPIs against their alert thresholds. */
export interface KpiView extends KpiSnapshot {
  kind: 'kpi';
}

export type View = KpiView | StatusView | PositionsView | TradesView | PnlView | BalanceView | BalanceUnavailableView | SignalsView | TextView | HelpView
  | PeriodTableView | PerformanceView | StatsView | ExportView | SettingsView;

export type { Timeframe };

/** `/settings`: the owner's notification settings; `outcome` when the command changed one. Times ms UTC. */
export interface SettingsView {
  kind: 'settings';
  levels: Record<SettableTopic, Level>;
  quietHours?: { start: string; end: string; timeZone: string };
  /** Muted instruments and until when, soonest first (only mutes still running at `now`). */
  mutes: { symbol: string; until: number }[];
  now: number;
  outcome?: SettingsOutcome;
}
