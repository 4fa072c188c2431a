import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { LiveParams } from '../../src/config/schema.js';
import { readCandleFile } from '../../src/feed/csv.js';
import { Atr } from '../../src/indicator/atr.js';
import { Ema } from '../../src/indicator/ema.js';
import { Rsi } from '../../src/indicator/rsi.js';
import { contextBars, emaBars, warmupPlan, wilderBars, type WarmupInput } from '../../src/signal/lookback.js';
import { DonchianBreakout } from '../../src/signal/rules/donchian-breakout.js';
import { EmaTrendPullback } from '../../src/signal/rules/ema-trend-pullback.js';
import { RsiMeanReversion } from '../../src/signal/rules/rsi-mean-reversion.js';
import { SellerExhaustion, sellerExhaustion } from '../../src/signal/rules/seller-exhaustion.js';
import { ValidatedRegistry } from '../../src/signal/validated.js';
import { asSignal, candidate } from '../helpers/signals.js';

const rating = parseConfig({}).rating;
const set = (movingAverages: number) => ({ zScoreThreshold: 2, movingAverages, profitPercent: 2, stopLossPercent: 1, allocationPercent: 10, enabled: true });
const pullback = (timeframe: '1h' | '5m', slowEma = 100) =>
  new EmaTrendPullback({ fastEma: 20, slowEma, atrPeriod: 14, atrStopMult: 1, minStopPercent: 0, rewardR: 2, maxHoldBars: 0 }, { signalId: `p:${timeframe}`, symbol: 'BTCUSDT', timeframe });
const plan = (o: Partial<WarmupInput>) => warmupPlan({ baseTimeframe: '1m', rules: [], rating, liveParams: {}, ...o });

describe('lookback of smoothers', () => {
  it('EMA and Wilder bar counts follow the 1e-9 convergence rule', () => {
    // (1 − 2/101)^1037 ≤ 1e-9 < (1 − 2/101)^1036, plus the seed bar.
    expect(emaBars(100)).toBe(1038);
    expect(Math.pow(1 - 2 / 101, 1037)).toBeLessThanOrEqual(1e-9);
    expect(Math.pow(1 - 2 / 101, 1036)).toBeGreaterThan(1e-9);
    expect(emaBars(50)).toBe(520);
    // Wilder α = 1/14: 15 seed bars + 280.
    expect(wilderBars(14)).toBe(295);
    // Card context: EMA(50) of the higher timeframe, counted in the rule's bars (1h → 4h, 5m → 15m; 4h is its own).
    expect(contextBars('1h')).toBe(4 * 520);
    expect(contextBars('5m')).toBe(3 * 520);
    expect(contextBars('4h')).toBe(520);
  });

  it('an EMA(100), RSI(14) and ATR(14) started that many bars back equal a full-history run to 1e-9 (real BTCUSDT 1h)', () => {
    const s = readCandleFile('data/binance-2025-1h/BTCUSDT.csv.gz');
    const n = s.length;
    const run = (from: number) => {
      const e = new Ema(100);
      const r = new Rsi(14);
      const a = new Atr(14);
      for (let i = from; i < n; i++) {
        e.update(s.close[i]);
        r.update(s.close[i]);
        a.update(s.high[i], s.low[i], s.close[i]);
      }
      return { ema: e.value, rsi: r.value, atr: a.value };
    };
    const full = run(0);
    const warm = { ema: run(n - emaBars(100)).ema, rsi: run(n - wilderBars(14)).rsi, atr: run(n - wilderBars(14)).atr };
    expect(Math.abs(warm.ema / full.ema - 1)).toBeLessThan(1e-9);
    expect(Math.abs(warm.rsi - full.rsi)).toBeLessThan(1e-7); // RSI is 0..100: 1e-9 of its scale
    expect(Math.abs(warm.atr / full.atr - 1)).toBeLessThan(1e-9);
    // The old fixed warm-up (1,500 × 1m = 25 hourly bars) is nowhere near.
    expect(Math.abs(run(n - 25).ema / full.ema - 1)).toBeGreaterThan(1e-4);
  });
});

describe('warmupPlan', () => {
  it('ratings only: σ_ret window + longest MA-z, in base bars, plus one rating bar', () => {
    // (20 returns + 1 close + MA-z 50) × 5m = 355 × 1m, + 5 for the partial first 5m candle.
    const p = plan({});
    expect(p).toEqual({ bars: 360, derivedBars: 360, longest: { timeframe: '5m', bars: 71, source: 'ratings' } });
    // The longest parameter set's MA-z wins over the default; disabled sets count (they can be re-enabled by a restart only).
    const params: LiveParams = { BTCUSDT: set(12), ETHUSDT: { ...set(200), enabled: false } };
    expect(plan({ liveParams: params }).bars).toBe((21 + 200) * 5 + 5);
    // 5m base: rating bars are base bars.
    expect(plan({ baseTimeframe: '5m' }).bars).toBe(71 + 1);
  });

  it('a 1h EMA(100) rule: its card context (4h EMA50) is the longest lookback', () => {
    const r = pullback('1h');
    expect(r.lookback()).toEqual({ timeframe: '1h', bars: 2080, source: 'p:1h' });
    expect(plan({ rules: [r] })).toEqual({ bars: 2080 * 60 + 60, derivedBars: 2080 * 60 + 60, longest: r.lookback() });
    expect(plan({ rules: [r], baseTimeframe: '5m' }).bars).toBe(2080 * 12 + 12);
  });

  it('a rule whose own indicators outrun the context sets the length (EMA(400) on 1h)', () => {
    const r = pullback('1h', 400);
    expect(r.lookback().bars).toBe(emaBars(400));
    expect(plan({ rules: [pullback('5m'), r] }).bars).toBe(emaBars(400) * 60 + 60);
  });

  it('every catalogue rule reports its indicators or its context', () => {
    const meta = { signalId: 'x', symbol: 'BTCUSDT', timeframe: '15m' as const };
    const donchian = new DonchianBreakout({ channel: 20, trendEma: 600, atrStopMult: 2, atrPeriod: 14, minStopPercent: 0, rewardR: 2, maxHoldBars: 0 }, meta);
    expect(donchian.lookback().bars).toBe(emaBars(600));
    const rsi = new RsiMeanReversion({ rsiPeriod: 120, oversold: 30, trendEma: 0, atrStopMult: 1, atrPeriod: 14, minStopPercent: 0, rewardR: 2, maxHoldBars: 0 }, meta);
    expect(rsi.lookback().bars).toBe(wilderBars(120) + 1);
    const sp = sellerExhaustion.grid()[0];
    const seller = new SellerExhaustion(sp, meta);
    expect(seller.lookback().bars).toBe(Math.max(emaBars(sp.emaSlow), contextBars('15m')));
    const short = new SellerExhaustion({ ...sp, emaFast: 5, emaSlow: 10, atrWindow: 5, zWindow: 20, fibSwingLookback: 30 }, meta);
    expect(short.lookback().bars).toBe(contextBars('15m'));
  });

  it('validated signals (one registry rule) report every signal they run', () => {
    const a = candidate('ema_trend_pullback', 0, 'BTCUSDT', '5m'); // EMA 20/100, ATR 14
    const b = candidate('ema_trend_pullback', 6, 'ETHUSDT', '1h'); // EMA 50/200
    const reg = new ValidatedRegistry([asSignal(a), asSignal(b)]);
    expect(reg.lookback()).toEqual([
      { timeframe: '5m', bars: contextBars('5m'), source: a.id },
      { timeframe: '1h', bars: Math.max(emaBars(200), contextBars('1h')), source: b.id },
    ]);
    expect(plan({ rules: [reg] })).toMatchObject({ bars: 2080 * 60 + 60, longest: { timeframe: '1h', source: b.id } });
  });

  it('config feed.warmupBars is a floor, not a cap', () => {
    expect(plan({ floorBars: 5000 })).toMatchObject({ bars: 5000, derivedBars: 360 });
    expect(plan({ floorBars: 100 }).bars).toBe(360);
  });

  it('refuses a rule on a timeframe shorter than the base', () => {
    expect(() => plan({ baseTimeframe: '5m', rules: [{ onCandle() {}, lookback: () => ({ timeframe: '1m', bars: 10, source: 'fast' }) }] }))
      .toThrow('fast runs on 1m, shorter than the base timeframe 5m');
  });
});
