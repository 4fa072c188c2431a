import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import type { Card } from '../../src/kernel/card.js';
import { CandleHistory } from '../../src/feed/candle-history.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import {
  buildCardChart, cardChartInput, renderCardChartAsync, renderEquityChartAsync, buildEquityChart, CHART_COLORS, CHART_FONT_FAMILY, CHART_FONT_FILE, chartToSvg, renderCardChart, renderEquityChart, svgToPng,
} from '../../src/notifier/charts/index.js';

const DATA_2025_5M = fileURLToPath(new URL('../../data/binance-2025-5m', import.meta.url));
const M5 = 300_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the signature). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** RGBA pixels of an SVG rasterised exactly as the charts are (bundled font only). */
function pixels(svg: string) {
  const img = new Resvg(svg, { font: { fontFiles: [CHART_FONT_FILE], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY }, background: '#ffffff' }).render();
  return { width: img.width, height: img.height, rgba: img.pixels, at: (x: number, y: number) => {
    const o = (Math.round(y) * img.width + Math.round(x)) * 4;
    return '#' + [0, 1, 2].map((k) => img.pixels[o + k].toString(16).padStart(2, '0')).join('');
  } };
}

/** The body rectangle and fill of the candlestick with data index `i`, read from the SVG echarts drew. */
function candleBody(svg: string, i: number) {
  const m = new RegExp(`<path d="M([\\d.]+) ([\\d.]+)L([\\d.]+) [\\d.]+L[\\d.]+ ([\\d.]+)[^"]*" fill="(#[0-9a-f]{6})"[^>]*ecmeta_data_index="${i}" ecmeta_ssr_type="chart" class`).exec(svg);
  if (!m) throw new Error(`candle ${i} not found in the SVG`);
  return { x1: +m[1], y1: +m[2], x2: +m[3], y2: +m[4], fill: m[5] };
}

const candle = (i: number, open: number, close: number, low: number, high: number): Candle => ({
  openTime: Date.UTC(2025, 4, 5) + i * M5, closeTime: Date.UTC(2025, 4, 5) + (i + 1) * M5, open, high, low, close, volume: 1,
});

describe('card chart', () => {
  const up = candle(0, 100, 102, 99, 103);
  const down = candle(1, 102, 100, 99.5, 102.5);
  const input = { candles: [up, down], entry: 101, stop: 98, target: 104, signalTime: down.closeTime, direction: 'long' as const, title: 'AVAXUSDT · 5m · test' };

  it('draws a rising candle green and a falling one red (echarts defaults are the reverse)', () => {
    const svg = chartToSvg(buildCardChart(input));
    const u = candleBody(svg, 0);
    const d = candleBody(svg, 1);
    expect(u.fill).toBe(CHART_COLORS.up);
    expect(d.fill).toBe(CHART_COLORS.down);
    // And on the raster: a point inside each body (clear of the entry line through the middle).
    const px = pixels(svg);
    expect(px.at(u.x1 + (u.x2 - u.x1) / 4, u.y1 + (u.y2 - u.y1) / 4)).toBe(CHART_COLORS.up);
    expect(px.at(d.x1 + (d.x2 - d.x1) / 4, d.y1 + (d.y2 - d.y1) / 4)).toBe(CHART_COLORS.down);
  });

  it('labels entry, stop and target with price and distance, and marks the signal candle', () => {
    const spec = buildCardChart(input);
    const svg = chartToSvg(spec);
    expect(svg).toContain('>Entry 101.00<');
    expect(svg).toContain('>Stop 98.00 (−2.97%)<');
    expect(svg).toContain('>Target 104.00 (+2.97%)<');
    expect(svg).toContain('>signal<');
    expect(spec.signalIndex).toBe(1);
    expect(spec.candleCount).toBe(2);
  });

  it('the y-range holds entry, stop and target even when they lie far outside the candles', () => {
    const far = buildCardChart({ ...input, stop: 60, target: 180 });
    expect(far.yMin).toBeLessThan(60);
    expect(far.yMax).toBeGreaterThan(180);
    // 4% of the 60–180 span of air either side, and nothing more.
    expect(far.yMin).toBeCloseTo(60 - 4.8, 9);
    expect(far.yMax).toBeCloseTo(180 + 4.8, 9);
    const y = far.option.yAxis as { min: number; max: number };
    expect([y.min, y.max]).toEqual([far.yMin, far.yMax]);
    // Levels inside the candles: the range is the candles' 99–103 plus air.
    const near = buildCardChart({ ...input, stop: 100, target: 102 });
    expect(near.yMin).toBeCloseTo(99 - 0.16, 9);
    expect(near.yMax).toBeCloseTo(103 + 0.16, 9);
  });

  it('marks the candle closing at the signal time, none when it is missing, and refuses bad input', () => {
    expect(buildCardChart({ ...input, signalTime: up.closeTime }).signalIndex).toBe(0);
    // A signal candle not (yet) in the history: no arrow rather than one on the candle before.
    expect(buildCardChart({ ...input, signalTime: down.closeTime + M5 }).signalIndex).toBe(-1);
    expect(chartToSvg(buildCardChart({ ...input, signalTime: down.closeTime + M5 }))).not.toContain('>signal<');
    expect(() => buildCardChart({ ...input, candles: [] })).toThrow(RangeError);
    expect(() => buildCardChart({ ...input, stop: NaN })).toThrow(/stop must be a positive price/);
  });

  describe('on real BTCUSDT 5m candles (2025-05-05)', () => {
    let candles: Candle[];
    beforeAll(() => {
      const s = loadCandleDir(DATA_2025_5M, { from: Date.UTC(2025, 4, 5), to: Date.UTC(2025, 4, 5, 10) }).find((x) => x.symbol === 'BTCUSDT')!;
      candles = Array.from({ length: s.length }, (_, i) => ({
        openTime: s.openTime[i], closeTime: s.openTime[i] + M5, open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i],
      }));
    });

    it('draws the last 100 candles to a 960 × 540 PNG with every level inside the plotted range', () => {
      expect(candles).toHaveLength(120);
      const last = candles.at(-1)!;
      const entry = last.close;
      const input = { candles, entry, stop: entry * 0.99, target: entry * 1.015, signalTime: last.closeTime, direction: 'long' as const, title: 'BTCUSDT · 5m' };
      const spec = buildCardChart(input);
      expect(spec.candleCount).toBe(100);
      expect(spec.signalIndex).toBe(99);
      const shown = candles.slice(-100);
      for (const level of [input.entry, input.stop, input.target, ...shown.map((c) => c.low), ...shown.map((c) => c.high)]) {
        expect(level).toBeGreaterThan(spec.yMin);
        expect(level).toBeLessThan(spec.yMax);
      }
      const svg = chartToSvg(spec);
      // Every candle with a body is coloured by its direction.
      shown.forEach((c, i) => {
        if (c.close !== c.open) expect(candleBody(svg, i).fill).toBe(c.close > c.open ? CHART_COLORS.up : CHART_COLORS.down);
      });
      const png = renderCardChart(input);
      expect(pngSize(png)).toEqual({ width: 960, height: 540 });
      expect(png.length).toBeGreaterThan(10_000);
    });

    it('a card and the candle history make the chart input: its last 100 candles, levels, signal candle and title', () => {
      const history = new CandleHistory(120);
      for (const c of candles) history.onCandle('BTCUSDT', '5m', c);
      const last = candles.at(-1)!;
      const card = {
        id: 'c1', createdAt: last.closeTime, expiresAt: last.closeTime + 3 * M5, signalId: 'glicko_zscore:BTCUSDT', rule: 'glicko_zscore',
        name: 'Glicko-2 z-score', symbol: 'BTCUSDT', timeframe: '5m', direction: 'long', entry: 94_550.63, stop: 93_605.12, target: 95_968.89,
        stopPercent: 1, targetPercent: 1.5, rr: 1.5, qty: 0.01, notional: 945.5, riskQuote: 9.46, riskPercent: 0.1, reason: 'test', status: 'open',
      } satisfies Card;
      const input = cardChartInput(card, history)!;
      expect(input.candles).toEqual(candles.slice(-100));
      expect(input).toMatchObject({ entry: 94_550.63, stop: 93_605.12, target: 95_968.89, signalTime: last.closeTime, direction: 'long', title: 'BTCUSDT · 5m · Glicko-2 z-score' });
      expect(buildCardChart(input).signalIndex).toBe(99);
      expect(cardChartInput({ ...card, symbol: 'ETHUSDT' }, history)).toBeNull();
    });

    it('the async renderers give the same PNG bytes', async () => {
      const last = candles.at(-1)!;
      const input = { candles, entry: last.close, stop: last.close * 0.99, target: last.close * 1.015, signalTime: last.closeTime, direction: 'long' as const, title: 'BTCUSDT · 5m' };
      expect((await renderCardChartAsync(input)).equals(renderCardChart(input))).toBe(true);
      const points = [{ time: candles[0].openTime, equity: 1_000 }, { time: last.closeTime, equity: 1_010 }];
      expect((await renderEquityChartAsync(points)).equals(renderEquityChart(points))).toBe(true);
    });

    it('honours a requested size', () => {
      const last = candles.at(-1)!;
      const png = renderCardChart({ candles, entry: last.close, stop: last.close * 1.01, target: last.close * 0.98, signalTime: last.closeTime, direction: 'short', title: 'BTCUSDT · 5m', width: 640, height: 360 });
      expect(pngSize(png)).toEqual({ width: 640, height: 360 });
    });
  });
});

describe('chart PNGs', () => {
  const text = (family: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="28" font-size="24" font-family="${family}">Entry 1.00</text></svg>`;
  const dark = (rgba: Uint8Array | Buffer) => {
    let n = 0;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i + 3] > 0 && rgba[i] < 128) n++;
    return n;
  };

  it('draw text with the bundled font alone (no system fonts), whatever family the SVG names', () => {
    expect(pngSize(svgToPng(text(CHART_FONT_FAMILY)))).toEqual({ width: 200, height: 40 });
    expect(dark(pixels(text(CHART_FONT_FAMILY)).rgba)).toBeGreaterThan(200);
    expect(dark(pixels(text('NoSuchFont')).rgba)).toBeGreaterThan(200);
    // Without a font file resvg draws no text at all — what a bare VPS would get without the bundled font.
    const bare = new Resvg(text(CHART_FONT_FAMILY), { font: { loadSystemFonts: false } }).render();
    expect(dark(bare.pixels)).toBe(0);
  });
});

describe('equity chart', () => {
  const points = [
    { time: Date.UTC(2025, 4, 1), equity: 10_000 },
    { time: Date.UTC(2025, 4, 2), equity: 10_120 },
    { time: Date.UTC(2025, 4, 3), equity: 9_940 },
    { time: Date.UTC(2025, 4, 5), equity: 10_300 },
  ];

  it('is a PNG of the asked size whose y-range holds every point', () => {
    const spec = buildEquityChart(points);
    // 5% of the 9,940–10,300 span either side.
    expect(spec.yMin).toBeCloseTo(9_940 - 18, 9);
    expect(spec.yMax).toBeCloseTo(10_300 + 18, 9);
    expect(pngSize(renderEquityChart(points))).toEqual({ width: 960, height: 540 });
    expect(pngSize(renderEquityChart(points, { width: 480, height: 300 }))).toEqual({ width: 480, height: 300 });
  });

  it('labels the time axis in UTC even on a host in another zone', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const labels = [...chartToSvg(buildEquityChart(points)).matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]);
      // Local New York time would put May 1 00:00 UTC on April 30 and shift every day label.
      expect(labels.filter((l) => /^(May|\d)$/.test(l))).toEqual(['May', '2', '3', '4', '5']);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('draws a single point and refuses none', () => {
    expect(pngSize(renderEquityChart(points.slice(0, 1)))).toEqual({ width: 960, height: 540 });
    expect(() => buildEquityChart([])).toThrow(RangeError);
  });
});
