import { describe, expect, it } from 'vitest';
import { RsiMeanReversion, rsiMeanReversion } from '../../src/signal/rules/rsi-mean-reversion.js';
import { IndicatorBank } from '../../src/indicator/bank.js';
import { realSeries, runRules } from './harness.js';
import { atr, ema, rsi } from './naive.js';

const grid = rsiMeanReversion.grid();

describe('rsi_mean_reversion on real DOGEUSDT candles', () => {
  for (const trendEma of [0, 200]) {
    it(`fires where RSI(14) crosses below 30${trendEma ? ' above EMA200' : ''} (15m, aggregated from 5m)`, async () => {
      const p = grid.find((x) => x.trendEma === trendEma && x.minStopPercent === 0 && x.rewardR === 2)!;
      const series = realSeries('data/binance-2025-5m/DOGEUSDT.csv.gz', 30_000);
      const { setups: [setups], candles } = await runRules([new RsiMeanReversion(p, { signalId: 'r', symbol: 'DOGEUSDT', timeframe: '15m' })], series, ['5m', '15m']);
      const cs = candles.get('15m')!;
      const close = cs.map((c) => c.close);
      const r = rsi(close, 14);
      const e = ema(close, 200);
      const a = atr(cs, 14);
      const fires = cs.map((_, i) => i).filter((i) => i > 0 && r[i - 1] >= 30 && r[i] < 30 && !Number.isNaN(a[i]) && (!trendEma || close[i] > e[i]));
      expect(fires.length).toBeGreaterThan(5);
      expect(setups.map((s) => s.time)).toEqual(fires.map((i) => cs[i].closeTime));
      setups.forEach((s, k) => {
        const i = fires[k];
        expect(s.stop).toBeCloseTo(close[i] - 2 * a[i], 9);
        expect(s.target).toBeCloseTo(close[i] + 2 * (close[i] - s.stop), 9);
        expect(s.reason).toBe(`RSI(14) ${r[i].toFixed(1)} < 30${trendEma ? ' above EMA200' : ''}`);
        expect(s.timeframe).toBe('15m');
      });
    });
  }

  it('the cost floor keeps the stop at least minStopPercent below the close', async () => {
    const p = grid.find((x) => x.trendEma === 0 && x.minStopPercent === 1.5 && x.rewardR === 3)!;
    const series = realSeries('data/binance-2025-5m/BTCUSDT.csv.gz', 20_000);
    const { setups: [setups] } = await runRules([new RsiMeanReversion(p, { signalId: 'r', symbol: 'BTCUSDT', timeframe: '5m' })], series, ['5m']);
    expect(setups.length).toBeGreaterThan(10);
    for (const s of setups) expect((s.entry - s.stop) / s.entry).toBeGreaterThanOrEqual(0.015 - 1e-12);
  });

  it('rules sharing an indicator bank fire exactly as rules with their own', async () => {
    const ps = grid.filter((x) => x.minStopPercent === 0);
    const meta = { signalId: 'r', symbol: 'ETHUSDT', timeframe: '5m' as const };
    const bank = new IndicatorBank();
    const series = realSeries('data/binance-2025-5m/ETHUSDT.csv.gz', 10_000);
    const shared = await runRules(ps.map((p) => new RsiMeanReversion(p, { ...meta, bank })), series, ['5m']);
    const own = await runRules(ps.map((p) => new RsiMeanReversion(p, meta)), series, ['5m']);
    expect(shared.setups).toEqual(own.setups);
    expect(bank.size).toBe(4); // context, rsi:14, ema:200, atr:14
  });
});
