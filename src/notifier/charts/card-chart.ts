import type { EChartsOption, MarkPointComponentOption } from 'echarts';
import type { Candle } from '../../core/candle.js';
import type { Card } from '../../kernel/card.js';
import type { ChartCandles } from '../../feed/candle-history.js';
import type { Direction } from '../../signal/types.js';
import { price } from '../format.js';
import { CHART_FONT_FAMILY, renderChartPng, renderChartPngAsync, type ChartSpec } from './png.js';

/** How many candles a card chart shows (SPEC §6: the last ~100 of the card's timeframe). */
export const CARD_CHART_CANDLES = 100;

/** Candle and line colours. Set explicitly: echarts' defaults are red for up and green for down. */
export const CHART_COLORS = {
  up: '#16a34a',
  down: '#dc2626',
  entry: '#2563eb',
  stop: '#dc2626',
  target: '#16a34a',
  signal: '#7c3aed',
} as const;

/** What a card chart shows. Prices in quote currency, times ms UTC. */
export interface CardChartInput {
  /** Closed candles of the card's timeframe, oldest first; only the last {@link CARD_CHART_CANDLES} are drawn. */
  candles: readonly Candle[];
  entry: number;
  stop: number;
  target: number;
  /**
   * The signal candle's close time (the card's `createdAt`); the candle closing exactly then is
   * marked. None is marked when it is not among the candles — better no arrow than one on the
   * wrong candle (so feed the history before the engine: see {@link cardChartInput}).
   */
  signalTime: number;
  direction: Direction;
  /** Heading, e.g. `BTCUSDT · 5m · Glicko-2 z-score`. */
  title: string;
  /** Pixels; default 960 × 540. */
  width?: number;
  height?: number;
}

/** A built card chart: the echarts option, and the y-range it plots (quote currency) so callers can check it. */
export interface CardChartSpec extends ChartSpec {
  yMin: number;
  yMax: number;
  /** Index of the marked signal candle among the drawn ones, or -1 when no drawn candle closes at `signalTime`. */
  signalIndex: number;
  /** How many candles are drawn. */
  candleCount: number;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `HH:MM` for intraday candles; `MM-DD HH:MM` when the drawn span crosses days, so the axis stays readable. UTC. */
function timeLabel(t: number, withDate: boolean): string {
  const d = new Date(t);
  const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  return withDate ? `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${hm}` : hm;
}

/** Percent move from entry, signed: `+1.50%`. */
function fromEntry(x: number, entry: number): string {
  const p = ((x - entry) / entry) * 100;
  return `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(2)}%`;
}

/**
 * Builds the card chart: candlesticks (up green, down red), labelled horizontal lines at entry,
 * stop and target, the signal candle marked with an arrow on the side of the trade (below for a
 * long, above for a short). The y-axis is fixed to the candles' low–high range widened to hold
 * entry, stop and target, plus 4% of that span of air either side, so all three lines are
 * always on the chart even when the target is far from the recent candles.
 * @throws RangeError when there are no candles or a level is not a positive finite price
 */
export function buildCardChart(input: CardChartInput): CardChartSpec {
  const { entry, stop, target, signalTime, direction } = input;
  for (const [name, v] of [['entry', entry], ['stop', stop], ['target', target]] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`card chart: ${name} must be a positive price, got ${v}`);
  }
  const candles = input.candles.slice(-CARD_CHART_CANDLES);
  if (!candles.length) throw new RangeError('card chart: no candles to draw');
  const width = input.width ?? 960;
  const height = input.height ?? 540;

  let lo = Math.min(entry, stop, target);
  let hi = Math.max(entry, stop, target);
  let signalIndex = -1;
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i];
    if (c.low < lo) lo = c.low;
    if (c.high > hi) hi = c.high;
    if (c.closeTime === signalTime) signalIndex = i;
  }
  const air = (hi - lo || hi * 0.01) * 0.04;
  const yMin = lo - air;
  const yMax = hi + air;

  const crossesDays = Math.floor(candles[0].openTime / 86_400_000) !== Math.floor(candles.at(-1)!.openTime / 86_400_000);
  const categories = candles.map((c) => timeLabel(c.openTime, crossesDays));
  // echarts' candlestick item is [open, close, low, high].
  const data = candles.map((c) => [c.open, c.close, c.low, c.high]);

  const level = (name: string, value: number, color: string, type: 'solid' | 'dashed', text: string) => ({
    name,
    yAxis: value,
    lineStyle: { color, type, width: 1.5 },
    // A white plate under the label keeps it legible where it crosses candles.
    label: {
      formatter: text, color, position: 'insideStartTop' as const, fontSize: 13, fontFamily: CHART_FONT_FAMILY,
      backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3],
    },
  });

  const marks: NonNullable<MarkPointComponentOption['data']> = [];
  if (signalIndex >= 0) {
    const s = candles[signalIndex];
    const long = direction === 'long';
    marks.push({
      name: 'signal',
      coord: [signalIndex, long ? s.low : s.high],
      symbol: 'triangle',
      symbolSize: 12,
      symbolRotate: long ? 0 : 180,
      // Pushed off the wick so the arrow points at the candle instead of covering it.
      symbolOffset: [0, long ? 10 : -10],
      itemStyle: { color: CHART_COLORS.signal },
      label: { show: true, formatter: 'signal', position: long ? 'bottom' : 'top', color: CHART_COLORS.signal, fontSize: 12, fontFamily: CHART_FONT_FAMILY },
    });
  }

  const option: EChartsOption = {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    title: { text: input.title, left: 12, top: 8, textStyle: { fontSize: 16, fontWeight: 'normal', fontFamily: CHART_FONT_FAMILY, color: '#111827' } },
    grid: { left: 16, right: 16, top: 44, bottom: 12, containLabel: true },
    xAxis: {
      type: 'category',
      data: categories,
      boundaryGap: true,
      axisLine: { lineStyle: { color: '#9ca3af' } },
      // The first label is centred on the first candle; left-aligned it is not cut off at the edge.
      axisLabel: { color: '#374151', fontFamily: CHART_FONT_FAMILY, alignMinLabel: 'left' },
    },
    yAxis: {
      type: 'value',
      position: 'right',
      min: yMin,
      max: yMax,
      scale: true,
      splitLine: { lineStyle: { color: '#e5e7eb' } },
      // The fixed min and max are not round numbers; labelling them would crowd the round ticks.
      axisLabel: { color: '#374151', fontFamily: CHART_FONT_FAMILY, formatter: (v: number) => price(v), showMinLabel: false, showMaxLabel: false },
    },
    series: [
      {
        type: 'candlestick',
        name: input.title,
        data,
        // `color`/`borderColor` are the rising candle (close > open), `color0`/`borderColor0` the falling one.
        itemStyle: { color: CHART_COLORS.up, color0: CHART_COLORS.down, borderColor: CHART_COLORS.up, borderColor0: CHART_COLORS.down },
        markLine: {
          symbol: 'none',
          silent: true,
          data: [
            level('Entry', entry, CHART_COLORS.entry, 'solid', `Entry ${price(entry)}`),
            level('Stop', stop, CHART_COLORS.stop, 'dashed', `Stop ${price(stop)} (${fromEntry(stop, entry)})`),
            level('Target', target, CHART_COLORS.target, 'dashed', `Target ${price(target)} (${fromEntry(target, entry)})`),
          ],
        },
        markPoint: { data: marks },
      },
    ],
  };
  return { option, width, height, yMin, yMax, signalIndex, candleCount: candles.length };
}

/** A card's chart as PNG bytes ({@link buildCardChart}, rendered with the bundled font). */
export function renderCardChart(input: CardChartInput): Buffer {
  return renderChartPng(buildCardChart(input));
}

/** {@link renderCardChart}, rasterising off the event loop; the same bytes. */
export function renderCardChartAsync(input: CardChartInput): Promise<Buffer> {
  return renderChartPngAsync(buildCardChart(input));
}

/**
 * The chart input for a card: the last {@link CARD_CHART_CANDLES} candles of its instrument and
 * timeframe from `source` (a `CandleHistory`), its levels, its close time as the signal time and
 * `SYMBOL · tf · signal name` as the title. Null while `source` has no candles for the pair (just
 * after a start). The history must see each candle before the engine does — put it ahead of the
 * engine in the pipeline's sink — or the signal candle is not in it yet when the card is made.
 */
export function cardChartInput(card: Card, source: ChartCandles): CardChartInput | null {
  const candles = source.last(card.symbol, card.timeframe, CARD_CHART_CANDLES);
  if (!candles.length) return null;
  return {
    candles, entry: card.entry, stop: card.stop, target: card.target, signalTime: card.createdAt, direction: card.direction,
    title: `${card.symbol} · ${card.timeframe} · ${card.name}`,
  };
}
