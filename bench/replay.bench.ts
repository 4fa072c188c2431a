/**
 * The whole engine over the bundled 14 × 48,096 5m candles (pipeline, aggregation, ratings,
 * z-score rule, broker, cards; no chat) against the floor: a bare loop updating EMA + RSI + ATR
 * from trading-signals over the same parsed candles. Alternated 5 times in one process; the
 * ratio of medians is robust to load on a shared machine.
 * Goals: engine ≤ 2× the floor (was 6.1×); ≥ 2,000,000 candles/s (was 0.71M/s).
 */
import { Writable } from 'node:stream';
import { ATR, EMA, RMA, RSI } from 'trading-signals';
import { prepareReplay } from '../src/app/replay.js';
import { loadCandleDir } from '../src/feed/csv.js';
import { median, report, round } from './common.js';

const DATA = 'data/binance-2025-5m';
const series = loadCandleDir(DATA);
const candles = series.reduce((n, s) => n + s.length, 0);

/**
 * The floor: every candle of every series through EMA(50), RSI(14) and ATR(14) — with RMA
 * smoothing as the engine's wrappers (src/indicator) use them, or with trading-signals' default
 * (WSMA) smoothing.
 */
function floor(smoothing: 'rma' | 'default'): number {
  let acc = 0;
  const hlc = { high: 0, low: 0, close: 0 };
  for (const s of series) {
    const ema = new EMA(50);
    const rsi = smoothing === 'rma' ? new RSI(14, RMA) : new RSI(14);
    const atr = smoothing === 'rma' ? new ATR(14, RMA) : new ATR(14);
    for (let i = 0; i < s.length; i++) {
      hlc.high = s.high[i];
      hlc.low = s.low[i];
      hlc.close = s.close[i];
      acc += ema.update(s.close[i], false) + (rsi.update(s.close[i], false) ?? 0) + (atr.update(hlc, false) ?? 0);
    }
  }
  return acc;
}

async function engine(): Promise<{ ms: number; cards: number; trades: number }> {
  const session = await prepareReplay({
    data: DATA,
    input: null,
    output: new Writable({ write: (_c, _e, cb) => cb() }),
    statePath: '/tmp/edgebot-bench-replay-state.json',
  });
  const s = await session.run();
  return { ms: s.elapsedMs, cards: s.cards, trades: s.trades };
}

const floorMs: number[] = [];
const floorDefaultMs: number[] = [];
const engineMs: number[] = [];
let last = { ms: 0, cards: 0, trades: 0 };
for (let i = 0; i < 5; i++) {
  let t0 = performance.now();
  floor('rma');
  floorMs.push(performance.now() - t0);
  t0 = performance.now();
  floor('default');
  floorDefaultMs.push(performance.now() - t0);
  last = await engine();
  engineMs.push(last.ms);
}
const ratio = median(engineMs) / median(floorMs);
const cps = candles / (median(engineMs) / 1000);
report('replay-vs-floor', { candles, engineMs: round(median(engineMs), 0), floorMs: round(median(floorMs), 0), ratio: round(ratio), baseline: 6.1,
  floorDefaultSmoothingMs: round(median(floorDefaultMs), 0), ratioVsDefaultSmoothingFloor: round(median(engineMs) / median(floorDefaultMs)), cards: last.cards, trades: last.trades }, 'engine ≤ 2× the trading-signals floor', ratio <= 2);
report('replay-throughput', { candles, candlesPerSecond: Math.round(cps), baseline: 710_000 }, '≥ 2,000,000 candles/s', cps >= 2_000_000);
