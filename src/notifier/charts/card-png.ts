import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Card } from '../../kernel/card.js';
import type { ChartCandles } from '../../feed/candle-history.js';
import type { Logger } from '../../core/log.js';

/** Whether a card gets a chart: a tradable one (blocked and informational cards go as text). */
export function chartable(card: Card): boolean {
  return card.status !== 'blocked' && card.status !== 'info';
}

/**
 * A card's chart as PNG bytes, rendered at delivery (~100 ms, rasterised off the event loop);
 * null when the history has no candles for it (just after a start) or the render fails (logged:
 * the card then goes without its chart — a chart is never worth a lost card).
 */
export async function cardChartPng(card: Card, history: ChartCandles, log: Logger): Promise<Buffer | null> {
  // echarts and resvg load on the first chart (~270 ms, ~50 MB): a bot without charts never pays.
  const { cardChartInput, renderCardChartAsync } = await import('./card-chart.js');
  const input = cardChartInput(card, history);
  if (!input) return null;
  try {
    return await renderCardChartAsync(input);
  } catch (err) {
    log.warn({ err, cardId: card.id }, 'card chart failed; the card goes without it');
    return null;
  }
}

/**
 * The console's chart: the card's PNG written to `dir/<SYMBOL>-<tf>-<cardId>.png` (folder made on
 * demand). Returns the file's path, or null when there is no chart (see {@link cardChartPng}) or it
 * cannot be written (logged).
 */
export async function writeCardChartFile(card: Card, history: ChartCandles, dir: string, log: Logger): Promise<string | null> {
  const png = await cardChartPng(card, history, log);
  if (!png) return null;
  const file = join(dir, `${card.symbol}-${card.timeframe}-${card.id}.png`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(file, png);
    return file;
  } catch (err) {
    log.warn({ err, file }, 'cannot write the card chart');
    return null;
  }
}
