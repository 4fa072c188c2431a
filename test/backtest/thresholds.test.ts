import { describe, expect, it } from 'vitest';
import { breakEvenWinRate, judge, meanCostR } from '../../src/backtest/thresholds.js';
import { confidence, normalCdf } from '../../src/backtest/confidence.js';
import type { TradeRecord } from '../../src/backtest/stats.js';
import { loadConfig } from '../../src/config/load.js';

const stats = (o: Partial<{ trades: number; winRate: number; profitFactor: number }>) =>
  ({ trades: 50, winRate: 0.45, profitFactor: 1.5, avgR: 0.3, maxDrawdownPercent: 5, sharpe: 1.5, ...o });
const th = { minWinRate: 0.38, minProfitFactor: 1.2, minTrades: 50, requiredRR: 2 };

describe('break-even win rate', () => {
  it('is 1 / (1 + RR) without costs', () => {
    expect(breakEvenWinRate(2)).toBeCloseTo(1 / 3, 12);
    expect(breakEvenWinRate(3)).toBeCloseTo(0.25, 12);
    expect(breakEvenWinRate(1)).toBe(0.5);
  });

  it('rises with the cost per trade in R: (1 + c) / (1 + RR)', () => {
    expect(breakEvenWinRate(2, 0.2)).toBeCloseTo(0.4, 12);
    // 2 × 10 bps fee + 2 × 5 bps slippage = 0.3 % of price; with a 1.5 % stop that is 0.2 R.
    const t: TradeRecord = { entryTime: 0, exitTime: 1, entryPrice: 100, exitPrice: 100, stop: 98.5, reason: 'time', pnl: 0, r: 0 };
    expect(meanCostR([t], 10, 5)).toBeCloseTo(0.2, 12);
  });
});

describe('judging out-of-sample stats against live thresholds', () => {
  it('passes only when every threshold is cleared', () => {
    expect(judge(stats({}), 2, 0, th)).toMatchObject({ pass: true, failures: [] });
  });

  it('says what failed', () => {
    expect(judge(stats({ trades: 49 }), 2, 0, th).failures).toEqual(['49 trades < 50']);
    expect(judge(stats({ profitFactor: 1.19 }), 2, 0, th).failures).toEqual(['PF 1.19 < 1.2']);
    expect(judge(stats({}), 1.5, 0, th).failures).toEqual(['R:R 1.5 < required 2']);
    expect(judge(stats({ winRate: 0.37 }), 2, 0, th).failures).toEqual(['WR 37.0% < 38.0%']);
  });

  it('a win rate above the table minimum still fails when it does not beat break-even after costs', () => {
    // 2:1 with 0.25 R of costs per trade needs 41.7 %: 40 % clears the 38 % minimum but not that.
    const j = judge(stats({ winRate: 0.4 }), 2, 0.25, th);
    expect(j.pass).toBe(false);
    expect(j.breakEven).toBeCloseTo(1.25 / 3, 12);
    expect(j.failures).toEqual(['WR 40.0% ≤ break-even 41.7%']);
  });

  it('the configured thresholds are seed 003’s, with break-even below every minimum win rate', () => {
    const t = loadConfig().validation.thresholds;
    expect(t['2m']).toEqual({ minWinRate: 0.38, minProfitFactor: 1.2, minTrades: 50, requiredRR: 2 });
    expect([t['1m'].requiredRR, t['5m'].requiredRR, t['15m'].requiredRR, t['30m'].requiredRR, t['1h'].requiredRR]).toEqual([2, 2, 2.5, 3, 3]);
    for (const x of Object.values(t)) {
      expect(x.minWinRate).toBeGreaterThan(breakEvenWinRate(x.requiredRR));
      expect(x.minProfitFactor).toBe(1.2);
      expect(x.minTrades).toBeGreaterThanOrEqual(30);
    }
  });
});

describe('confidence', () => {
  it('Φ is the standard normal CDF', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 4);
    expect(normalCdf(-1)).toBeCloseTo(0.1587, 4);
  });

  it('is evidence (Φ of the OOS SQN) times stability (OOS avgR / IS avgR, capped at 1)', () => {
    const rs = [2, -1, 2, -1, 2, -1, 2, -1, 2, 2];
    const oos = rs.map((r, i): TradeRecord => ({ entryTime: i, exitTime: i + 1, entryPrice: 1, exitPrice: 1, stop: 0.9, reason: 'time', pnl: r, r }));
    const mean = 0.8;
    const sd = Math.sqrt(rs.reduce((a, r) => a + (r - mean) ** 2, 0) / 9);
    const evidence = normalCdf((Math.sqrt(10) * mean) / sd);
    expect(confidence(oos, 0.4, mean)).toBeCloseTo(evidence, 3);
    expect(confidence(oos, 1.6, mean)).toBeCloseTo(evidence * 0.5, 3);
    expect(confidence(oos, 0, mean)).toBe(0);
  });
});
