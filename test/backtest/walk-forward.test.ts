import { describe, expect, it } from 'vitest';
import { closedBy, openedIn, planWalkForward } from '../../src/backtest/walk-forward.js';
import type { TradeRecord } from '../../src/backtest/stats.js';

const H = 3_600_000;
const D = 24 * H;
const t0 = Date.parse('2025-01-01T00:00:00Z');
const trade = (entryTime: number, exitTime: number): TradeRecord => ({ signalId: 's', symbol: 'BTCUSDT', qty: 1, fees: 0, entryTime, exitTime, entryPrice: 1, exitPrice: 1, reason: 'time', stop: 0.9, pnl: 0, r: 0 });

describe('walk-forward plan', () => {
  it('cuts the part after the in-sample share into equal folds on hour boundaries', () => {
    const p = planWalkForward(t0, t0 + 100 * D, 0.5, 3);
    expect(p.splits).toHaveLength(4);
    expect(p.splits[0]).toBe(t0 + 50 * D);
    expect(p.splits[3]).toBe(t0 + 100 * D);
    for (const s of p.splits) expect(s % H).toBe(0);
    expect(p.splits[1] - p.splits[0]).toBeCloseTo((50 * D) / 3, -7);
  });

  it('a single fold is the classic 70/30 split', () => {
    expect(planWalkForward(t0, t0 + 10 * D, 0.7, 1).splits).toEqual([t0 + 7 * D, t0 + 10 * D]);
  });

  it('refuses impossible plans', () => {
    expect(() => planWalkForward(t0, t0 + D, 1, 3)).toThrow(RangeError);
    expect(() => planWalkForward(t0, t0 + D, 0.5, 0)).toThrow(RangeError);
    expect(() => planWalkForward(t0, t0 + 2 * H, 0.5, 3)).toThrow(/too short for 3 folds/);
  });

  it('a choice at the split sees only trades closed by then; a fold tests trades opened inside it', () => {
    const split = t0 + 10 * D;
    const trades = [trade(t0, split - H), trade(split - H, split), trade(split - H, split + H), trade(split, split + H), trade(split + D, split + 2 * D)];
    expect(closedBy(trades, split)).toEqual(trades.slice(0, 2));
    // The trade open across the split is in neither: the choice could not see how it ended.
    expect(openedIn(trades, split, split + D)).toEqual([trades[3]]);
    expect(openedIn(trades, split, split + 3 * D)).toEqual(trades.slice(3));
  });
});
