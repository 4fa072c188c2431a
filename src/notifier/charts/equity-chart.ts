import type { EChartsOption } from 'echarts';
import type { EquityPoint } from '../../commands/reports.js';
import { money } from '../format.js';
import { CHART_FONT_FAMILY, renderChartPng, renderChartPngAsync, type ChartSpec } from './png.js';

/** One point of a realized equity curve (time ms UTC, equity quote currency), as `equityCurve` makes them. */
export type { EquityPoint };

/** Options of the equity chart. */
export interface EquityChartOptions {
  /** Heading; default `Realized equity`. */
  title?: string;
  /** Pixels; default 960 × 540. */
  width?: number;
  height?: number;
}

/** A built equity chart and the y-range it plots (quote currency). */
export interface EquityChartSpec extends ChartSpec {
  yMin: number;
  yMax: number;
}

/**
 * Builds a step line of realized equity over time (for `/pnl`): equity only changes when a trade
 * closes, so it is drawn as steps, not slopes. The time axis is in UTC whatever the host's zone.
 * The y-axis spans the lowest to the highest point plus 5% of the span either side.
 * @throws RangeError when there are no points
 */
export function buildEquityChart(points: readonly EquityPoint[], o: EquityChartOptions = {}): EquityChartSpec {
  if (!points.length) throw new RangeError('equity chart: no points to draw');
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (p.equity < lo) lo = p.equity;
    if (p.equity > hi) hi = p.equity;
  }
  const air = (hi - lo || Math.abs(hi) * 0.01 || 1) * 0.05;
  const yMin = lo - air;
  const yMax = hi + air;
  const option: EChartsOption = {
    animation: false,
    useUTC: true,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    title: { text: o.title ?? 'Realized equity', left: 12, top: 8, textStyle: { fontSize: 16, fontWeight: 'normal', fontFamily: CHART_FONT_FAMILY, color: '#111827' } },
    grid: { left: 16, right: 16, top: 44, bottom: 12, containLabel: true },
    xAxis: {
      type: 'time',
      axisLine: { lineStyle: { color: '#9ca3af' } },
      axisLabel: { color: '#374151', fontFamily: CHART_FONT_FAMILY, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      position: 'right',
      min: yMin,
      max: yMax,
      splitLine: { lineStyle: { color: '#e5e7eb' } },
      axisLabel: { color: '#374151', fontFamily: CHART_FONT_FAMILY, formatter: (v: number) => money(v), showMinLabel: false, showMaxLabel: false },
    },
    series: [
      {
        type: 'line',
        step: 'end',
        showSymbol: points.length <= 60,
        symbolSize: 5,
        lineStyle: { color: '#2563eb', width: 2 },
        itemStyle: { color: '#2563eb' },
        areaStyle: { color: 'rgba(37,99,235,0.08)', origin: 'start' },
        data: points.map((p) => [p.time, p.equity]),
      },
    ],
  };
  return { option, width: o.width ?? 960, height: o.height ?? 540, yMin, yMax };
}

/** The realized equity curve as PNG bytes ({@link buildEquityChart}, rendered with the bundled font). */
export function renderEquityChart(points: readonly EquityPoint[], o: EquityChartOptions = {}): Buffer {
  return renderChartPng(buildEquityChart(points, o));
}

/** {@link renderEquityChart}, rasterising off the event loop; the same bytes. */
export function renderEquityChartAsync(points: readonly EquityPoint[], o: EquityChartOptions = {}): Promise<Buffer> {
  return renderChartPngAsync(buildEquityChart(points, o));
}
