import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/app/cli.js';
import { downloadData, downloadOptions, type DownloadManifest, type DownloadOptions } from '../../src/app/download-data.js';
import { ExchangeError, UsageError } from '../../src/core/errors.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import { findGaps, mergeRows, missingRanges, parseRows } from '../../src/feed/download.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, HOUR, MINUTE, sourceCandles } from '../fakes/binance/harness.js';

const T0 = Date.UTC(2021, 3, 20, 0, 0);
const DAY = 24 * HOUR;
const dir = mkdtempSync(join(tmpdir(), 'edgebot-download-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gz = (d: string, sym: string) => readFileSync(join(d, `${sym}.csv.gz`));
const manifestOf = (d: string) => JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as DownloadManifest;

/** A copy of `s` without the rows whose index `drop` accepts, and with `edit` applied to the rest. */
function edited(s: CandleSeries, drop: (t: number) => boolean, edit: (t: number, row: Record<'open' | 'high' | 'low' | 'close' | 'volume', number>) => void = () => {}): CandleSeries {
  const keep: number[] = [];
  for (let i = 0; i < s.length; i++) if (!drop(s.openTime[i])) keep.push(i);
  const col = (x: Float64Array) => Float64Array.from(keep, (i) => x[i]);
  const out = { ...s, length: keep.length, openTime: col(s.openTime), open: col(s.open), high: col(s.high), low: col(s.low), close: col(s.close), volume: col(s.volume) };
  delete (out as { takerBuyVolume?: Float64Array }).takerBuyVolume;
  for (let i = 0; i < out.length; i++) {
    const row = { open: out.open[i], high: out.high[i], low: out.low[i], close: out.close[i], volume: out.volume[i] };
    edit(out.openTime[i], row);
    out.open[i] = row.open;
    out.high[i] = row.high;
    out.low[i] = row.low;
    out.close[i] = row.close;
    out.volume[i] = row.volume;
  }
  return out;
}

describe('download-data resume and merge logic (pure)', () => {
  const text = 'open_time_ms,open,high,low,close,volume\n120000,1,2,0.5,1.5,10\n180000,1.5,2,1,1.8,3\n';
  it('finds the head and the tail still missing, never a hole inside', () => {
    const rows = parseRows(text, MINUTE, 'x.csv');
    expect(rows.openTimes).toEqual([120_000, 180_000]);
    expect(missingRanges(rows, 0, 600_000, MINUTE)).toEqual([{ from: 0, to: 120_000 }, { from: 240_000, to: 600_000 }]);
    expect(missingRanges(rows, 130_000, 240_000, MINUTE)).toEqual([]);
    expect(missingRanges(parseRows('open_time_ms,open,high,low,close,volume\n', MINUTE, 'e'), 61_000, 300_000, MINUTE)).toEqual([{ from: 120_000, to: 300_000 }]);
    // An earlier run already asked from 60 000 on: only [0, 60 000) is new in the head.
    expect(missingRanges(rows, 0, 240_000, MINUTE, 60_000)).toEqual([{ from: 0, to: 60_000 }]);
    expect(missingRanges(rows, 60_000, 240_000, MINUTE, 60_000)).toEqual([]);
  });
  it('merges by open time, keeping the rows the file has', () => {
    const rows = parseRows(text, MINUTE, 'x.csv');
    const c = (t: number, close: number) => ({ openTime: t, closeTime: t + MINUTE, open: 1, high: 3, low: 0.5, close, volume: 1 });
    const m = mergeRows(rows, [c(60_000, 2), c(180_000, 9), c(300_000, 2.5)]);
    expect(m.added).toBe(2);
    expect(m.rows.lines).toEqual(['60000,1,3,0.5,2,1', '120000,1,2,0.5,1.5,10', '180000,1.5,2,1,1.8,3', '300000,1,3,0.5,2.5,1']);
    expect(findGaps(m.rows.openTimes, MINUTE)).toEqual([{ from: 240_000, to: 300_000, bars: 1 }]);
  });
  it('refuses to resume a file of another timeframe', () => {
    expect(() => parseRows('open_time_ms,open,high,low,close,volume\n0,1,1,1,1,1\n30000,1,1,1,1,1\n', MINUTE, 'x.csv')).toThrow(/not on the 1m grid/);
  });
});

describe('edgebot download-data against the fake Binance', () => {
  let series: CandleSeries[];
  let fake: FakeBinance;
  const NOW = T0 + 30_000; // the T0 candle is still forming
  const base = (out: string, extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    exchange: 'binance', restBaseUrl: fake.restBaseUrl, symbols: ['BTCUSDT', 'ETH/USDT'], timeframe: '1m', from: T0 - DAY, out, ...extra,
  });
  beforeAll(async () => {
    series = loadCandleDir(DATA_2021_1M, { from: T0 - 2 * DAY, to: T0 + 2 * HOUR });
    fake = await FakeBinance.start({ series, now: NOW });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('downloads paginated, drops the still-open candle, writes what replay reads, and a manifest', async () => {
    const out = join(dir, 'one');
    const before = fake.restCount('/api/v3/klines');
    const s = await downloadData(base(out));
    expect(s.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(s.added).toBe(2 * 1440);
    // 1440 rows per symbol in pages of 1000: 2 requests each.
    expect(fake.restCount('/api/v3/klines') - before).toBe(4);
    const got = loadCandleDir(out);
    expect(got.map((g) => [g.symbol, g.timeframe, g.length])).toEqual([['BTCUSDT', '1m', 1440], ['ETHUSDT', '1m', 1440]]);
    for (const g of got) {
      const want = sourceCandles(series.find((x) => x.symbol === g.symbol)!, T0 - DAY, T0);
      expect(sourceCandles(g, 0, Infinity)).toEqual(want);
      expect(g.openTime[g.length - 1]).toBe(T0 - MINUTE);
    }
    const m = manifestOf(out);
    expect(m).toMatchObject({ version: 1, exchange: 'binance', timeframe: '1m' });
    expect(m.symbols.BTCUSDT).toMatchObject({ file: 'BTCUSDT.csv.gz', market: 'BTC/USDT', rows: 1440, first: new Date(T0 - DAY).toISOString(), last: new Date(T0 - MINUTE).toISOString(), added: 1440, gaps: 0, missingBars: 0, dropped: {} });
  });

  it('a re-run appends only the missing tail: no duplicates, the same bytes as one run', async () => {
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    // First half only, then the rest.
    await downloadData(base(two, { to: T0 - 12 * HOUR }));
    expect(loadCandleDir(two)[0].length).toBe(720);
    let before = fake.restCount('/api/v3/klines');
    const s = await downloadData(base(two));
    expect(s.added).toBe(2 * 720);
    expect(fake.restCount('/api/v3/klines') - before).toBe(2); // one page of 720 per symbol
    expect(gz(two, 'BTCUSDT').equals(gz(one, 'BTCUSDT'))).toBe(true);
    expect(gz(two, 'ETHUSDT').equals(gz(one, 'ETHUSDT'))).toBe(true);
    const t = loadCandleDir(two)[0].openTime;
    expect(new Set(t).size).toBe(t.length);
    // Nothing missing: no kline request, the file untouched.
    before = fake.restCount('/api/v3/klines');
    expect((await downloadData(base(two))).added).toBe(0);
    expect(fake.restCount('/api/v3/klines') - before).toBe(0);
    expect(gz(two, 'BTCUSDT').equals(gz(one, 'BTCUSDT'))).toBe(true);
    // Time moves on 10 minutes and 20 s: ten more candles have closed.
    fake.advanceTo(NOW + 10 * MINUTE);
    const later = await downloadData(base(two));
    expect(later.added).toBe(20);
    const btc = loadCandleDir(two)[0];
    expect(btc.length).toBe(1450);
    expect(btc.openTime[btc.length - 1]).toBe(T0 + 9 * MINUTE);
    expect(manifestOf(two).symbols.BTCUSDT).toMatchObject({ rows: 1450, added: 10, gaps: 0 });
  });

  it('--top 3 picks the three USDT markets with the most 24 h quote volume', async () => {
    const tickers = (await (await fetch(`${fake.restBaseUrl}/api/v3/ticker/24hr`)).json()) as { symbol: string; quoteVolume: string }[];
    expect(tickers).toHaveLength(series.length);
    const want = tickers.sort((a, b) => Number(b.quoteVolume) - Number(a.quoteVolume)).slice(0, 3).map((t) => t.symbol);
    const out = join(dir, 'top');
    const cfg = join(dir, 'fake.json');
    writeFileSync(cfg, JSON.stringify({ exchange: { restBaseUrl: fake.restBaseUrl } }));
    const stdout: string[] = [];
    const stderr: string[] = [];
    const sink = (acc: string[]) => new Writable({ write: (c, _e, cb) => (acc.push(String(c)), cb()) });
    const code = await main(['download-data', '--top', '3', '--from', new Date(T0 - 2 * HOUR).toISOString(), '--out', out, '--config', cfg],
      { stdout: sink(stdout), stderr: sink(stderr), env: {} });
    expect(stderr.join('')).toContain('[download-data] ');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.join(''));
    expect(summary.symbols).toEqual(want);
    expect(summary.rows).toBe(3 * 120 + 3 * 10);
    expect(loadCandleDir(out).map((s) => s.symbol).sort()).toEqual([...want].sort());
  });
});

describe('download-data: exchange gaps and bad rows', () => {
  let fake: FakeBinance;
  const GAP = [T0 - 3 * HOUR, T0 - 3 * HOUR + 7 * MINUTE]; // 7 bars the exchange does not have
  const BAD = T0 - HOUR; // a candle whose high is below its close
  beforeAll(async () => {
    const src = loadCandleDir(DATA_2021_1M, { from: T0 - DAY, to: T0 + HOUR }).filter((s) => s.symbol === 'SOLUSDT');
    const s = edited(src[0], (t) => t >= GAP[0] && t < GAP[1], (t, r) => {
      if (t === BAD) r.high = r.close * 0.99;
    });
    fake = await FakeBinance.start({ series: [s], now: T0 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('reports the gap and the dropped row in the manifest; the output still replays', async () => {
    const out = join(dir, 'gaps');
    const s = await downloadData({ exchange: 'binance', restBaseUrl: fake.restBaseUrl, symbols: ['SOLUSDT'], timeframe: '1m', from: T0 - 6 * HOUR, to: T0, out, pageLimit: 100 });
    expect(s).toMatchObject({ added: 360 - 7 - 1, dropped: 1, gaps: 2 });
    const m = manifestOf(out).symbols.SOLUSDT;
    expect(m.dropped).toEqual({ 'high-below-body': 1 });
    expect(m.gapList).toEqual([
      { from: new Date(GAP[0]).toISOString(), to: new Date(GAP[1]).toISOString(), bars: 7 },
      { from: new Date(BAD).toISOString(), to: new Date(BAD + MINUTE).toISOString(), bars: 1 },
    ]);
    expect(m.missingBars).toBe(8);
    const [sol] = loadCandleDir(out);
    expect(sol.length).toBe(352);
  });

  it('asks only once for a range the exchange has nothing in (a market listed later)', async () => {
    const out = join(dir, 'late');
    const o = { exchange: 'binance', restBaseUrl: fake.restBaseUrl, symbols: ['SOLUSDT'], timeframe: '1m' as const, from: T0 - 2 * DAY, to: T0, out };
    const first = await downloadData(o);
    // The fake's SOLUSDT starts a day before T0; the gap and the bad row are inside.
    expect(first.added).toBe(1440 - 8);
    expect(manifestOf(out).symbols.SOLUSDT).toMatchObject({ first: new Date(T0 - DAY).toISOString(), askedFrom: new Date(T0 - 2 * DAY).toISOString() });
    const before = fake.restCount('/api/v3/klines');
    expect((await downloadData(o)).added).toBe(0);
    expect(fake.restCount('/api/v3/klines') - before).toBe(0);
  });
});

describe('download-data: interrupted and flaky', () => {
  let fake: FakeBinance;
  let series: CandleSeries[];
  beforeAll(async () => {
    series = loadCandleDir(DATA_2021_1M, { from: T0 - DAY, to: T0 + HOUR }).filter((s) => s.symbol === 'BNBUSDT');
    fake = await FakeBinance.start({ series, now: T0 });
  });
  afterAll(async () => {
    await fake.close();
  });
  const opts = (out: string, extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    exchange: 'binance', restBaseUrl: fake.restBaseUrl, symbols: ['BNBUSDT'], timeframe: '1m', from: T0 - 12 * HOUR, to: T0, out,
    pageLimit: 5, rateLimitMs: 1, attempts: 2, retryDelayMs: 1, ...extra,
  });

  it('an interrupted download keeps what it saved and a re-run completes it to the one-run bytes', async () => {
    const whole = join(dir, 'whole');
    await downloadData(opts(whole));
    const cut = join(dir, 'cut');
    let pages = 0;
    // The exchange goes down after 130 pages of 5 rows: the tail was saved at page 100.
    const err = await downloadData(opts(cut, { progress: { tty: true, write: () => void (++pages === 130 && fake.failRest('/api/v3/klines', 2)) } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExchangeError);
    expect((err as ExchangeError).temporary).toBe(true);
    expect(loadCandleDir(cut)[0].length).toBe(500);
    const s = await downloadData(opts(cut));
    expect(s.added).toBe(720 - 500);
    expect(gz(cut, 'BNBUSDT').equals(gz(whole, 'BNBUSDT'))).toBe(true);
  });

  it('retries temporary exchange errors', async () => {
    const out = join(dir, 'flaky');
    fake.failRest('/api/v3/klines', 1);
    const s = await downloadData(opts(out, { pageLimit: 1000 }));
    expect(s.added).toBe(720);
    expect(gz(out, 'BNBUSDT').equals(gz(join(dir, 'whole'), 'BNBUSDT'))).toBe(true);
  });
});

describe('download-data flags', () => {
  const ok = { out: 'd', from: '2025-01-01', symbols: 'BTCUSDT' };
  const usage = (v: Record<string, string | undefined>, flag: string) => {
    let e: unknown;
    try {
      downloadOptions(v);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toContain(flag);
  };
  it('names the flag that is wrong', () => {
    usage({ ...ok, out: undefined }, '--out');
    usage({ ...ok, from: undefined }, '--from');
    usage({ ...ok, from: 'yesterday' }, '--from');
    usage({ ...ok, to: '2024-01-01' }, '--to');
    usage({ ...ok, timeframe: '3m' }, '--timeframe');
    usage({ ...ok, top: '3' }, '--top');
    usage({ ...ok, symbols: undefined, top: 'ten' }, '--top');
    usage({ ...ok, symbols: 'BTC USDT' }, '--symbols');
    usage({ ...ok, exchange: 'Bin ance' }, '--exchange');
    expect(downloadOptions(ok)).toMatchObject({ exchange: 'binance', timeframe: '1m', symbols: ['BTCUSDT'], from: Date.UTC(2025, 0, 1), out: 'd' });
  });
  it('the CLI exits 2 with the message', async () => {
    const err: string[] = [];
    const code = await main(['download-data', '--symbols', 'BTCUSDT', '--from', '2025-01-01', '--out', join(dir, 'x'), '--timeframe', '4h'],
      { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: new Writable({ write: (c, _e, cb) => (err.push(String(c)), cb()) }), env: {} });
    expect(code).toBe(2);
    expect(err.join('')).toContain('--timeframe must be one of 1m, 5m, 15m, 1h, got "4h"');
  });
});
