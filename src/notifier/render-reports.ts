/**
 * Telegram HTML for the report view models of `src/commands/reports.ts` (issue #10). Tables are
 * `<pre>` blocks of at most {@link PHONE_COLUMNS} characters a line, so they line up without
 * wrapping on a phone; long signal ids go in ordinary lines, which Telegram wraps.
 */
import type {
  DailySummaryView, PerformanceRow, PerformanceView, Period, PeriodRow, PeriodTableView, StatsView, TradeAggregate, TradeHighlight, WeeklySummaryView,
} from '../commands/reports.js';
import { duration, esc, money } from './format.js';
import type { Rendered } from './rendered.js';

/** Characters a `<pre>` line may hold and still fit a phone screen without wrapping. */
export const PHONE_COLUMNS = 34;

/** Every report view this module renders. */
export type ReportView = PeriodTableView | PerformanceView | StatsView | DailySummaryView | WeeklySummaryView;

const MINUS = '−';

/** Signed R multiple, 2 decimals: `+1.50`, `−1.05`; `—` when there is none. */
function rMult(r: number | null): string {
  if (r === null) return '—';
  return (r < 0 ? MINUS : '+') + Math.abs(r).toFixed(2);
}

/** A fraction as a whole percent: `58%`; `—` when there is none. */
function rate(f: number | null): string {
  return f === null ? '—' : `${Math.round(f * 100)}%`;
}

/** A profit factor: 2 decimals, `∞` with no losses, `—` with no trades. */
function factor(x: number | null): string {
  return x === null ? '—' : x === Infinity ? '∞' : x.toFixed(2);
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `2025-05-05`, UTC. */
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Row label of a period: `05-06` for a day or the Monday of a week, `2025-05` for a month (UTC). */
function periodLabel(start: number, period: Period): string {
  const d = new Date(start);
  return period === 'month' ? `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}` : `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/**
 * A monospace table: columns as wide as their widest cell, one space apart, text left-aligned and
 * numbers right-aligned. Escaped for HTML; wrap the result in `<pre>`.
 */
function table(head: readonly string[] | null, rows: readonly (readonly string[])[], alignRight: readonly boolean[]): string {
  const all = head ? [head, ...rows] : rows;
  const widths = alignRight.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (alignRight[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' ').trimEnd();
  return all.map(line).map(esc).join('\n');
}

/** Cells of an aggregate: trades, P&L, win rate, mean R. A period without trades shows `0.00`, not a signed `+0.00`. */
const numbers = (a: TradeAggregate) => [String(a.trades), a.trades ? money(a.pnl, true) : money(0), rate(a.winRate), rMult(a.meanR)];
const NUMBER_HEAD = ['Tr', 'P&L', 'Win', 'avgR'];
const NUMBER_ALIGN = [true, true, true, true];

const PERIOD_TITLE: Record<Period, string> = { day: 'Daily', week: 'Weekly', month: 'Monthly' };
const PERIOD_COLUMN: Record<Period, string> = { day: 'Day', week: 'Week', month: 'Month' };
const PERIOD_NOTE: Record<Period, string> = {
  day: 'UTC days',
  week: 'weeks from Monday, UTC',
  month: 'UTC months',
};

/** `/daily` `/weekly` `/monthly`: a row per period (newest first), then the total. */
export function renderPeriodTable(v: PeriodTableView, quote = 'USDT'): Rendered {
  const rows = v.rows.map((r: PeriodRow) => [periodLabel(r.start, v.period), ...numbers(r)]);
  rows.push(['Total', ...numbers(v.total)]);
  const html = `<b>${PERIOD_TITLE[v.period]} P&amp;L</b> (${esc(quote)}) · last ${v.rows.length} ${PERIOD_NOTE[v.period]}\n` +
    `<pre>${table([PERIOD_COLUMN[v.period], ...NUMBER_HEAD], rows, [false, ...NUMBER_ALIGN])}</pre>`;
  return { html, buttons: [] };
}

/** `BTCUSDT` → `BTC` when it ends in the quote currency, to save a column's width. */
const base = (symbol: string, quote: string) => (symbol.endsWith(quote) && symbol.length > quote.length ? symbol.slice(0, -quote.length) : symbol);

const signalLine = (r: PerformanceRow) =>
  `<code>${esc(r.key)}</code>\n   ${r.trades} tr · ${money(r.pnl, true)} · win ${rate(r.winRate)} · ${rMult(r.meanR)}R`;

/** `/performance`: a table per instrument, then each signal on two lines (its id is too long for a column). */
export function renderPerformance(v: PerformanceView, quote = 'USDT'): Rendered {
  if (!v.total.trades) return { html: 'No closed trades yet.', buttons: [] };
  const coins = table(['Coin', ...NUMBER_HEAD], v.bySymbol.map((r) => [base(r.key, quote), ...numbers(r)]), [false, ...NUMBER_ALIGN]);
  const html = `<b>Performance</b> (${esc(quote)}) · ${v.total.trades} trades, ${money(v.total.pnl, true)}\n` +
    `<pre>${coins}</pre>\n<b>Per signal</b>\n` + v.bySignal.map(signalLine).join('\n');
  return { html, buttons: [] };
}

/** `/stats`: totals, profit factors, drawdown, Sharpe, hold times and exits by reason. */
export function renderStats(v: StatsView, quote = 'USDT'): Rendered {
  const t = v.totals;
  if (!t.trades) return { html: 'No closed trades yet.', buttons: [] };
  const hold = (ms: number | null) => (ms === null ? '—' : duration(ms));
  const kv: [string, string][] = [
    ['Trades', `${t.trades} (${t.wins} W / ${t.losses} L)`],
    ['Win rate', rate(t.winRate)],
    ['P&L', money(t.pnl, true)],
    ['Mean R', rMult(t.meanR)],
    ['Profit factor', factor(v.profitFactor)],
    ['PF in R', factor(v.profitFactorR)],
    ['Max drawdown', money(-v.maxDrawdown)],
    ['  of peak', `${v.maxDrawdownPercent.toFixed(2)}%`],
    ['Sharpe (daily)', v.sharpe === null ? '—' : v.sharpe.toFixed(2)],
    ['Avg hold', hold(v.avgHoldMs)],
    ['  winners', hold(v.avgHoldWinMs)],
    ['  losers', hold(v.avgHoldLossMs)],
    ['Equity', money(v.equity)],
  ];
  const exits = table(['Exit', 'n', 'share'], v.exits.map((e) => [e.reason, String(e.count), `${(e.share * 100).toFixed(1)}%`]), [false, true, true]);
  const html = `<b>Stats</b> (${esc(quote)}, realized)\n` +
    `<pre>${table(null, kv, [false, true])}</pre>\n` +
    `<pre>${exits}</pre>\n` +
    `<i>Sharpe: daily realized returns over ${v.sharpeDays} UTC days, ×√365, risk-free 0.</i>`;
  return { html, buttons: [] };
}

function highlight(label: string, h: TradeHighlight | null): string {
  return h ? `${label}: ${esc(h.symbol)} ${money(h.pnl, true)} (${rMult(h.r)}R, ${esc(h.reason)})\n` : '';
}

/** The lines both summaries share: P&L, trades, win rate and mean R, best and worst trade, all-time P&L. */
function summaryBody(v: DailySummaryView | WeeklySummaryView, quote: string): string {
  if (!v.trades) return `No trades closed.\nAll time: ${money(v.allTimePnl, true)} ${esc(quote)}`;
  return `P&amp;L <b>${money(v.pnl, true)} ${esc(quote)}</b> · ${v.trades} trade${v.trades === 1 ? '' : 's'} (${v.wins} W / ${v.losses} L)\n` +
    `Win rate ${rate(v.winRate)} · mean R ${rMult(v.meanR)}\n` +
    highlight('Best', v.best) + highlight('Worst', v.worst) +
    `All time: ${money(v.allTimePnl, true)} ${esc(quote)}`;
}

/** The 00:00 UTC push about the day that just ended. */
export function renderDailySummary(v: DailySummaryView, quote = 'USDT'): Rendered {
  const html = `🗓 <b>Daily summary</b> · ${WEEKDAYS[new Date(v.start).getUTCDay()]} ${ymd(v.start)} (UTC)\n` + summaryBody(v, quote);
  return { html, buttons: [] };
}

/** The Monday 00:00 UTC push about the Monday–Sunday that just ended, with a row per day. */
export function renderWeeklySummary(v: WeeklySummaryView, quote = 'USDT'): Rendered {
  let html = `🗓 <b>Weekly summary</b> · ${ymd(v.start)} – ${ymd(v.end - 1)} (UTC)\n` + summaryBody(v, quote);
  if (v.trades) {
    const rows = v.days.map((d) => [WEEKDAYS[new Date(d.start).getUTCDay()], ...numbers(d)]);
    html += `\n<pre>${table(['Day', ...NUMBER_HEAD], rows, [false, ...NUMBER_ALIGN])}</pre>`;
  }
  return { html, buttons: [] };
}

/** Renders any report view. */
export function renderReport(v: ReportView, quote = 'USDT'): Rendered {
  switch (v.kind) {
    case 'periods':
      return renderPeriodTable(v, quote);
    case 'performance':
      return renderPerformance(v, quote);
    case 'stats':
      return renderStats(v, quote);
    case 'daily-summary':
      return renderDailySummary(v, quote);
    case 'weekly-summary':
      return renderWeeklySummary(v, quote);
  }
}

/** File name of the `/export` document: `edgebot-trades-2025-05-06.csv` (UTC date of `now`). */
export function exportFileName(now: number): string {
  return `edgebot-trades-${ymd(now)}.csv`;
}

/** Caption of the `/export` document. */
export function renderExportCaption(trades: number, now: number): string {
  return `📄 ${trades} closed trade${trades === 1 ? '' : 's'} (paper and live) as of ${esc(new Date(now).toISOString().slice(0, 16).replace('T', ' '))} UTC`;
}
