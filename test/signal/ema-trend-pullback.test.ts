import { describe, expect, it } from 'vitest';
import { EmaTrendPullback, emaTrendPullback } from '../../src/signal/rules/ema-trend-pullback.js';
import { realSeries, runRules } from './harness.js';
import { atr, ema } from './naive.js';

describe('ema_trend_pullback on real SOLUSDT candles', () => {
  it('fires on the first touch-and-reclaim of the fast EMA in an uptrend (30m)', async () => {
    const p = emaTrendPullback.grid().find((x) => x.fastEma === 20 && x.minStopPercent === 0 && x.rewardR === 2.5)!;
    const series = realSeries('data/binance-2025-5m/SOLUSDT.csv.gz', 48_000);
    const { setups: [setups], candles } = await runRules([new EmaTrendPullback(p, { signalId: 'e', symbol: 'SOLUSDT', timeframe: '30m' })], series, ['5m', '30m']);
    const cs = candles.get('30m')!;
    const close = cs.map((c) => c.close);
    const fast = ema(close, 20);
    const slow = ema(close, 100);
    const a = atr(cs, 14);
    // "Was above" compares with the fast EMA even while it warms up (seeded with the first close), as the rule does.
    const raw = (() => {
      const k = 2 / 21;
      let e = NaN;
      return close.map((x, i) => (e = i === 0 ? x : x * k + e * (1 - k)));
    })();
    const fires = cs.map((_, i) => i).filter((i) => i > 0 && close[i - 1] > raw[i - 1] && cs[i].low <= fast[i] && close[i] > fast[i] &&
      close[i] > cs[i].open && fast[i] > slow[i] && !Number.isNaN(a[i]) && cs[i].low - a[i] < close[i]);
    expect(fires.length).toBeGreaterThan(10);
    expect(setups.map((s) => s.time)).toEqual(fires.map((i) => cs[i].closeTime));
    setups.forEach((s, k) => {
      const i = fires[k];
      expect(s.stop).toBeCloseTo(cs[i].low - a[i], 8);
      expect((s.target - s.entry) / (s.entry - s.stop)).toBeCloseTo(2.5, 9);
      expect(s.reason).toContain('pullback to EMA20');
    });
    // Higher-timeframe context (30m → 4h EMA50) is known once 50 four-hour closes have passed.
    expect(setups.filter((s) => s.context?.htfAligned !== undefined).length).toBeGreaterThan(0);
  });
});
