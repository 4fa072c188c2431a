import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';

/**
 * The one font chart text is drawn with, shipped in the repo (`assets/fonts`, Bitstream Vera
 * licence beside it): a bare VPS has no system fonts, and resvg draws no text at all without one.
 */
export const CHART_FONT_FILE = findFont();

/**
 * The bundled font's path from this module: `src/notifier/charts/` in the sources, `dist/` (or
 * `bench/.out/`) once esbuild has bundled it — the same relative path cannot serve all three.
 */
function findFont(): string {
  const tries = ['../../../assets/fonts/DejaVuSans.ttf', '../assets/fonts/DejaVuSans.ttf', '../../assets/fonts/DejaVuSans.ttf']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return tries.find((f) => existsSync(f)) ?? tries[0];
}
/** The family name inside {@link CHART_FONT_FILE}; every chart option uses it. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

/** An echarts option and the pixel size to draw it at. */
export interface ChartSpec {
  option: EChartsOption;
  width: number;
  height: number;
}

/**
 * Draws an echarts option to an SVG string with echarts' server-side renderer (no DOM, no
 * canvas). Animation must be off in the option, or the SVG holds the first animation frame.
 */
export function chartToSvg(spec: ChartSpec): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: spec.width, height: spec.height });
  try {
    chart.setOption(spec.option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const RESVG_OPTIONS: ResvgRenderOptions = {
  font: { fontFiles: [CHART_FONT_FILE], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
  fitTo: { mode: 'original' },
  background: '#ffffff',
};

/** Rasterises an SVG to PNG bytes at its own size, with the bundled font only (system fonts are never read). */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, RESVG_OPTIONS).render().asPng();
}

/**
 * {@link svgToPng} on libuv's thread pool: rasterising is about half of a chart's time (tens of
 * ms), and the bot's event loop should keep answering taps and commands meanwhile.
 */
export async function svgToPngAsync(svg: string): Promise<Buffer> {
  return (await renderAsync(svg, RESVG_OPTIONS)).asPng();
}

/** {@link chartToSvg} then {@link svgToPng}: a PNG of `spec.width` × `spec.height` pixels. */
export function renderChartPng(spec: ChartSpec): Buffer {
  return svgToPng(chartToSvg(spec));
}

/** {@link renderChartPng} with the rasterising off the event loop (the echarts part still runs on it). */
export function renderChartPngAsync(spec: ChartSpec): Promise<Buffer> {
  return svgToPngAsync(chartToSvg(spec));
}
