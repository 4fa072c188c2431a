import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { crossCoinSetup } from '../../src/kernel/cross-coin-setup.js';
import { packRatings, unpackRatings } from '../../src/store/ratings-codec.js';
import { PackedRatingsSchema, RatingsSnapshotSchema, type RatingsSnapshot } from '../../src/store/schema.js';

describe('packed ratings snapshot', () => {
  // Real ratings: 14 coins rated over two days of the bundled 5m candles (a coin's first interval
  // leaves prevClose NaN until it has traded, so the nulls are exercised by the first step).
  const series = loadCandleDir('data/binance-2025-5m', { to: Date.UTC(2025, 0, 3) });
  const config = loadConfig({});
  const symbols = series.map((s) => s.symbol);
  const { ratings, zRule } = crossCoinSetup(config, symbols, {});
  const snap = (): RatingsSnapshot => ({ key: 'k', ...ratings.snapshot(), prevMaZ: zRule.previous });

  it('round-trips bit for bit, nulls included, and is smaller than the same numbers as JSON', () => {
    ratings.record(0, series[0].close[0], series[0].volume[0]);
    ratings.step(series[0].openTime[0] + 300_000);
    const first = snap();
    expect(first.prevClose.filter((x) => x === null).length).toBe(symbols.length - 1);
    expect(unpackRatings(packRatings(first))).toEqual(first);

    for (let k = 1; k < series[0].length; k++) {
      series.forEach((s, i) => ratings.record(i, s.close[k], s.volume[k]));
      ratings.step(series[0].openTime[k] + 300_000);
    }
    const s = snap();
    const p = packRatings(s);
    expect(PackedRatingsSchema.parse(p)).toEqual(p);
    const back = unpackRatings(JSON.parse(JSON.stringify(p)))!;
    const bits = (x: RatingsSnapshot) => [x.rating, x.rd, x.volatility, x.z, x.prevMaZ, ...x.returns, ...x.maZ].flat().map((v) => Buffer.from(new Float64Array([v]).buffer).toString('hex'));
    expect(bits(back)).toEqual(bits(s));
    expect(back).toEqual(RatingsSnapshotSchema.parse(s));
    expect(JSON.stringify(p).length).toBeLessThan(0.75 * JSON.stringify(s).length);
  });

  it('refuses data whose size does not match its row lengths', () => {
    const p = packRatings(snap());
    expect(unpackRatings({ ...p, data: p.data.slice(0, -12) })).toBeNull();
    expect(unpackRatings({ ...p, maZRows: p.maZRows.slice(1) })).toBeNull();
  });
});
