import { describe, expect, it } from 'vitest';
import { Ring } from '../../src/indicator/ring.js';
import { fibTarget, SellerExhaustion, sellerExhaustion, swingHigh, type SellerExhaustionParams } from '../../src/signal/rules/seller-exhaustion.js';
import type { Candle } from '../../src/core/candle.js';
import { realSeries, runRules } from './harness.js';
import { atr, ema, rollingZ, trueRange } from './naive.js';

const grid = sellerExhaustion.grid();
const quarter = (exit: 'fib' | 'r') => grid.find((p) => p.emaFast === 24 && p.exit === exit && p.minStopPercent === 0 && p.rewardR === 2)!;
const meta = { signalId: 'se', symbol: 'BTCUSDT', timeframe: '5m' as const };

/** The seed's conditions, batch-computed from the formulas: indices of the candles that fire. */
function expectedFires(cs: Candle[], p: SellerExhaustionParams): number[] {
  const close = cs.map((c) => c.close);
  const fast = ema(close, p.emaFast);
  const slow = ema(close, p.emaSlow);
  const vz = rollingZ(cs.map((c) => c.volume), p.zWindow);
  const tz = rollingZ(trueRange(cs), p.zWindow);
  const a = atr(cs, p.atrWindow);
  const out: number[] = [];
  cs.forEach((c, i) => {
    const range = c.high - c.low;
    if (!(fast[i] < slow[i]) || !(vz[i] >= p.volZ) || !(tz[i] >= p.trZ) || !(range > 0)) return;
    if (!((c.close - c.low) / range >= p.clocMin) || Number.isNaN(a[i])) return;
    out.push(i);
  });
  return out;
}

describe('seller_exhaustion on real BTCUSDT 5m candles', () => {
  it('fires exactly where the seed formula says, with stop = low − k·ATR and a reward_r target', async () => {
    const p = quarter('r');
    const series = realSeries('data/binance-2025-5m/BTCUSDT.csv.gz', 20_000);
    const { setups: [setups], candles } = await runRules([new SellerExhaustion(p, meta)], series, ['5m']);
    const cs = candles.get('5m')!;
    const fires = expectedFires(cs, p);
    expect(fires.length).toBeGreaterThan(20);
    expect(setups.map((s) => s.time)).toEqual(fires.map((i) => cs[i].closeTime));
    const a = atr(cs, p.atrWindow);
    setups.forEach((s, k) => {
      const c = cs[fires[k]];
      expect(s.entry).toBe(c.close);
      expect(s.stop).toBeCloseTo(c.low - p.atrStopMult * a[fires[k]], 8);
      expect((s.target - s.entry) / (s.entry - s.stop)).toBeCloseTo(p.rewardR, 9);
      expect(s.maxHoldBars).toBe(p.maxHold);
      expect(s.direction).toBe('long');
      expect(s.reason).toMatch(/^vol z \d+\.\d ≥ 2, TR z \d+\.\d ≥ 1\.2, close loc [01]\.\d\d ≥ 0\.6 in downtrend EMA24 < EMA168; 2R target$/);
      expect(['trending', 'ranging']).toContain(s.context?.regime);
    });
  });

  it('Fibonacci exit: target = low + 0.618 × (swing high − low), only when it pays ≥ reward_r', async () => {
    const p = quarter('fib');
    const series = realSeries('data/binance-2025-5m/ETHUSDT.csv.gz', 20_000);
    const { setups: [setups], candles } = await runRules([new SellerExhaustion(p, { ...meta, symbol: 'ETHUSDT' })], series, ['5m']);
    const cs = candles.get('5m')!;
    const at = new Map(cs.map((c, i) => [c.closeTime, i]));
    expect(setups.length).toBeGreaterThan(3);
    expect(setups.length).toBeLessThan(expectedFires(cs, p).length);
    for (const s of setups) {
      const i = at.get(s.time)!;
      // Highest high 5…24 bars back that none of the 5 bars after it exceeded.
      let h = -Infinity;
      for (let k = p.fibSwingLookahead; k <= p.fibSwingLookback; k++) {
        const j = i - k;
        if (cs.slice(j + 1, j + 1 + p.fibSwingLookahead).every((x) => x.high <= cs[j].high)) h = Math.max(h, cs[j].high);
      }
      expect(s.target).toBeCloseTo(cs[i].low + 0.618 * (h - cs[i].low), 8);
      expect((s.target - s.entry) / (s.entry - s.stop)).toBeGreaterThanOrEqual(p.rewardR);
      expect(s.reason).toContain('fib 0.618 of swing high');
    }
  });

  it('swing high needs confirmation by the later bars, and fibTarget is the retracement formula', () => {
    const r = new Ring(10);
    for (const h of [5, 9, 6, 7, 8, 4, 3, 2, 1, 1]) r.push(h); // 9 is 8 bars ago, confirmed by 6,7,8
    expect(swingHigh(r, 9, 3)).toBe(9);
    const r2 = new Ring(6);
    for (const h of [1, 2, 3, 4, 5, 6]) r2.push(h); // rising: every candidate is exceeded later
    expect(swingHigh(r2, 5, 2)).toBeNaN();
    expect(fibTarget(100, 200, 0.618)).toBeCloseTo(161.8, 10);
  });

  it('refuses bad parameters by name', () => {
    const r = sellerExhaustion.params.safeParse({ ...quarter('r'), emaSlow: 10 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['emaSlow']);
  });
});
