import type { Candle } from '../../src/core/candle.js';
import { copyCandle } from '../../src/core/candle.js';
import type { Timeframe } from '../../src/core/timeframe.js';
import { readCandleFile, type CandleSeries } from '../../src/feed/csv.js';
import { CandlePipeline } from '../../src/feed/pipeline.js';
import { ReplayFeed } from '../../src/feed/replay.js';
import type { CandleRule } from '../../src/signal/rule.js';
import type { Setup } from '../../src/signal/types.js';

/** The first `n` candles of a bundled file. */
export function realSeries(path: string, n: number): CandleSeries {
  const s = readCandleFile(path);
  const sub = (x: Float64Array) => x.subarray(0, n);
  return { ...s, length: n, openTime: sub(s.openTime), open: sub(s.open), high: sub(s.high), low: sub(s.low), close: sub(s.close), volume: sub(s.volume) };
}

/** Runs rules over a series through the real pipeline; returns their setups and copies of every candle per timeframe. */
export async function runRules(rules: CandleRule[], series: CandleSeries, tfs: Timeframe[]): Promise<{ setups: Setup[][]; candles: Map<Timeframe, Candle[]> }> {
  const setups: Setup[][] = rules.map(() => []);
  const candles = new Map<Timeframe, Candle[]>();
  const out: Setup[] = [];
  const pipeline = new CandlePipeline(series.timeframe, tfs, {
    onCandle(symbol, tf, c) {
      (candles.get(tf) ?? candles.set(tf, []).get(tf)!).push(copyCandle(c));
      rules.forEach((r, i) => {
        r.onCandle(symbol, tf, c, out);
        setups[i].push(...out);
        out.length = 0;
      });
    },
  });
  await new ReplayFeed([series], pipeline).run();
  return { setups, candles };
}
