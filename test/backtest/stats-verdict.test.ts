import { describe, expect, it } from 'vitest';
import { sampleStats, sqn, type TradeRecord } from '../../src/backtest/stats.js';
import { choose, judgeGroup } from '../../src/backtest/verdict.js';
import { planWalkForward } from '../../src/backtest/walk-forward.js';
import { loadConfig } from '../../src/config/load.js';
import { candidate } from '../helpers/signals.js';

const D = 86_400_000;
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const t0 = Date.parse('2025-01-01T00:00:00Z');
/** One trade a day from day `from`, R multiples cycling through `rs`; pnl = 100 × R. */
function trades(from: number, days: number, rs: number[]): TradeRecord[] {
  return Array.from({ length: days }, (_, i) => {
    const r = rs[i % rs.length];
    const t = t0 + (from + i) * D;
    return { entryTime: t, exitTime: t + D / 2, entryPrice: 100, exitPrice: 100 + r, stop: 99, reason: r > 0 ? 'target' : 'stop', pnl: 100 * r, r };
  });
}

describe('sample statistics', () => {
  it('win rate (fraction), profit factor, avg R, drawdown (percent) and Sharpe', () => {
    const s = sampleStats(trades(0, 10, [2, -1]), 10_000, t0, t0 + 10 * D);
    expect(s).toMatchObject({ trades: 10, winRate: 0.5, profitFactor: 2, avgR: 0.5 });
    expect(s.maxDrawdownPercent).toBeCloseTo((100 / 10_200) * 100, 3);
    expect(s.sharpe).toBeGreaterThan(0);
    expect(sampleStats([], 10_000, t0, t0 + D)).toMatchObject({ trades: 0, winRate: 0, profitFactor: 0, sharpe: 0 });
    expect(sampleStats(trades(0, 3, [1]), 10_000, t0, t0 + 3 * D).profitFactor).toBe(99);
  });

  it('SQN is √n · mean / sd', () => {
    expect(sqn(trades(0, 4, [2, -1]))).toBeCloseTo((2 * 0.5) / Math.sqrt(3 / 1), 10);
  });
});

describe('walk-forward choice and verdict', () => {
  const config = loadConfig();
  const th = { minWinRate: 0.38, minProfitFactor: 1.2, minTrades: 20, requiredRR: 2 };
  const plan = planWalkForward(t0, t0 + 120 * D, 0.5, 3);
  const a = candidate('rsi_mean_reversion', 0, 'BTCUSDT', '5m');
  const b = candidate('rsi_mean_reversion', 3, 'BTCUSDT', '5m'); // also 2:1
  // a: good in-sample, poor later; b: poor in-sample, great later. The choice must not peek.
  const runA = { candidate: a, trades: [...trades(0, 60, [2, -1, 2, -1, -1]), ...trades(60, 60, [2, -1, -1, -1])] };
  const runB = { candidate: b, trades: [...trades(0, 60, [-1, -1, 2, -1, -1]), ...trades(60, 60, [2, 2, -1])] };

  it('chooses on in-sample trades only', () => {
    expect(choose([runA, runB], plan.splits[0], 20)?.run.candidate.id).toBe(a.id);
  });

  it('re-chooses each fold on everything before it and judges the stitched fold trades', () => {
    const v = judgeGroup([runA, runB], plan, th, config, 'x');
    // By the last fold b's record (days 0 … 86) beats a's.
    expect(v.folds.map((f) => f.chosen?.id)).toEqual([a.id, a.id, b.id]);
    expect(v.folds.map((f) => f.trades)).toEqual([20, 20, 20]);
    expect(v.chosen?.id).toBe(b.id);
    expect(v.outOfSample).toMatchObject({ trades: 60, winRate: round(23 / 60), profitFactor: round(46 / 37, 3) });
    // 38.3 % clears the 38 % table minimum and PF 1.24 clears 1.2, but 0.3 R of costs per trade
    // put break-even for 2:1 at 43.3 %.
    expect(v.pass).toBe(false);
    expect(v.why).toBe('out-of-sample: WR 38.3% ≤ break-even 43.3%');
  });

  it('explains a rejection', () => {
    const v = judgeGroup([runA], plan, th, config, 'x');
    expect(v.outOfSample!.winRate).toBe(0.25);
    expect(v.pass).toBe(false);
    expect(v.why).toBe('out-of-sample: WR 25.0% < 38.0%; WR 25.0% ≤ break-even 43.3%; PF 0.67 < 1.2');
  });

  it('rejects when no set has enough in-sample trades', () => {
    const v = judgeGroup([{ candidate: a, trades: trades(0, 5, [2]) }], plan, th, config, 'x');
    expect(v).toMatchObject({ pass: false, chosen: null, why: 'in-sample: no parameter set with ≥ 20 trades and avgR > 0 (most trades 5)' });
  });
});
