import { describe, expect, it } from 'vitest';
import { DonchianBreakout, donchianBreakout } from '../../src/signal/rules/donchian-breakout.js';
import { realSeries, runRules } from './harness.js';
import { atr, ema, priorMax } from './naive.js';

describe('donchian_breakout on real XRPUSDT candles', () => {
  it('fires on the first close above the previous N-bar high, above EMA200 (1h)', async () => {
    const p = donchianBreakout.grid().find((x) => x.channel === 20 && x.minStopPercent === 0 && x.rewardR === 3)!;
    const series = realSeries('data/binance-2025-5m/XRPUSDT.csv.gz', 48_096);
    const { setups: [setups], candles } = await runRules([new DonchianBreakout(p, { signalId: 'd', symbol: 'XRPUSDT', timeframe: '1h' })], series, ['5m', '1h']);
    const cs = candles.get('1h')!;
    const close = cs.map((c) => c.close);
    const hi = priorMax(cs.map((c) => c.high), 20);
    const e = ema(close, 200);
    const a = atr(cs, 14);
    const fires = cs.map((_, i) => i).filter((i) => close[i] > hi[i] && !(close[i - 1] > hi[i - 1]) && close[i] > e[i] && !Number.isNaN(a[i]));
    expect(fires.length).toBeGreaterThan(10);
    expect(setups.map((s) => s.time)).toEqual(fires.map((i) => cs[i].closeTime));
    setups.forEach((s, k) => {
      expect(s.stop).toBeCloseTo(close[fires[k]] - 2 * a[fires[k]], 8);
      expect(s.reason).toMatch(/broke the 20-bar high .* above EMA200$/);
    });
  });
});
