/**
 * Pure helpers of `edgebot download-data` (src/app/download-data.ts): the candle file's rows as
 * text, what an existing file already covers, which ranges are still missing, merging new rows
 * into it, and the gaps a manifest reports. No I/O here.
 *
 * Times are ms UTC open times; `tfMs` the timeframe's length in ms. The file format is the one
 * src/feed/csv.ts reads: `open_time_ms,open,high,low,close,volume[,taker_buy_base_volume]`.
 */
import type { Candle } from '../core/candle.js';
import { DataError } from '../core/errors.js';
import { parseCandleCsv } from './csv.js';

/** The header download-data writes (ccxt's OHLCV rows carry no taker volume). */
export const DOWNLOAD_HEADER = 'open_time_ms,open,high,low,close,volume';

/**
 * One CSV row. Numbers print in JavaScript's shortest round-trip form, so a row written and read
 * back is the same candle, and the same candle always prints the same bytes (what makes a resumed
 * file identical to a one-run file).
 */
export function formatRow(c: Candle): string {
  return `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`;
}

/** A candle file's rows kept as text (never reformatted), with their open times. */
export interface CandleRows {
  header: string;
  /** Data lines without the header, ascending open time, no duplicates. */
  lines: string[];
  openTimes: number[];
}

/** An empty file's rows. */
export function emptyRows(): CandleRows {
  return { header: DOWNLOAD_HEADER, lines: [], openTimes: [] };
}

/**
 * Reads an existing candle file's text (already gunzipped) for resuming. It must parse as
 * `replay` parses it, be ascending without duplicates, and be on the `tfMs` grid with that step
 * (a 1m file is not resumed as 5m).
 * @throws DataError naming `source` and what is wrong; the message says to move the file away
 */
export function parseRows(text: string, tfMs: number, source: string): CandleRows {
  const s = parseCandleCsv(text, source, source);
  const all = text.split('\n');
  const header = all[0].replace(/\r$/, '');
  const lines = all.slice(1).map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
  if (lines.length !== s.length) throw new DataError(`${source}: ${lines.length} lines but ${s.length} rows — move the file away and download again`);
  const openTimes = Array.from(s.openTime);
  for (let i = 0; i < openTimes.length; i++) {
    const t = openTimes[i];
    if (t % tfMs !== 0) throw new DataError(`${source}: row ${i + 2} opens at ${t}, not on the ${tfMs / 60_000}m grid — wrong --timeframe for this file? Move it away to download again`);
    if (i > 0 && t <= openTimes[i - 1]) throw new DataError(`${source}: row ${i + 2} is not after the previous one — move the file away and download again`);
  }
  return { header, lines, openTimes };
}

/** A half-open range of open times [from, to). */
export interface Range {
  from: number;
  to: number;
}

/**
 * What still has to be fetched for [from, to) given what the file has: the head before its first
 * row and the tail after its last — the whole range for an empty file. Holes inside the file are
 * not re-fetched: they are the exchange's own gaps (download-data writes every row it gets) and
 * show in the manifest. `from` is rounded up to the grid. `askedFrom`: the earliest open time an
 * earlier run already asked for (manifest); the exchange had nothing between it and the first
 * row (a market listed later), so the head stops there instead of asking again on every run.
 */
export function missingRanges(rows: CandleRows, from: number, to: number, tfMs: number, askedFrom = Infinity): Range[] {
  const start = Math.ceil(from / tfMs) * tfMs;
  if (start >= to) return [];
  const n = rows.openTimes.length;
  if (n === 0) return [{ from: start, to }];
  const first = rows.openTimes[0];
  const last = rows.openTimes[n - 1];
  const out: Range[] = [];
  const headEnd = Math.min(first, askedFrom, to);
  if (start < headEnd) out.push({ from: start, to: headEnd });
  if (last + tfMs < to) out.push({ from: Math.max(start, last + tfMs), to });
  return out;
}

/**
 * `rows` with `candles` merged in by open time; a candle at an open time the file already has is
 * left out (the file's row wins: never rewrite history). `candles` ascending.
 * Returns the merged rows and how many candles were added.
 */
export function mergeRows(rows: CandleRows, candles: readonly Candle[]): { rows: CandleRows; added: number } {
  const lines: string[] = [];
  const openTimes: number[] = [];
  let i = 0;
  let j = 0;
  let added = 0;
  while (i < rows.lines.length || j < candles.length) {
    const a = i < rows.lines.length ? rows.openTimes[i] : Infinity;
    const b = j < candles.length ? candles[j].openTime : Infinity;
    if (a <= b) {
      lines.push(rows.lines[i]);
      openTimes.push(a);
      i++;
      if (a === b) j++;
    } else {
      if (!openTimes.length || b > openTimes[openTimes.length - 1]) {
        lines.push(formatRow(candles[j]));
        openTimes.push(b);
        added++;
      }
      j++;
    }
  }
  return { rows: { header: rows.header, lines, openTimes }, added };
}

/** The file's text. */
export function rowsText(rows: CandleRows): string {
  return [rows.header, ...rows.lines].join('\n') + '\n';
}

/** A run of missing bars between two rows: open times [from, to), `bars` of them. */
export interface Gap {
  from: number;
  to: number;
  bars: number;
}

/** Every hole between consecutive rows (open times ascending on the `tfMs` grid). */
export function findGaps(openTimes: readonly number[], tfMs: number): Gap[] {
  const out: Gap[] = [];
  for (let i = 1; i < openTimes.length; i++) {
    const d = openTimes[i] - openTimes[i - 1];
    if (d > tfMs) out.push({ from: openTimes[i - 1] + tfMs, to: openTimes[i], bars: d / tfMs - 1 });
  }
  return out;
}
