/**
 * Chart images (issue #10): the time to render one card chart (echarts SSR → SVG → resvg PNG,
 * 100 real 5m candles, 960 × 540) as the Telegram chat does at delivery, and what keeping the
 * candles for charts costs the replay path (CandleHistory.onCandle per candle, ns) next to the
 * whole replay's time per candle (bench replay: about 700 ns). Goal: a render ≤ 200 ms.
 */
import { CandleHistory } from '../src/feed/candle-history.js';
import { loadCandleDir } from '../src/feed/csv.js';
import { cardChartInput, renderCardChartAsync } from '../src/notifier/charts/card-chart.js';
import type { Card } from '../src/kernel/card.js';
import { median, report, round } from './common.js';

const M5 = 300_000;
const series = loadCandleDir('data/binance-2025-5m', { from: Date.parse('2025-05-01T00:00Z'), to: Date.parse('2025-06-01T00:00Z') });
const candles = series.flatMap((s) => Array.from({ length: s.length }, (_, i) => ({
  symbol: s.symbol,
  c: { openTime: s.openTime[i], closeTime: s.openTime[i] + M5, open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] },
})));
let history = new CandleHistory();
const fed = candles.length;
const passes: number[] = [];
// Fresh histories, 5 passes: the median pass is past JIT warm-up.
for (let k = 0; k < 5; k++) {
  history = new CandleHistory();
  const t0 = performance.now();
  for (const { symbol, c } of candles) history.onCandle(symbol, '5m', c);
  passes.push(performance.now() - t0);
}
const nsPerCandle = (median(passes) * 1e6) / fed;

const last = history.last('BTCUSDT', '5m', 1)[0];
const card = {
  id: 'bench', createdAt: last.closeTime, symbol: 'BTCUSDT', timeframe: '5m', name: 'Glicko-2 z-score', direction: 'long',
  entry: last.close, stop: last.close * 0.99, target: last.close * 1.02,
} as Card;
const input = cardChartInput(card, history)!;
await renderCardChartAsync(input); // warm-up: module init, font load
const ms: number[] = [];
for (let i = 0; i < 15; i++) {
  const t = performance.now();
  await renderCardChartAsync(input);
  ms.push(performance.now() - t);
}
ms.sort((a, b) => a - b);
const p50 = median(ms);
report('charts', { cardChartMsP50: round(p50, 1), cardChartMsMax: round(ms.at(-1)!, 1), historyNsPerCandle: round(nsPerCandle, 1), candles: fed }, 'card chart ≤ 200 ms', p50 <= 200);
