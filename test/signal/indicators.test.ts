import { describe, expect, it } from 'vitest';
import { ATR, RMA } from 'trading-signals';
import { Atr } from '../../src/indicator/atr.js';
import { RollingMax } from '../../src/indicator/rolling-max.js';
import { RollingZScore } from '../../src/indicator/zscore.js';
import { higherTimeframe } from '../../src/signal/context.js';
import { realSeries } from './harness.js';
import { priorMax, rollingZ } from './naive.js';

const series = realSeries('data/binance-2025-5m/DOGEUSDT.csv.gz', 5_000);
const vol = Array.from(series.volume);

describe('indicator wrappers on real candles', () => {
  it('rolling z-score equals the batch formula (running sums stay exact over thousands of updates)', () => {
    const z = new RollingZScore(168);
    const ref = rollingZ(vol, 168);
    vol.forEach((v, i) => {
      const got = z.update(v);
      if (Number.isNaN(ref[i])) expect(got).toBeNaN();
      else expect(got).toBeCloseTo(ref[i], 7);
    });
  });

  it('rolling max gives the window max and the prior (breakout) channel', () => {
    const m = new RollingMax(20);
    const highs = Array.from(series.high);
    const prior = priorMax(highs, 20);
    highs.forEach((h, i) => {
      m.update(h);
      if (i >= 20) expect(m.prior).toBe(prior[i]);
      if (i >= 19) expect(m.value).toBe(Math.max(...highs.slice(i - 19, i + 1)));
    });
  });

  it('ATR copes with reused candle objects (trading-signals keeps a reference to the previous one)', () => {
    const ours = new Atr(14);
    const theirs = new ATR(14, RMA);
    const reused = { high: 0, low: 0, close: 0 };
    for (let i = 0; i < series.length; i++) {
      const got = ours.update(series.high[i], series.low[i], series.close[i]);
      const want = theirs.update({ high: series.high[i], low: series.low[i], close: series.close[i] }, false);
      if (want === null) expect(got).toBeNaN();
      else expect(got).toBe(want);
    }
    // What goes wrong without the copies: the previous close is overwritten by the current one,
    // so gaps between candles vanish from the true range.
    const naive = new ATR(14, RMA);
    const right = new Atr(14);
    for (let i = 0; i < 200; i++) {
      Object.assign(reused, { high: series.high[i], low: series.low[i], close: series.close[i] });
      naive.update(reused, false);
      right.update(series.high[i], series.low[i], series.close[i]);
    }
    expect(naive.getResult()).toBeLessThan(right.value);
  });

  it('`at` updates once per candle time, whoever asks', () => {
    const z = new RollingZScore(3);
    z.at(1, 1);
    z.at(2, 2);
    z.at(2, 100); // a second rule on the same candle
    expect(z.at(3, 3)).toBeCloseTo(1.2247, 4); // window 1, 2, 3
  });

  it('the higher timeframe is the shortest one at least 3× longer', () => {
    expect(['1m', '2m', '5m', '15m', '30m', '1h'].map((t) => higherTimeframe(t as '1m'))).toEqual(['5m', '15m', '15m', '1h', '4h', '4h']);
  });
});
