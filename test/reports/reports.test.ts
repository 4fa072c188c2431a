import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { TRADES_CSV_HEADER } from '../../src/portfolio/trades-csv.js';
import {
  aggregate, dailySummary, equityCurve, performance, periodBounds, periodTable, stats, tradesCsv, weekStart, weeklySummary,
} from '../../src/commands/reports.js';
import { at, TRADES } from './fixtures.js';

const H = 3_600_000;
const DAY = 24 * H;

describe('the fixture trades', () => {
  it('have the hand-worked pnl and R', () => {
    expect(TRADES.map((t) => t.pnl)).toEqual([15, 30, -21, 50, -10, -42]);
    expect(TRADES.map((t) => t.r)).toEqual([0.75, 1.5, -1.05, 2, -0.5, -1.05]);
  });
});

describe('period bounds', () => {
  it('weeks start Monday 00:00 UTC', () => {
    expect(weekStart(at(5, 0))).toBe(at(5, 0));
    expect(weekStart(at(4, 23, 59))).toBe(Date.UTC(2025, 3, 28));
    expect(weekStart(at(11, 23, 59))).toBe(at(5, 0));
    expect(weekStart(Date.UTC(1970, 0, 1))).toBe(Date.UTC(1969, 11, 29));
  });

  it('months roll back across a year', () => {
    expect(periodBounds(Date.UTC(2025, 0, 15), 'month', 1)).toEqual({ start: Date.UTC(2024, 11, 1), end: Date.UTC(2025, 0, 1) });
    expect(periodBounds(Date.UTC(2024, 1, 29, 12), 'month')).toEqual({ start: Date.UTC(2024, 1, 1), end: Date.UTC(2024, 2, 1) });
  });
});

describe('periodTable', () => {
  it('daily: the running day first, then each earlier UTC day, empty ones included', () => {
    const v = periodTable(TRADES, at(6, 5), 'day', 5);
    expect(v.rows.map((r) => r.start)).toEqual([at(6, 0), at(5, 0), at(4, 0), at(3, 0), at(2, 0)]);
    expect(v.rows.map((r) => r.end - r.start)).toEqual([DAY, DAY, DAY, DAY, DAY]);
    expect(v.rows.map((r) => [r.trades, r.wins, r.losses, r.pnl])).toEqual([
      [2, 0, 2, -52], // t4 (closed Tue 01:00, entered Monday) and t5
      [2, 1, 1, 29], // t2 (closed Mon 00:10, entered Sunday) and t3
      [1, 1, 0, 30],
      [1, 1, 0, 15],
      [0, 0, 0, 0],
    ]);
    expect(v.rows.map((r) => r.winRate)).toEqual([0, 0.5, 1, 1, null]);
    expect(v.rows[0].meanR).toBeCloseTo((-0.5 - 1.05) / 2, 12);
    expect(v.rows[1].meanR).toBeCloseTo((-1.05 + 2) / 2, 12);
    expect(v.rows[2].meanR).toBe(1.5);
    expect(v.rows[3].meanR).toBe(0.75);
    expect(v.rows[4].meanR).toBeNull();
    expect(v.total).toMatchObject({ trades: 6, wins: 3, losses: 3, pnl: 22, winRate: 0.5 });
    expect(v.total.meanR).toBeCloseTo(1.65 / 6, 12);
  });

  it('weekly: Monday-to-Monday, so the Sunday 23:30 exit is last week and the Monday 00:10 one this week', () => {
    const v = periodTable(TRADES, at(6, 5), 'week', 2);
    expect(v.rows.map((r) => [r.start, r.end])).toEqual([[at(5, 0), at(12, 0)], [Date.UTC(2025, 3, 28), at(5, 0)]]);
    expect(v.rows.map((r) => [r.trades, r.pnl, r.winRate])).toEqual([[4, -23, 0.25], [2, 45, 1]]);
    expect(v.rows[0].meanR).toBeCloseTo((-1.05 + 2 - 0.5 - 1.05) / 4, 12);
    expect(v.rows[1].meanR).toBeCloseTo((0.75 + 1.5) / 2, 12);
    expect(v.total.pnl).toBe(22);
  });

  it('monthly: calendar months; the total covers only the rows shown', () => {
    const v = periodTable(TRADES, at(6, 5), 'month', 2);
    expect(v.rows.map((r) => [r.start, r.trades, r.pnl])).toEqual([[Date.UTC(2025, 4, 1), 6, 22], [Date.UTC(2025, 3, 1), 0, 0]]);
    const one = periodTable(TRADES, at(5, 5), 'day', 1);
    expect(one.total).toMatchObject({ trades: 2, pnl: 29 });
  });

  it('clamps n to at least one period', () => {
    expect(periodTable(TRADES, at(6, 5), 'day', 0).rows).toHaveLength(1);
    expect(periodTable(TRADES, at(6, 5), 'day', NaN).rows).toHaveLength(1);
  });
});

describe('performance', () => {
  it('per instrument and per signal, best P&L first', () => {
    const v = performance(TRADES);
    expect(v.bySymbol.map((r) => [r.key, r.trades, r.wins, r.pnl, r.winRate])).toEqual([
      ['BTCUSDT', 3, 3, 95, 1],
      ['SOLUSDT', 1, 0, -10, 0],
      ['ETHUSDT', 2, 0, -63, 0],
    ]);
    expect(v.bySymbol[0].meanR).toBeCloseTo((0.75 + 1.5 + 2) / 3, 12);
    expect(v.bySymbol[2].meanR).toBeCloseTo(-1.05, 12);
    expect(v.bySignal.map((r) => [r.key, r.trades, r.pnl])).toEqual([
      ['donchian_breakout:BTCUSDT:1h:9f2c', 1, 50],
      ['glicko_zscore:BTCUSDT', 2, 45],
      ['rsi_mean_reversion:SOLUSDT:15m:a1b2', 1, -10],
      ['glicko_zscore:ETHUSDT', 2, -63],
    ]);
    expect(v.bySignal[1].meanR).toBeCloseTo(1.125, 12);
    expect(v.total.pnl).toBe(22);
  });
});

describe('equityCurve', () => {
  it('starts at the first entry and steps at each exit', () => {
    expect(equityCurve(TRADES, 10_000)).toEqual([
      { time: at(3, 10), equity: 10_000 },
      { time: at(3, 14), equity: 10_015 },
      { time: at(4, 23, 30), equity: 10_045 },
      { time: at(5, 0, 10), equity: 10_024 },
      { time: at(5, 12), equity: 10_074 },
      { time: at(6, 1), equity: 10_064 },
      { time: at(6, 3), equity: 10_022 },
    ]);
    expect(equityCurve([], 10_000)).toEqual([]);
  });

  it('makes one step of trades closing at the same instant, in exit order whatever the input order', () => {
    const same = [TRADES[3], { ...TRADES[0], exitTime: TRADES[3].exitTime }, TRADES[1]];
    expect(equityCurve(same, 1_000)).toEqual([
      { time: at(3, 10), equity: 1_000 },
      { time: at(4, 23, 30), equity: 1_030 },
      { time: at(5, 12), equity: 1_095 },
    ]);
  });
});

describe('stats', () => {
  const s = stats(TRADES, 10_000);

  it('exits by reason, counts and shares, most frequent first', () => {
    expect(s.exits).toEqual([
      { reason: 'stop', count: 2, share: 2 / 6 },
      { reason: 'target', count: 2, share: 2 / 6 },
      { reason: 'time', count: 1, share: 1 / 6 },
      { reason: 'zscore-reversal', count: 1, share: 1 / 6 },
    ]);
  });

  it('hold times: (4 + 3.5 + 2h10 + 3 + 2 + 1) h / 6 = 2h 36m 40s; winners 3h 30m, losers 1h 43m 20s', () => {
    expect(s.avgHoldMs).toBe(9_400_000);
    expect(s.avgHoldWinMs).toBe((4 * H + 3.5 * H + 3 * H) / 3);
    expect(s.avgHoldWinMs).toBe(12_600_000);
    expect(s.avgHoldLossMs).toBe(6_200_000);
  });

  it('wins, losses, profit factors 95 / 73 and 4.25 / 2.6, mean R 1.65 / 6', () => {
    expect(s.totals).toMatchObject({ trades: 6, wins: 3, losses: 3, pnl: 22, winRate: 0.5 });
    expect(s.profitFactor).toBeCloseTo(95 / 73, 12);
    expect(s.profitFactor).toBeCloseTo(1.30137, 5);
    expect(s.profitFactorR).toBeCloseTo(1.634615, 6);
    expect(s.totals.meanR).toBeCloseTo(0.275, 12);
    expect(s.equity).toBe(10_022);
  });

  it('max drawdown of the realized equity curve: 10,074 (Mon 12:00) → 10,022 (Tue 03:00) = 52, 0.5162% of the peak', () => {
    expect(s.maxDrawdown).toBe(52);
    expect(s.maxDrawdownPeakTime).toBe(at(5, 12));
    expect(s.maxDrawdownTroughTime).toBe(at(6, 3));
    expect(s.maxDrawdownPercent).toBeCloseTo(0.516180266, 8);
  });

  it('Sharpe over the four UTC days Sat–Tue: returns 15/10,000, 30/10,015, 29/10,045, −52/10,074 → 2.7396 annualised by √365', () => {
    expect(s.sharpeDays).toBe(4);
    // mean 0.000555178, sample stdev 0.003871657 (worked out by hand/calculator), × √365.
    expect(s.sharpe).toBeCloseTo(2.739567, 5);
  });

  it('a quiet day in between counts as a 0 return', () => {
    const spread = [TRADES[0], { ...TRADES[1], exitTime: TRADES[0].exitTime + 2 * DAY }];
    const q = stats(spread, 10_000);
    expect(q.sharpeDays).toBe(3);
    const r = [15 / 10_000, 0, 30 / 10_015];
    const m = (r[0] + r[1] + r[2]) / 3;
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
    expect(q.sharpe).toBeCloseTo((m / sd) * Math.sqrt(365), 10);
  });

  it('edge cases: no losses gives an infinite profit factor, no trades gives nulls and zeros', () => {
    const winners = stats(TRADES.filter((t) => t.pnl > 0), 10_000);
    expect(winners.profitFactor).toBe(Infinity);
    expect(winners.maxDrawdown).toBe(0);
    expect(winners.maxDrawdownPeakTime).toBeNull();
    const none = stats([], 10_000);
    expect(none).toMatchObject({
      exits: [], avgHoldMs: null, profitFactor: null, profitFactorR: null, maxDrawdown: 0, maxDrawdownPercent: 0, sharpe: null, sharpeDays: 0, equity: 10_000,
    });
    expect(none.totals).toEqual({ trades: 0, wins: 0, losses: 0, pnl: 0, winRate: null, meanR: null });
  });

  it('changes nothing: the trade list is frozen and still equal afterwards', () => {
    const before = JSON.stringify(TRADES);
    expect(Object.isFrozen(TRADES)).toBe(true);
    stats(TRADES, 10_000);
    performance(TRADES);
    periodTable(TRADES, at(6, 5), 'week', 3);
    equityCurve(TRADES, 10_000);
    expect(JSON.stringify(TRADES)).toBe(before);
  });
});

describe('dailySummary', () => {
  it('at 00:00 UTC reports the day that just ended, not the new day (which would read +0.00)', () => {
    const d = dailySummary(TRADES, at(6, 0));
    expect([d.start, d.end]).toEqual([at(5, 0), at(6, 0)]);
    expect(d.pnl).toBe(29);
    expect(d).toMatchObject({ kind: 'daily-summary', trades: 2, wins: 1, losses: 1, winRate: 0.5, allTimePnl: 74 });
    expect(d.meanR).toBeCloseTo(0.475, 12);
    expect(d.best).toMatchObject({ symbol: 'BTCUSDT', pnl: 50, r: 2, reason: 'target' });
    expect(d.worst).toMatchObject({ symbol: 'ETHUSDT', pnl: -21, r: -1.05, reason: 'stop' });
  });

  it('a push running a few seconds late still reports yesterday; the last ms of a day reports the day before', () => {
    expect(dailySummary(TRADES, at(6, 0) + 7_000).pnl).toBe(29);
    const late = dailySummary(TRADES, at(6, 0) - 1);
    expect([late.start, late.pnl, late.trades]).toEqual([at(4, 0), 30, 1]);
    expect(late.worst).toBeNull();
  });

  it('a day without exits is all zeros', () => {
    const d = dailySummary(TRADES, at(3, 0));
    expect(d).toMatchObject({ trades: 0, pnl: 0, winRate: null, meanR: null, best: null, worst: null, allTimePnl: 0 });
  });
});

describe('weeklySummary', () => {
  it('on Monday 00:00 reports the previous Monday–Sunday, day by day', () => {
    const w = weeklySummary(TRADES, at(12, 0));
    expect([w.start, w.end]).toEqual([at(5, 0), at(12, 0)]);
    expect(w).toMatchObject({ kind: 'weekly-summary', trades: 4, wins: 1, losses: 3, pnl: -23, winRate: 0.25, allTimePnl: 22 });
    expect(w.meanR).toBeCloseTo(-0.15, 12);
    expect(w.days.map((d) => d.start)).toEqual([5, 6, 7, 8, 9, 10, 11].map((dd) => at(dd, 0)));
    expect(w.days.map((d) => d.pnl)).toEqual([29, -52, 0, 0, 0, 0, 0]);
    expect(w.best).toMatchObject({ symbol: 'BTCUSDT', pnl: 50 });
    expect(w.worst).toMatchObject({ symbol: 'ETHUSDT', pnl: -42 });
  });

  it('the week ending at the Sunday→Monday midnight holds the Sunday 23:30 exit and not the Monday 00:10 one', () => {
    const w = weeklySummary(TRADES, at(5, 0));
    expect([w.start, w.end]).toEqual([Date.UTC(2025, 3, 28), at(5, 0)]);
    expect([w.trades, w.pnl, w.allTimePnl]).toEqual([2, 45, 45]);
    expect(w.days.at(-1)!.pnl).toBe(30);
    expect(w.days.at(-2)!.pnl).toBe(15);
  });
});

describe('tradesCsv', () => {
  it('has the backtest header and parses back to the same values', () => {
    const csv = tradesCsv(TRADES);
    expect(csv.split('\n')[0]).toBe(TRADES_CSV_HEADER);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(6);
    rows.forEach((row, i) => {
      const t = TRADES[i];
      expect(row).toEqual({
        signalId: t.signalId, rule: t.rule, symbol: t.symbol, timeframe: t.timeframe,
        entryTime: new Date(t.entryTime).toISOString(), exitTime: new Date(t.exitTime).toISOString(),
        entry: String(t.entryPrice), exit: String(t.exitPrice), qty: String(t.qty), fees: String(t.entryFee + t.exitFee),
        pnl: String(t.pnl), r: String(t.r), exitReason: t.reason,
      });
      expect([Date.parse(row.entryTime), Date.parse(row.exitTime)]).toEqual([t.entryTime, t.exitTime]);
      expect([+row.entry, +row.exit, +row.qty, +row.fees, +row.pnl, +row.r]).toEqual([t.entryPrice, t.exitPrice, t.qty, t.entryFee + t.exitFee, t.pnl, t.r]);
    });
    expect(rows[2]).toMatchObject({ symbol: 'ETHUSDT', exitTime: '2025-05-05T00:10:00.000Z', pnl: '-21', r: '-1.05', fees: '1', exitReason: 'stop' });
    expect(tradesCsv([])).toBe(TRADES_CSV_HEADER + '\n');
  });

  it('quotes a field holding a comma or quote, and it still parses back', () => {
    const odd = { ...TRADES[0], signalId: 'x,"y"' };
    const rows = parse(tradesCsv([odd]), { columns: true }) as Record<string, string>[];
    expect(rows[0].signalId).toBe('x,"y"');
  });
});

describe('aggregate', () => {
  it('a trade at exactly 0 is neither win nor loss but counts in the win rate', () => {
    expect(aggregate([{ ...TRADES[0], pnl: 0, r: 0 }, TRADES[1]])).toEqual({ trades: 2, wins: 1, losses: 0, pnl: 30, winRate: 0.5, meanR: 0.75 });
  });
});
