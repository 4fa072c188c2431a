/**
 * `edgebot download-data`: candle history over ccxt into the `<SYMBOL>.csv.gz` files `replay` and
 * `backtest` read (src/feed/csv.ts), plus `manifest.json` (rows and gaps per symbol).
 *
 * Paginated (`fetchHistory` pages of `pageLimit` rows), rate-limited (ccxt's own limiter, on in
 * `createExchange`), resumable (an existing file is extended: only the range before its first row
 * and after its last is fetched; its rows are never rewritten), validated (every candle through
 * the shared `StreamValidator`; bad rows dropped and counted), and the still-open last candle is
 * left out (the exchange's clock decides what has closed).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Exchange } from 'ccxt';
import { loadConfig } from '../config/load.js';
import type { Candle } from '../core/candle.js';
import { DataError, ExchangeError, UsageError } from '../core/errors.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import { emptyRows, findGaps, mergeRows, missingRanges, parseRows, rowsText, type CandleRows, type Gap, type Range } from '../feed/download.js';
import { createExchange, fetchHistory, resolveMarket, toExchangeError } from '../feed/rest.js';
import { marketDataRestBase } from '../config/venue.js';
import { StreamValidator, type CandleProblem } from '../feed/validate.js';

/** Timeframes download-data fetches (the bot's base timeframes). */
export const DOWNLOAD_TIMEFRAMES = ['1m', '5m', '15m', '1h'] as const satisfies readonly Timeframe[];
export type DownloadTimeframe = (typeof DOWNLOAD_TIMEFRAMES)[number];

/** What to download. Times ms UTC. */
export interface DownloadOptions {
  /** ccxt exchange id (default binance). */
  exchange: string;
  /** REST host override (a fake exchange on loopback, a proxy); default the exchange's own. */
  restBaseUrl?: string;
  /** Symbols (`BTCUSDT` or `BTC/USDT`); exactly one of `symbols` and `top`. */
  symbols?: string[];
  /** The N USDT spot markets with the highest 24 h quote volume (`fetchTickers`). */
  top?: number;
  timeframe: DownloadTimeframe;
  /** First open time wanted (inclusive). */
  from: number;
  /** Open times before this (exclusive); default: up to the exchange's now. */
  to?: number;
  /** Output folder: `<SYMBOL>.csv.gz` and `manifest.json`. */
  out: string;
  /** Rows per request (Binance max 1000). */
  pageLimit?: number;
  /** Request spacing override, ms (default: the exchange's rate limit). */
  rateLimitMs?: number;
  /** Attempts per page on temporary exchange errors (default 5), first retry after `retryDelayMs` (default 1000), doubling. */
  attempts?: number;
  retryDelayMs?: number;
  /** Progress output; `tty` true redraws one line, false prints one line per symbol. */
  progress?: { tty: boolean; write(text: string): void };
}

/** One symbol's part of the run and of `manifest.json`. */
export interface SymbolManifest {
  /** File name in the output folder. */
  file: string;
  /** ccxt market symbol it was fetched as. */
  market: string;
  /** Rows in the file now; first and last open time (ISO, null when empty). */
  rows: number;
  first: string | null;
  last: string | null;
  /** Rows this run added. */
  added: number;
  /**
   * Earliest open time asked of the exchange for this file (ISO): a later run does not ask again
   * for [askedFrom, first row) — the exchange had nothing there (e.g. the market was listed later).
   */
  askedFrom: string | null;
  /** Candles the validator dropped this run, by reason. */
  dropped: Partial<Record<CandleProblem, number>>;
  /** Holes between rows: how many, bars missing in all, and the first 100 (ISO open times, [from, to)). */
  gaps: number;
  missingBars: number;
  gapList: { from: string; to: string; bars: number }[];
}

/** `manifest.json`: what the folder holds. */
export interface DownloadManifest {
  version: 1;
  exchange: string;
  timeframe: DownloadTimeframe;
  updatedAt: string;
  symbols: Record<string, SymbolManifest>;
}

/** The run's result (the CLI prints it as one JSON line). */
export interface DownloadSummary {
  out: string;
  exchange: string;
  timeframe: DownloadTimeframe;
  symbols: string[];
  added: number;
  rows: number;
  dropped: number;
  gaps: number;
  /** Exchange calls made (a fetchOHLCV page, fetchTime, fetchTickers…), retries included. */
  requests: number;
  elapsedMs: number;
}

const iso = (t: number) => new Date(t).toISOString();
const MAX_GAP_LIST = 100;

/**
 * The flags of `download-data` as options; the CLI's parseArgs values go in.
 * @throws UsageError naming the flag: missing --out/--from, both or neither of --symbols/--top,
 *   --top not a whole number 1…500, unknown --timeframe, bad dates, --to not after --from
 */
export function downloadOptions(v: Record<string, string | boolean | undefined>): DownloadOptions {
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const out = str('out');
  if (!out) throw new UsageError('download-data needs --out DIR (the folder for <SYMBOL>.csv.gz and manifest.json)');
  const timeframe = str('timeframe') ?? '1m';
  if (!(DOWNLOAD_TIMEFRAMES as readonly string[]).includes(timeframe)) {
    throw new UsageError(`--timeframe must be one of ${DOWNLOAD_TIMEFRAMES.join(', ')}, got "${timeframe}"`);
  }
  const fromS = str('from');
  if (!fromS) throw new UsageError('download-data needs --from ISO (first candle wanted, e.g. 2025-01-01)');
  const from = isoTime(fromS, '--from');
  const toS = str('to');
  const to = toS === undefined ? undefined : isoTime(toS, '--to');
  if (to !== undefined && !(to > from)) throw new UsageError(`--to ${toS} must be after --from ${fromS}`);
  const symbolsS = str('symbols');
  const topS = str('top');
  if ((symbolsS === undefined) === (topS === undefined)) throw new UsageError('download-data needs exactly one of --symbols A,B and --top N');
  let symbols: string[] | undefined;
  let top: number | undefined;
  if (symbolsS !== undefined) {
    symbols = [...new Set(symbolsS.split(',').map((s) => s.trim()).filter(Boolean))];
    const bad = symbols.find((s) => !/^[A-Za-z0-9]{1,20}(\/[A-Za-z0-9]{1,20})?$/.test(s));
    if (!symbols.length || bad !== undefined) throw new UsageError(`--symbols must be a comma-separated list like BTCUSDT,ETHUSDT${bad !== undefined ? `, got "${bad}"` : ''}`);
  } else {
    top = Number(topS);
    if (!Number.isInteger(top) || top < 1 || top > 500) throw new UsageError(`--top must be a whole number from 1 to 500, got "${topS}"`);
  }
  const exchange = str('exchange') ?? 'binance';
  if (!/^[a-z0-9]{2,40}$/.test(exchange)) throw new UsageError(`--exchange must be a ccxt exchange id like binance, got "${exchange}"`);
  // The config's REST host belongs to its exchange: a fake or proxy for binance is no host for kraken.
  const config = loadConfig({ file: str('config') });
  // Binance's default host in default.json means "the venue's own hosts" on any other venue.
  const restBaseUrl = config.exchange.id === exchange ? marketDataRestBase(config) : undefined;
  return { exchange, ...(restBaseUrl ? { restBaseUrl } : {}), ...(symbols ? { symbols } : { top }), timeframe: timeframe as DownloadTimeframe, from, ...(to === undefined ? {} : { to }), out };
}

function isoTime(s: string, flag: string): number {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`${flag} "${s}" is not an ISO date like 2025-03-01 or 2025-03-01T12:00Z`);
  return t;
}

/**
 * The `n` USDT spot markets with the highest 24 h quote volume, as ccxt symbols (`BTC/USDT`),
 * highest first (ties by symbol). Inactive markets are left out.
 * @throws ExchangeError when the exchange has no fetchTickers or fewer than `n` such markets
 */
export async function topMarkets(ex: Exchange, n: number): Promise<string[]> {
  const markets = await ex.loadMarkets();
  if (!ex.has.fetchTickers) throw new ExchangeError(`${ex.id} has no fetchTickers: use --symbols`, false);
  const tickers = await ex.fetchTickers();
  const ranked = Object.values(markets)
    .filter((m) => m && m.spot && m.quote === 'USDT' && m.active !== false)
    .map((m) => ({ symbol: m!.symbol, qv: tickers[m!.symbol]?.quoteVolume ?? 0 }))
    .sort((a, b) => b.qv - a.qv || a.symbol.localeCompare(b.symbol));
  if (ranked.length < n) throw new ExchangeError(`${ex.id} lists only ${ranked.length} USDT spot markets, fewer than --top ${n}`, false);
  return ranked.slice(0, n).map((r) => r.symbol);
}

/** Writes `path` via a temporary file and a rename, so a crash never leaves half a file. */
function writeAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.part`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Reads an existing `<SYMBOL>.csv.gz` for resuming (empty rows when absent). @throws DataError when it is corrupt */
function readExisting(path: string, tfMs: number): CandleRows {
  if (!existsSync(path)) return emptyRows();
  let text: string;
  try {
    text = gunzipSync(readFileSync(path)).toString('utf8');
  } catch (e) {
    throw new DataError(`${path}: cannot be resumed (${(e as Error).message}) — move it away and download again`, { cause: e });
  }
  return parseRows(text, tfMs, path);
}

/** Gzip level 9 and no mtime (Node writes 0): the same rows give the same bytes on every run. */
const gz = (rows: CandleRows) => gzipSync(rowsText(rows), { level: 9 });

/**
 * Downloads (or extends) every symbol's file and rewrites manifest.json (entries of symbols not
 * in this run are kept). One symbol at a time; a symbol's file is written after each fetched
 * range and every 100 pages of its tail, so an interrupted run resumes where it stopped.
 * @throws ExchangeError (after the retries, for temporary errors), DataError (an existing file cannot be resumed)
 */
export async function downloadData(o: DownloadOptions): Promise<DownloadSummary> {
  const t0 = performance.now();
  const tfMs = timeframeMs(o.timeframe);
  const pageLimit = o.pageLimit ?? 1000;
  const attempts = o.attempts ?? 5;
  const retryDelayMs = o.retryDelayMs ?? 1000;
  const ex = await createExchange({ id: o.exchange, ...(o.restBaseUrl ? { restBaseUrl: o.restBaseUrl } : {}), ...(o.rateLimitMs === undefined ? {} : { rateLimitMs: o.rateLimitMs }) });
  let requests = 0;
  /** One exchange call with retries of temporary errors (exponential backoff). */
  const call = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    for (let k = 1; ; k++) {
      requests++;
      try {
        return await f();
      } catch (e) {
        const err = await toExchangeError(e, `${o.exchange} ${what}`);
        if (!err.temporary || k >= attempts) throw err;
        await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (k - 1)));
      }
    }
  };
  // The exchange's clock decides which candle is still open (a fake's simulated time, or the venue's).
  const now = ex.has.fetchTime ? await call('fetchTime', () => ex.fetchTime()).then((t) => t ?? Date.now()) : Date.now();
  const to = Math.min(o.to ?? Infinity, Math.floor(now / tfMs) * tfMs);
  const markets = o.symbols
    ? await Promise.all(o.symbols.map((s) => call(`loadMarkets ${s}`, () => resolveMarket(ex, s))))
    : await call('fetchTickers', () => topMarkets(ex, o.top!));
  mkdirSync(o.out, { recursive: true });
  const manifestPath = join(o.out, 'manifest.json');
  const old = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<DownloadManifest>) : {};
  const manifest: DownloadManifest = {
    version: 1, exchange: o.exchange, timeframe: o.timeframe, updatedAt: iso(now),
    symbols: old.exchange === o.exchange && old.timeframe === o.timeframe ? { ...old.symbols } : {},
  };
  const names: string[] = [];
  let added = 0;
  let dropped = 0;
  const tty = o.progress?.tty ?? false;
  const show = (text: string) => o.progress?.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
  for (const [si, market] of markets.entries()) {
    const m = ex.markets![market];
    const name = `${m.base}${m.quote}`.toUpperCase();
    names.push(name);
    const file = `${name}.csv.gz`;
    const path = join(o.out, file);
    if (existsSync(join(o.out, `${name}.csv`))) throw new DataError(`${join(o.out, `${name}.csv`)} exists: replay would read both it and ${file}; move one away`);
    let rows = readExisting(path, tfMs);
    const before = manifest.symbols[name];
    // Trust the manifest's askedFrom only for the file it describes (rows present).
    const askedBefore = before?.askedFrom && rows.openTimes.length ? Date.parse(before.askedFrom) : Infinity;
    const ranges = missingRanges(rows, o.from, to, tfMs, askedBefore);
    let askedFrom = askedBefore;
    const total = ranges.reduce((a, r) => a + (r.to - r.from) / tfMs, 0);
    let done = 0;
    let addedHere = 0;
    const droppedHere: Partial<Record<CandleProblem, number>> = {};
    for (const range of ranges) {
      // Only a tail (after every row the file has) may be saved part-way: a saved partial head
      // would leave a hole the next run takes for an exchange gap.
      const tail = !rows.openTimes.length || range.from > rows.openTimes[rows.openTimes.length - 1];
      const got = await fetchRange(range, tail ? (cs) => {
        const r = mergeRows(rows, cs);
        rows = r.rows;
        addedHere += r.added;
        writeAtomic(path, gz(rows));
      } : null);
      const r = mergeRows(rows, got);
      rows = r.rows;
      addedHere += r.added;
      askedFrom = Math.min(askedFrom, range.from);
      // No file for a symbol without candles: replay refuses files with fewer than 2 rows anyway.
      if (r.added) writeAtomic(path, gz(rows));
    }
    /** Fetches one range page by page, validated; `flush` (tail only) gets every 100 pages' candles. */
    async function fetchRange(range: Range, flush: ((cs: Candle[]) => void) | null): Promise<Candle[]> {
      const v = new StreamValidator(tfMs);
      let batch: Candle[] = [];
      let pages = 0;
      for (let cursor = range.from; cursor < range.to;) {
        const until = Math.min(range.to, cursor + pageLimit * tfMs);
        const page = await call(`fetchOHLCV ${market}`, () => fetchHistory(ex, { symbol: market, timeframe: o.timeframe, since: cursor, until, now, pageLimit }));
        for (const c of page) if (v.accept(c) === null) batch.push(c);
        // fetchHistory pages until `until` or the exchange runs out; either way this window is done.
        done += (until - cursor) / tfMs;
        cursor = until;
        show(`[download-data] ${name} (${si + 1}/${markets.length}) ${total ? Math.floor((done / total) * 100) : 100}% — ${rows.lines.length + batch.length} rows`);
        if (flush && ++pages % 100 === 0 && batch.length) {
          flush(batch);
          batch = [];
        }
      }
      for (const [k, n] of Object.entries(v.dropped)) droppedHere[k as CandleProblem] = (droppedHere[k as CandleProblem] ?? 0) + (n ?? 0);
      return batch;
    }
    const gaps: Gap[] = findGaps(rows.openTimes, tfMs);
    const n = rows.openTimes.length;
    manifest.symbols[name] = {
      file, market, rows: n,
      first: n ? iso(rows.openTimes[0]) : null,
      last: n ? iso(rows.openTimes[n - 1]) : null,
      added: addedHere,
      askedFrom: n && askedFrom !== Infinity ? iso(Math.min(askedFrom, rows.openTimes[0])) : n ? iso(rows.openTimes[0]) : null,
      dropped: droppedHere,
      gaps: gaps.length,
      missingBars: gaps.reduce((a, g) => a + g.bars, 0),
      gapList: gaps.slice(0, MAX_GAP_LIST).map((g) => ({ from: iso(g.from), to: iso(g.to), bars: g.bars })),
    };
    added += addedHere;
    dropped += Object.values(droppedHere).reduce((a, x) => a + (x ?? 0), 0);
    if (!tty) show(`[download-data] ${name}: ${n} rows (+${addedHere}), ${gaps.length} gaps`);
    // After every symbol, so a run stopped later still describes what it finished.
    writeAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  }
  if (tty) o.progress?.write('\n');
  writeAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return {
    out: o.out, exchange: o.exchange, timeframe: o.timeframe, symbols: names, added,
    rows: names.reduce((a, s) => a + manifest.symbols[s].rows, 0),
    dropped, gaps: names.reduce((a, s) => a + manifest.symbols[s].gaps, 0), requests, elapsedMs: Math.round(performance.now() - t0),
  };
}
