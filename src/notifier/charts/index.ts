/** Chart images for the chat (issue #10): card charts and the equity curve, PNG via echarts SSR + resvg. */
export {
  buildCardChart, cardChartInput, renderCardChart, renderCardChartAsync, CARD_CHART_CANDLES, CHART_COLORS, type CardChartInput, type CardChartSpec,
} from './card-chart.js';
export {
  buildEquityChart, renderEquityChart, renderEquityChartAsync, type EquityChartOptions, type EquityChartSpec, type EquityPoint,
} from './equity-chart.js';
export {
  CHART_FONT_FAMILY, CHART_FONT_FILE, chartToSvg, renderChartPng, renderChartPngAsync, svgToPng, svgToPngAsync, type ChartSpec,
} from './png.js';
