/**
 * Reports over closed trades (issue #10): freqtrade's `/daily` `/weekly` `/monthly`
 * `/performance` `/stats` `/export`, plus R, and the data of the 00:00 UTC daily and Monday
 * weekly pushes. Pure, query-only functions of a list of closed trades (pass `allTrades(broker,
 * external)`, so paper and live are counted together) and a clock time; they change nothing.
 * Money in quote currency, times ms UTC, win rates as fractions (0.5 = 50%), R = pnl / initial risk.
 * A trade counts in the period of its exit: P&L is realized when the position closes.
 */
import { closedTradesCsv } from '../portfolio/trades-csv.js';
import type { ExitReason, Trade } from '../portfolio/types.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Report periods. Days and months are UTC calendar ones; weeks run Monday 00:00 to Monday 00:00 UTC (ISO 8601). */
export type Period = 'day' | 'week' | 'month';

/**
 * What a set of trades adds up to. A win is a trade with pnl > 0 and a loss one with pnl < 0 (a
 * trade at exactly 0 is neither, but still counts in `trades`, so `winRate` = wins / trades).
 */
export interface TradeAggregate {
  trades: number;
  wins: number;
  losses: number;
  /** Net P&L after fees, quote currency. */
  pnl: number;
  /** wins / trades, a fraction; null with no trades. */
  winRate: number | null;
  /** Mean R multiple; null with no trades. */
  meanR: number | null;
}

/** Sums trades into a {@link TradeAggregate}. */
export function aggregate(trades: readonly Trade[]): TradeAggregate {
  let wins = 0;
  let losses = 0;
  let pnl = 0;
  let r = 0;
  for (const t of trades) {
    if (t.pnl > 0) wins++;
    else if (t.pnl < 0) losses++;
    pnl += t.pnl;
    r += t.r;
  }
  const n = trades.length;
  return { trades: n, wins, losses, pnl, winRate: n ? wins / n : null, meanR: n ? r / n : null };
}

/** Start (ms UTC) of the UTC day holding `t`. */
export function dayStart(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** Start (ms UTC) of the Monday-to-Sunday UTC week holding `t`. 1970-01-01 was a Thursday, hence the +3. */
export function weekStart(t: number): number {
  const day = Math.floor(t / DAY_MS);
  const sinceMonday = (((day + 3) % 7) + 7) % 7;
  return (day - sinceMonday) * DAY_MS;
}

/** Start (ms UTC) of the UTC calendar month holding `t`, moved `back` months earlier. */
function monthStart(t: number, back = 0): number {
  const d = new Date(t);
  // Date.UTC rolls negative months into earlier years.
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1);
}

/** [start, end) of the period holding `now`, moved `back` periods earlier. ms UTC. */
export function periodBounds(now: number, period: Period, back = 0): { start: number; end: number } {
  switch (period) {
    case 'day': {
      const start = dayStart(now) - back * DAY_MS;
      return { start, end: start + DAY_MS };
    }
    case 'week': {
      const start = weekStart(now) - back * WEEK_MS;
      return { start, end: start + WEEK_MS };
    }
    case 'month':
      return { start: monthStart(now, back), end: monthStart(now, back - 1) };
  }
}

const inRange = (trades: readonly Trade[], start: number, end: number) => trades.filter((t) => t.exitTime >= start && t.exitTime < end);

/** One period of {@link periodTable}: [start, end) ms UTC and its trades' aggregate. */
export interface PeriodRow extends TradeAggregate {
  start: number;
  end: number;
}

/** `/daily` `/weekly` `/monthly`: one row per period, newest first, and the sum over the rows. */
export interface PeriodTableView {
  kind: 'periods';
  period: Period;
  rows: PeriodRow[];
  total: TradeAggregate;
}

/**
 * The last `n` UTC periods up to and including the one holding `now` (so the first row is the
 * period still running), newest first, empty periods included; trades by exit time.
 * `n` is clamped to 1…366, so `/daily 100000` cannot make a huge table (a non-number gives 1).
 */
export function periodTable(trades: readonly Trade[], now: number, period: Period, n: number): PeriodTableView {
  const k = Math.max(1, Math.min(366, Number.isFinite(n) ? Math.floor(n) : 1));
  const rows: PeriodRow[] = [];
  for (let back = 0; back < k; back++) {
    const { start, end } = periodBounds(now, period, back);
    rows.push({ start, end, ...aggregate(inRange(trades, start, end)) });
  }
  const oldest = rows[rows.length - 1].start;
  const newest = rows[0].end;
  return { kind: 'periods', period, rows, total: aggregate(inRange(trades, oldest, newest)) };
}

/** A {@link TradeAggregate} of one instrument or one signal. */
export interface PerformanceRow extends TradeAggregate {
  /** The symbol (`BTCUSDT`) or signal id. */
  key: string;
}

/** `/performance`: aggregates per instrument and per signal, best P&L first. */
export interface PerformanceView {
  kind: 'performance';
  bySymbol: PerformanceRow[];
  bySignal: PerformanceRow[];
  total: TradeAggregate;
}

function groupBy(trades: readonly Trade[], key: (t: Trade) => string): PerformanceRow[] {
  const groups = new Map<string, Trade[]>();
  for (const t of trades) {
    const k = key(t);
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  // Best P&L first, as freqtrade's /performance; ties by name so the order is stable.
  return [...groups].map(([k, g]) => ({ key: k, ...aggregate(g) })).sort((a, b) => b.pnl - a.pnl || (a.key < b.key ? -1 : 1));
}

/** Per instrument and per signal: trades, P&L, win rate, mean R. */
export function performance(trades: readonly Trade[]): PerformanceView {
  return { kind: 'performance', bySymbol: groupBy(trades, (t) => t.symbol), bySignal: groupBy(trades, (t) => t.signalId), total: aggregate(trades) };
}

/** One point of the realized equity curve: time ms UTC, equity quote currency. */
export interface EquityPoint {
  time: number;
  equity: number;
}

/**
 * The realized equity curve: `startingEquity` at the first trade's entry, then the equity after
 * each exit time (trades closing at the same ms make one step). Only closed trades move it; open
 * positions' marks are not in it. No trades → no points. Feed it to `renderEquityChart`.
 */
export function equityCurve(trades: readonly Trade[], startingEquity: number): EquityPoint[] {
  if (!trades.length) return [];
  const byExit = [...trades].sort((a, b) => a.exitTime - b.exitTime);
  let first = Infinity;
  for (const t of trades) if (t.entryTime < first) first = t.entryTime;
  const points: EquityPoint[] = [{ time: first, equity: startingEquity }];
  let equity = startingEquity;
  for (const t of byExit) {
    equity += t.pnl;
    const last = points[points.length - 1];
    if (last.time === t.exitTime && points.length > 1) last.equity = equity;
    else points.push({ time: t.exitTime, equity });
  }
  return points;
}

/** Exits of one reason: how many and their share of all trades (a fraction). */
export interface ExitCount {
  reason: ExitReason;
  count: number;
  share: number;
}

/** `/stats`. Money quote currency, durations ms, shares and win rate fractions, drawdown percent as percent. */
export interface StatsView {
  kind: 'stats';
  totals: TradeAggregate;
  /** Reasons that occurred, most frequent first. */
  exits: ExitCount[];
  /** Mean time from entry to exit over all trades, winners and losers; null when there are none. */
  avgHoldMs: number | null;
  avgHoldWinMs: number | null;
  avgHoldLossMs: number | null;
  /**
   * Gross profit / gross loss in quote currency, and the same over R. Infinity when there are wins
   * and no losses; null when there is neither.
   */
  profitFactor: number | null;
  profitFactorR: number | null;
  /**
   * Deepest fall of the realized equity curve ({@link equityCurve}) from a running peak, in quote
   * currency, with the times of that peak and trough (0 and null times when it never fell).
   */
  maxDrawdown: number;
  maxDrawdownPeakTime: number | null;
  maxDrawdownTroughTime: number | null;
  /**
   * Deepest fall as a percent of the running peak (percent, not fraction). It can come from
   * another trough than `maxDrawdown` when equity grew in between: each is its own maximum.
   */
  maxDrawdownPercent: number;
  /**
   * Sharpe ratio of daily returns, annualised: mean / sample stdev × √365 (crypto trades every
   * calendar day), risk-free rate 0. A day's return is its realized P&L over the equity at the
   * start of that UTC day; every UTC day from the first exit's to the last exit's counts, days
   * without exits as 0. Null with fewer than 2 days or no variation. Realized only: a day an
   * open position lost on paper shows 0 here.
   */
  sharpe: number | null;
  /** How many daily returns the Sharpe ratio is over. */
  sharpeDays: number;
  startingEquity: number;
  /** startingEquity + realized P&L. */
  equity: number;
}

function ratio(gain: number, loss: number): number | null {
  if (loss > 0) return gain / loss;
  return gain > 0 ? Infinity : null;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : null);

/** Exit reasons, hold times, profit factors, drawdown and Sharpe of closed trades; see {@link StatsView}. */
export function stats(trades: readonly Trade[], startingEquity: number): StatsView {
  const totals = aggregate(trades);
  const reasons = new Map<ExitReason, number>();
  let gain = 0;
  let loss = 0;
  let gainR = 0;
  let lossR = 0;
  const hold: number[] = [];
  const holdWin: number[] = [];
  const holdLoss: number[] = [];
  for (const t of trades) {
    reasons.set(t.reason, (reasons.get(t.reason) ?? 0) + 1);
    if (t.pnl > 0) gain += t.pnl;
    else loss -= t.pnl;
    if (t.r > 0) gainR += t.r;
    else lossR -= t.r;
    const h = t.exitTime - t.entryTime;
    hold.push(h);
    if (t.pnl > 0) holdWin.push(h);
    else if (t.pnl < 0) holdLoss.push(h);
  }
  const exits = [...reasons]
    .map(([reason, count]) => ({ reason, count, share: count / trades.length }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));

  const curve = equityCurve(trades, startingEquity);
  let peak = startingEquity;
  let peakTime: number | null = curve[0]?.time ?? null;
  let dd = 0;
  let ddPct = 0;
  let ddPeak: number | null = null;
  let ddTrough: number | null = null;
  for (const p of curve) {
    if (p.equity > peak) {
      peak = p.equity;
      peakTime = p.time;
    }
    const fall = peak - p.equity;
    if (fall > dd) {
      dd = fall;
      ddPeak = peakTime;
      ddTrough = p.time;
    }
    if (peak > 0 && (fall / peak) * 100 > ddPct) ddPct = (fall / peak) * 100;
  }

  const returns = dailyReturns(trades, startingEquity);
  let sharpe: number | null = null;
  if (returns.length >= 2) {
    const m = mean(returns)!;
    const variance = returns.reduce((a, x) => a + (x - m) ** 2, 0) / (returns.length - 1);
    const sd = Math.sqrt(variance);
    if (sd > 0) sharpe = (m / sd) * Math.sqrt(365);
  }

  return {
    kind: 'stats',
    totals,
    exits,
    avgHoldMs: mean(hold),
    avgHoldWinMs: mean(holdWin),
    avgHoldLossMs: mean(holdLoss),
    profitFactor: ratio(gain, loss),
    profitFactorR: ratio(gainR, lossR),
    maxDrawdown: dd,
    maxDrawdownPeakTime: ddPeak,
    maxDrawdownTroughTime: ddTrough,
    maxDrawdownPercent: ddPct,
    sharpe,
    sharpeDays: returns.length,
    startingEquity,
    equity: startingEquity + totals.pnl,
  };
}

/** Realized return (fraction) of every UTC day from the first exit's to the last exit's, in order. */
function dailyReturns(trades: readonly Trade[], startingEquity: number): number[] {
  if (!trades.length) return [];
  const pnlByDay = new Map<number, number>();
  let first = Infinity;
  let last = -Infinity;
  for (const t of trades) {
    const d = dayStart(t.exitTime);
    pnlByDay.set(d, (pnlByDay.get(d) ?? 0) + t.pnl);
    if (d < first) first = d;
    if (d > last) last = d;
  }
  const out: number[] = [];
  let equity = startingEquity;
  for (let d = first; d <= last; d += DAY_MS) {
    const p = pnlByDay.get(d) ?? 0;
    out.push(p / equity);
    equity += p;
  }
  return out;
}

/**
 * `/export`: closed trades as CSV, in the order given, with the backtest's `--trades` columns
 * (`signalId,rule,symbol,timeframe,entryTime,exitTime,entry,exit,qty,fees,pnl,r,exitReason`):
 * times ISO 8601 UTC, prices/fees (entry + exit)/pnl quote currency, qty base asset, R — the one
 * writer `replay --trades` uses too.
 */
export const tradesCsv = closedTradesCsv;

/** The best or worst trade of a summary. */
export interface TradeHighlight {
  symbol: string;
  signalId: string;
  pnl: number;
  r: number;
  reason: ExitReason;
  exitTime: number;
}

function highlights(trades: readonly Trade[]): { best: TradeHighlight | null; worst: TradeHighlight | null } {
  if (!trades.length) return { best: null, worst: null };
  let best = trades[0];
  let worst = trades[0];
  for (const t of trades) {
    if (t.pnl > best.pnl) best = t;
    if (t.pnl < worst.pnl) worst = t;
  }
  const h = (t: Trade): TradeHighlight => ({ symbol: t.symbol, signalId: t.signalId, pnl: t.pnl, r: t.r, reason: t.reason, exitTime: t.exitTime });
  return { best: h(best), worst: trades.length > 1 ? h(worst) : null };
}

/** The 00:00 UTC push about the UTC day that just ended. */
export interface DailySummaryView extends TradeAggregate {
  kind: 'daily-summary';
  /** [start, end) of the reported day, ms UTC. */
  start: number;
  end: number;
  best: TradeHighlight | null;
  /** Null with fewer than two trades (the one trade is `best`). */
  worst: TradeHighlight | null;
  /** Realized P&L of all trades closed before `end`. */
  allTimePnl: number;
}

/**
 * The daily summary pushed at 00:00 UTC: the **previous** UTC day, [start of today − 24 h, start
 * of today). At 00:00:00 the new day has no exits yet, so reporting "today" would always read
 * +0.00. A push that runs late (00:00:07) still reports the day that ended.
 */
export function dailySummary(trades: readonly Trade[], now: number): DailySummaryView {
  const { start, end } = periodBounds(now, 'day', 1);
  const day = inRange(trades, start, end);
  let allTimePnl = 0;
  for (const t of trades) if (t.exitTime < end) allTimePnl += t.pnl;
  return { kind: 'daily-summary', start, end, ...aggregate(day), ...highlights(day), allTimePnl };
}

/** The Monday 00:00 UTC push about the week that just ended. */
export interface WeeklySummaryView extends TradeAggregate {
  kind: 'weekly-summary';
  /** [Monday 00:00, next Monday 00:00) of the reported week, ms UTC. */
  start: number;
  end: number;
  /** Monday to Sunday, seven rows. */
  days: PeriodRow[];
  best: TradeHighlight | null;
  worst: TradeHighlight | null;
  allTimePnl: number;
}

/** The weekly summary pushed at Monday 00:00 UTC: the previous Monday–Sunday, whatever weekday `now` is. */
export function weeklySummary(trades: readonly Trade[], now: number): WeeklySummaryView {
  const { start, end } = periodBounds(now, 'week', 1);
  const week = inRange(trades, start, end);
  const days: PeriodRow[] = [];
  for (let d = start; d < end; d += DAY_MS) days.push({ start: d, end: d + DAY_MS, ...aggregate(inRange(week, d, d + DAY_MS)) });
  let allTimePnl = 0;
  for (const t of trades) if (t.exitTime < end) allTimePnl += t.pnl;
  return { kind: 'weekly-summary', start, end, ...aggregate(week), days, ...highlights(week), allTimePnl };
}
