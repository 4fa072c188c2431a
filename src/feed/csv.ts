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

/**
 * Parses a candle CSV (`open_time_ms,open,high,low,close,volume[,taker_buy_base_volume]`, SPEC §3).
 * Rows are kept as read; validation happens in the pipeline so bad rows are counted, not lost silently.
 * @throws DataError naming the file and line when the header or a row's column count is wrong
 */
export function parseCandleCsv(text: string, symbol: string, source = symbol): Omit<CandleSeries, 'timeframe'> {
  const lines = text.split('\n');
  const header = lines[0].trim().split(',');
  if (HEADER.some((h, i) => header[i] !== h)) {
    throw new DataError(`${source}: header must start with ${HEADER.join(',')}, got "${lines[0].trim()}"`);
  }
  const hasTaker = header[6] === 'taker_buy_base_volume';
  const n = lines.length;
  const cols = [0, 1, 2, 3, 4, 5, 6].map(() => new Float64Array(n));
  let len = 0;
  for (let i = 1; i < n; i++) {
    const line = lines[i];
    if (line.length === 0 || line === '\r') continue;
    const f = line.split(',');
    if (f.length < 6) throw new DataError(`${source}:${i + 1}: expected at least 6 columns, got ${f.length}`);
    for (let j = 0; j < 6; j++) cols[j][len] = f[j] === '' ? NaN : Number(f[j]);
    if (hasTaker) cols[6][len] = Number(f[6]);
    len++;
  }
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

/** Reads one `.csv` or `.csv.gz` file. */
export function readCandleFile(path: string, symbol = symbolFromFileName(path)): CandleSeries {
  const buf = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  const s = parseCandleCsv(text, symbol, path);
  if (s.length < 2) throw new DataError(`${path}: fewer than 2 candles`);
  return { ...s, timeframe: inferTimeframe(s.openTime, path) };
}

/** `data/x/BTCUSDT.csv.gz` → `BTCUSDT`. */
export function symbolFromFileName(path: string): string {
  return basename(path).replace(/\.csv(\.gz)?$/i, '').toUpperCase();
}

/**
 * Loads every `*.csv` / `*.csv.gz` file of a folder (symbol = file name), optionally clipped to
 * `[from, to)` by open time. All files must share one timeframe.
 * @throws DataError if the folder has no candle files or mixes timeframes
 */
export function loadCandleDir(dir: string, range: { from?: number; to?: number } = {}): CandleSeries[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.csv(\.gz)?$/i.test(f)).sort();
  } catch (e) {
    throw new DataError(`cannot read data folder ${dir}: ${(e as Error).message}`);
  }
  if (files.length === 0) throw new DataError(`no .csv or .csv.gz candle files in ${dir}`);
  const series = files.map((f) => clip(readCandleFile(join(dir, f)), range.from, range.to));
  const tfs = new Set(series.map((s) => s.timeframe));
  if (tfs.size > 1) throw new DataError(`${dir} mixes timeframes: ${[...tfs].join(', ')}`);
  return series;
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
