import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../core/errors.js';
import type { Timeframe } from '../core/timeframe.js';
import { TIMEFRAMES, timeframeMs } from '../core/timeframe.js';

/**
 * One instrument's candles held column-wise (no per-candle objects), in open-time order.
 * Times ms UTC (open), prices quote currency, volume base asset.
 */
export interface CandleSeries {
  symbol: string;
  timeframe: Timeframe;
  length: number;
  openTime: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  takerBuyVolume?: Float64Array;
}

const HEADER = ['open_time_ms', 'open', 'high', 'low', 'close', 'volume'];

const COLUMN_NAMES = ['open_time_ms', 'open', 'high', 'low', 'close', 'volume', 'taker_buy_base_volume'];

/**
 * Parses a candle CSV (`open_time_ms,open,high,low,close,volume[,taker_buy_base_volume]`, SPEC §3).
 * Numeric rows are kept as read; validation happens in the pipeline so bad candles (low ≤ 0, high
 * below the body…) are dropped and counted, not lost silently. An empty field reads as NaN (dropped
 * there too). What cannot be a candle at all is a broken file.
 * Same result and errors as {@link parseCandleCsvReference}; it reads the UTF-8 bytes (see {@link parseCandleBytes}).
 * @throws DataError naming `source` and the line: bad header, too few columns (a truncated last
 *   row), an open time that is not an integer, a field that is not a number
 */
export function parseCandleCsv(text: string, symbol: string, source = symbol): Omit<CandleSeries, 'timeframe'> {
  return parseCandleBytes(Buffer.from(text, 'utf8'), symbol, source);
}

/**
 * The readable reference parser (split lines, split fields, `Number()`): what
 * {@link parseCandleBytes} must equal bit for bit, error message for error message
 * (test/feed/csv-bytes.test.ts). Not on the hot path.
 * @throws DataError as {@link parseCandleCsv}
 */
export function parseCandleCsvReference(text: string, symbol: string, source = symbol): Omit<CandleSeries, 'timeframe'> {
  const lines = text.split('\n');
  const header = lines[0].trim().split(',');
  if (HEADER.some((h, i) => header[i] !== h)) {
    throw new DataError(`${source}: bad header — must start with ${HEADER.join(',')}, got "${printable(lines[0].trim())}"`);
  }
  const hasTaker = header[6] === 'taker_buy_base_volume';
  const width = hasTaker ? 7 : 6;
  const n = lines.length;
  const cols = [0, 1, 2, 3, 4, 5, 6].map(() => new Float64Array(n));
  let len = 0;
  for (let i = 1; i < n; i++) {
    const line = lines[i];
    if (line.length === 0 || line === '\r') continue;
    // The truncation hint: this is the last line, or the one before a final newline.
    parseRowText(line, i, i === n - 1 || (i === n - 2 && lines[n - 1] === ''), width, cols, len, source);
    len++;
  }
  return columnsToSeries(symbol, cols, len, hasTaker);
}

/**
 * Parses text row `line` (line index `i`; `last`: nothing but a newline follows it) into
 * `cols[j][len]`, exactly as the reference parser always did.
 * @throws DataError for a row that cannot be a candle
 */
function parseRowText(line: string, i: number, last: boolean, width: number, cols: Float64Array[], len: number, source: string): void {
  const f = line.split(',');
  if (f.length < 6) {
    throw new DataError(`${source}: bad row ${i + 1}: expected ${width} columns, got ${f.length}${last ? ' (truncated file?)' : ''}`);
  }
  for (let j = 0; j < width; j++) {
    const x = f[j];
    // A missing taker column reads as NaN, as before (it is optional per row).
    let v = x === undefined ? NaN : Number(x);
    // Number('') is 0: an empty field is a missing value (NaN), dropped by the pipeline.
    if (v === 0 && x.trim() === '') v = NaN;
    // NaN from text means the row is garbage, not a bad candle.
    else if (v !== v && x !== undefined) throw new DataError(`${source}: bad row ${i + 1}: ${COLUMN_NAMES[j]} "${printable(x)}" is not a number`);
    cols[j][len] = v;
  }
  const t = cols[0][len];
  // The replay merges files by open time; a row without one cannot be placed.
  if (!Number.isSafeInteger(t) || t < 0) {
    throw new DataError(`${source}: bad row ${i + 1}: open_time_ms "${printable(f[0])}" is not a time in ms`);
  }
}

function columnsToSeries(symbol: string, cols: Float64Array[], len: number, hasTaker: boolean): Omit<CandleSeries, 'timeframe'> {
  return {
    symbol,
    length: len,
    openTime: cols[0].subarray(0, len),
    open: cols[1].subarray(0, len),
    high: cols[2].subarray(0, len),
    low: cols[3].subarray(0, len),
    close: cols[4].subarray(0, len),
    volume: cols[5].subarray(0, len),
    ...(hasTaker ? { takerBuyVolume: cols[6].subarray(0, len) } : {}),
  };
}

const NL = 10;
const CR = 13;
const COMMA = 44;
const DOT = 46;
const MINUS = 45;
const ZERO = 48;
/** 10^k for k = 0..15, each exact in a double (parsed, not computed, so no pow rounding). */
const POW10 = Array.from({ length: 16 }, (_, k) => Number(`1e${k}`));

/**
 * The byte-level reader behind {@link parseCandleCsv}: no string per line or field. A field of the
 * form `-?digits[.digits]` with at most 15 digits is read as the integer m of its digits divided
 * by 10^(fraction digits): m and 10^k are exact doubles and IEEE division rounds correctly, so the
 * result is the correctly rounded decimal value — exactly what `Number()` returns (Clinger's fast
 * path). Any other row (exponents, spaces, CRLF, empty or garbage fields, missing columns, a time
 * that is not an integer) is decoded and parsed by the reference row code, so its value or its
 * error message is the reference's by construction.
 * @param bytes UTF-8 CSV text
 * @throws DataError as {@link parseCandleCsv}
 */
export function parseCandleBytes(bytes: Uint8Array, symbol: string, source = symbol): Omit<CandleSeries, 'timeframe'> {
  const size = bytes.length;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, size);
  let headerEnd = buf.indexOf(NL);
  if (headerEnd < 0) headerEnd = size;
  const headerLine = buf.toString('utf8', 0, headerEnd).trim();
  const header = headerLine.split(',');
  if (HEADER.some((h, i) => header[i] !== h)) {
    throw new DataError(`${source}: bad header — must start with ${HEADER.join(',')}, got "${printable(headerLine)}"`);
  }
  const hasTaker = header[6] === 'taker_buy_base_volume';
  const width = hasTaker ? 7 : 6;
  // Rows are about 40–70 bytes; the columns grow (doubling) if the guess is short, and are cut to
  // size at the end (a series lives as long as the run: slack would be held all along).
  let cols = Array.from({ length: width }, () => new Float64Array(Math.max(16, Math.ceil(size / 40))));
  let len = 0;
  // Line index i (0 = header) of the line starting at byte p; the reference's lines are the text
  // split at every newline, so a final newline leaves one empty last line (skipped, as empty lines are).
  for (let p = headerEnd + 1, i = 1; p <= size; i++) {
    if (p === size || buf[p] === NL) {
      p++;
      continue;
    }
    if (buf[p] === CR && (p + 1 === size || buf[p + 1] === NL)) {
      p += 2;
      continue;
    }
    if (len === cols[0].length) cols = cols.map((c) => {
      const wider = new Float64Array(c.length * 2);
      wider.set(c);
      return wider;
    });
    let next = fastRow(buf, p, size, width, cols, len);
    if (next < 0) {
      let end = buf.indexOf(NL, p);
      if (end < 0) end = size;
      parseRowText(buf.toString('utf8', p, end), i, end >= size - 1, width, cols, len, source);
      next = end + 1;
    }
    len++;
    p = next;
  }
  return columnsToSeries(symbol, cols.map((c) => c.slice(0, len)), len, hasTaker);
}

/**
 * Reads the row starting at byte `start` into cols[j][len] when every needed field is plain
 * decimal (see {@link parseCandleBytes}) and the open time a non-negative safe integer, and
 * returns where the next line starts (past the newline; size + 1 at the end of the text).
 * Returns −1 otherwise (nothing promised about cols), for the reference code to handle.
 */
function fastRow(b: Uint8Array, start: number, size: number, width: number, cols: Float64Array[], len: number): number {
  let p = start;
  let j = 0;
  for (;;) {
    let neg = false;
    if (p < size && b[p] === MINUS) {
      neg = true;
      p++;
    }
    let m = 0;
    let digits = 0;
    let frac = -1;
    let c = NL;
    for (; p < size; p++) {
      c = b[p];
      const d = c - ZERO;
      if (d >= 0 && d <= 9) {
        m = m * 10 + d;
        digits++;
        if (frac >= 0) frac++;
      } else if (c === DOT && frac < 0) frac = 0;
      else if (c === COMMA || c === NL) break;
      else return -1;
    }
    if (p === size) c = NL;
    if (digits === 0 || digits > 15) return -1;
    const v = frac > 0 ? m / POW10[frac] : m;
    cols[j][len] = neg ? -v : v;
    j++;
    if (c === NL) break;
    p++;
    if (j === width) {
      // Extra columns are ignored, whatever they hold.
      while (p < size && b[p] !== NL) p++;
      break;
    }
  }
  // The row ended: 6 fields are a candle (an optional taker column reads as NaN); fewer are not.
  if (j < 6) return -1;
  for (; j < width; j++) cols[j][len] = NaN;
  const t = cols[0][len];
  if (!Number.isSafeInteger(t) || t < 0) return -1;
  return p + 1;
}

/** At most 40 characters of `s`, control characters shown as `?`, for error messages. */
function printable(s: string): string {
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

/** Infers the timeframe from the most common open-time step; throws DataError if it is not a known one. */
export function inferTimeframe(openTime: Float64Array, source: string): Timeframe {
  const counts = new Map<number, number>();
  for (let i = 1; i < Math.min(openTime.length, 2000); i++) {
    const d = openTime[i] - openTime[i - 1];
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestN = -1;
  for (const [d, k] of counts) if (k > bestN) [best, bestN] = [d, k];
  const tf = TIMEFRAMES.find((t) => timeframeMs(t) === best);
  if (!tf) throw new DataError(`${source}: cannot infer timeframe (most common step ${best} ms)`);
  return tf;
}

/**
 * Decompresses a `.csv.gz` file's bytes.
 * @throws DataError naming `path`: not gzip, truncated, corrupt
 */
function gunzipFile(buf: Buffer, path: string): Buffer {
  if (buf.length < 2 || buf[0] !== 0x1f || buf[1] !== 0x8b) throw new DataError(`${path}: bad gzip — not a gzip file (wrong magic bytes)`);
  try {
    // The gzip trailer's last 4 bytes hold the text's size mod 2^32: used as the output chunk size,
    // zlib inflates into one buffer instead of concatenating 16 KB chunks. Only a hint — a wrong
    // value (a truncated file ends in arbitrary bytes) just costs chunks, as before; capped at 32×
    // the compressed size (candle CSV compresses about 3–5×) so it cannot allocate gigabytes.
    const hint = buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) + 1 : 0;
    return gunzipSync(buf, { chunkSize: Math.max(64 * 1024, Math.min(hint, 32 * buf.length)) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const what = code === 'Z_BUF_ERROR' ? 'truncated gzip (unexpected end of file)' : `bad gzip — ${(e as Error).message}`;
    throw new DataError(`${path}: ${what}`, { cause: e });
  }
}

/**
 * Reads one `.csv` or `.csv.gz` file.
 * @throws DataError naming the file and what is wrong (unreadable, bad gzip, truncated, bad header,
 *   bad row N, fewer than 2 candles, no known timeframe)
 */
export function readCandleFile(path: string, symbol = symbolFromFileName(path)): CandleSeries {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new DataError(`${path}: cannot be read — ${(e as Error).message}`, { cause: e });
  }
  if (!path.endsWith('.gz') && buf[0] === 0x1f && buf[1] === 0x8b) throw new DataError(`${path}: gzip data in a .csv file (name it .csv.gz)`);
  const s = parseCandleBytes(path.endsWith('.gz') ? gunzipFile(buf, path) : buf, symbol, path);
  if (s.length < 2) throw new DataError(`${path}: fewer than 2 candles`);
  return { ...s, timeframe: inferTimeframe(s.openTime, path) };
}

/** `data/x/BTCUSDT.csv.gz` → `BTCUSDT`. */
export function symbolFromFileName(path: string): string {
  return basename(path).replace(/\.csv(\.gz)?$/i, '').toUpperCase();
}

/** A data file that was refused, and why (the DataError's message names the file). */
export interface BadDataFile {
  file: string;
  error: DataError;
}

/** What {@link loadCandleData} loaded from a folder. */
export interface CandleData {
  series: CandleSeries[];
  /** Paths of the files loaded, in file-name order. */
  files: string[];
  /** Files refused and skipped (only with `skipBadFiles`). */
  skipped: BadDataFile[];
}

/** Options of {@link loadCandleData}. */
export interface LoadOptions {
  /** Clip to open times in [from, to), ms UTC. */
  from?: number;
  to?: number;
  /** Skip corrupt files (listed in `skipped`) instead of refusing the folder. */
  skipBadFiles?: boolean;
}

/**
 * Loads every `*.csv` / `*.csv.gz` file of a folder (symbol = file name), optionally clipped to
 * `[from, to)` by open time. All files must share one timeframe. A corrupt file refuses the whole
 * folder unless `skipBadFiles`; then it is left out and reported in `skipped`.
 * @throws DataError if the folder cannot be read, has no (good) candle files, has corrupt files
 *   (one message naming each file and its problem), or mixes timeframes
 */
export function loadCandleData(dir: string, o: LoadOptions = {}): CandleData {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.csv(\.gz)?$/i.test(f)).sort();
  } catch (e) {
    throw new DataError(`cannot read data folder ${dir}: ${(e as Error).message}`);
  }
  if (names.length === 0) throw new DataError(`no .csv or .csv.gz candle files in ${dir}`);
  const series: CandleSeries[] = [];
  const files: string[] = [];
  const bad: BadDataFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      series.push(clip(readCandleFile(file), o.from, o.to));
      files.push(file);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      bad.push({ file, error: e });
    }
  }
  if (bad.length && !o.skipBadFiles) {
    throw new DataError(`${bad.map((b) => b.error.message).join('; ')} — fix or remove ${bad.length === 1 ? 'it' : 'them'}, or pass --skip-bad-files`);
  }
  if (series.length === 0) throw new DataError(`no readable candle files in ${dir}: ${bad.map((b) => b.error.message).join('; ')}`);
  const tfs = new Set(series.map((s) => s.timeframe));
  if (tfs.size > 1) throw new DataError(`${dir} mixes timeframes: ${[...tfs].join(', ')}`);
  return { series, files, skipped: bad };
}

/**
 * {@link loadCandleData} without skipping: the series of every file, or a DataError.
 * @throws DataError as loadCandleData does
 */
export function loadCandleDir(dir: string, range: { from?: number; to?: number } = {}): CandleSeries[] {
  return loadCandleData(dir, range).series;
}

/**
 * The earliest first open time over `series`, ms UTC: where a replay clock starts.
 * @throws DataError when no series has a candle (e.g. --from/--to outside the data)
 */
export function firstOpenTime(series: readonly CandleSeries[], what: string): number {
  let t = Infinity;
  for (const s of series) if (s.length && s.openTime[0] < t) t = s.openTime[0];
  if (t === Infinity) throw new DataError(`${what}: no candles in the requested time range`);
  return t;
}

function clip(s: CandleSeries, from = -Infinity, to = Infinity): CandleSeries {
  let a = 0;
  while (a < s.length && s.openTime[a] < from) a++;
  let b = a;
  while (b < s.length && s.openTime[b] < to) b++;
  if (a === 0 && b === s.length) return s;
  const sub = (x: Float64Array) => x.subarray(a, b);
  return {
    ...s,
    length: b - a,
    openTime: sub(s.openTime),
    open: sub(s.open),
    high: sub(s.high),
    low: sub(s.low),
    close: sub(s.close),
    volume: sub(s.volume),
    ...(s.takerBuyVolume ? { takerBuyVolume: sub(s.takerBuyVolume) } : {}),
  };
}
