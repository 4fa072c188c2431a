import { describe, expect, it } from 'vitest';
import { dailySummary, performance, periodTable, stats, weeklySummary } from '../../src/commands/reports.js';
import { htmlToText } from '../../src/notifier/format.js';
import {
  exportFileName, PHONE_COLUMNS, renderDailySummary, renderExportCaption, renderPerformance, renderPeriodTable, renderReport, renderStats, renderWeeklySummary,
} from '../../src/notifier/render-reports.js';
import type { Trade } from '../../src/portfolio/types.js';
import { htmlProblem } from '../fakes/telegram-api.js';
import { at, TRADES } from './fixtures.js';

/** The text lines inside every `<pre>` block, entities decoded. */
function preLines(html: string): string[] {
  return [...html.matchAll(/<pre>([\s\S]*?)<\/pre>/g)].flatMap((m) => htmlToText(m[1]).split('\n'));
}

/** Checks what Telegram would: valid HTML, and tables that fit a phone. */
function checked(html: string): string {
  expect(htmlProblem(html)).toBeUndefined();
  for (const line of preLines(html)) expect(line.length, line).toBeLessThanOrEqual(PHONE_COLUMNS);
  return htmlToText(html);
}

describe('report rendering', () => {
  it('/daily: a row per UTC day with trades, P&L, win rate and mean R, and the total', () => {
    const text = checked(renderPeriodTable(periodTable(TRADES, at(6, 5), 'day', 5), 'USDT').html);
    expect(text.split('\n')).toEqual([
      'Daily P&L (USDT) · last 5 UTC days',
      'Day   Tr    P&L  Win  avgR',
      '05-06  2 −52.00   0% −0.78',
      '05-05  2 +29.00  50% +0.47',
      '05-04  1 +30.00 100% +1.50',
      '05-03  1 +15.00 100% +0.75',
      '05-02  0   0.00    —     —',
      'Total  6 +22.00  50% +0.28',
    ]);
  });

  it('/weekly and /monthly label weeks by their Monday and months by year-month', () => {
    const w = checked(renderPeriodTable(periodTable(TRADES, at(6, 5), 'week', 2)).html);
    expect(w).toContain('05-05  4 −23.00  25% −0.15');
    expect(w).toContain('04-28  2 +45.00 100% +1.13');
    const m = checked(renderPeriodTable(periodTable(TRADES, at(6, 5), 'month', 2)).html);
    expect(m).toContain('2025-05  6 +22.00 50% +0.28');
    expect(m).toContain('2025-04  0   0.00   —     —');
  });

  it('/performance: coins in a table (quote suffix dropped), signals on their own lines', () => {
    const text = checked(renderPerformance(performance(TRADES), 'USDT').html);
    expect(text).toContain('Coin Tr    P&L  Win  avgR\nBTC   3 +95.00 100% +1.42\nSOL   1 −10.00   0% −0.50\nETH   2 −63.00   0% −1.05');
    expect(text).toContain('rsi_mean_reversion:SOLUSDT:15m:a1b2\n   1 tr · −10.00 · win 0% · −0.50R');
    expect(renderPerformance(performance([])).html).toBe('No closed trades yet.');
  });

  it('/stats: every figure of the stats view', () => {
    const text = checked(renderStats(stats(TRADES, 10_000)).html);
    for (const row of [
      'Trades         6 (3 W / 3 L)', 'Profit factor           1.30', 'PF in R                 1.63', 'Max drawdown          −52.00',
      '  of peak              0.52%', 'Sharpe (daily)          2.74', 'Avg hold              2h 36m', '  winners             3h 30m',
      '  losers              1h 43m', 'Equity             10,022.00', 'stop            2 33.3%', 'zscore-reversal 1 16.7%',
    ]) expect(text).toContain(row);
    expect(text).toContain('over 4 UTC days, ×√365');
    const winners = checked(renderStats(stats(TRADES.filter((t) => t.pnl > 0), 10_000)).html);
    expect(winners).toContain('Profit factor              ∞');
  });

  it('the daily push names the day that ended and its figures', () => {
    const text = checked(renderDailySummary(dailySummary(TRADES, at(6, 0))).html);
    expect(text.split('\n')).toEqual([
      '🗓 Daily summary · Mon 2025-05-05 (UTC)',
      'P&L +29.00 USDT · 2 trades (1 W / 1 L)',
      'Win rate 50% · mean R +0.47',
      'Best: BTCUSDT +50.00 (+2.00R, target)',
      'Worst: ETHUSDT −21.00 (−1.05R, stop)',
      'All time: +74.00 USDT',
    ]);
    expect(checked(renderDailySummary(dailySummary(TRADES, at(3, 0))).html)).toBe('🗓 Daily summary · Fri 2025-05-02 (UTC)\nNo trades closed.\nAll time: +0.00 USDT');
  });

  it('the weekly push covers Monday to Sunday with a row per day', () => {
    const text = checked(renderWeeklySummary(weeklySummary(TRADES, at(12, 0))).html);
    expect(text).toMatch(/^🗓 Weekly summary · 2025-05-05 – 2025-05-11 \(UTC\)\nP&L −23\.00 USDT · 4 trades \(1 W \/ 3 L\)/);
    expect(text).toContain('Mon  2 +29.00 50% +0.47\nTue  2 −52.00  0% −0.78\nWed  0   0.00   —     —');
    expect(text).toContain('Sun  0   0.00   —     —');
  });

  it('tables still fit a phone with five-digit P&L', () => {
    const big: Trade[] = TRADES.map((t) => ({ ...t, pnl: t.pnl * 1_000 }));
    for (const v of [periodTable(big, at(6, 5), 'day', 7), periodTable(big, at(6, 5), 'month', 12), performance(big), stats(big, 1_000_000), weeklySummary(big, at(12, 0))]) {
      checked(renderReport(v, 'USDT').html);
    }
  });

  it('export file name and caption', () => {
    expect(exportFileName(at(6, 5))).toBe('edgebot-trades-2025-05-06.csv');
    expect(renderExportCaption(6, at(6, 5))).toBe('📄 6 closed trades (paper and live) as of 2025-05-06 05:00 UTC');
  });
});
