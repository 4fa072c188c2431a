import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { prepareReplay } from '../../src/app/replay.js';
import { runBacktest } from '../../src/app/backtest.js';
import { loadCandleData, loadCandleDir, readCandleFile } from '../../src/feed/csv.js';

const REAL = 'data/binance-2025-1h';
const GZ = readFileSync(join(REAL, 'BTCUSDT.csv.gz'));
const tmp = mkdtempSync(join(tmpdir(), 'edgebot-data-files-'));
const put = (name: string, bytes: Buffer | string) => {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
};
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message;
  }
  throw new Error('expected a DataError');
};
const CSV = 'open_time_ms,open,high,low,close,volume\n0,1,2,0.5,1.5,3\n60000,1,2,0.5,1.5,3\n120000,1,2,0.5,1.5,3\n';

describe('a corrupt data file is refused with a DataError naming the file and the problem', () => {
  it.each<[string, string, Buffer | string, RegExp]>([
    ['truncated gzip', 'A.csv.gz', GZ.subarray(0, Math.floor(GZ.length / 2)), /truncated gzip/],
    ['gzip cut in its header', 'B.csv.gz', GZ.subarray(0, 5), /truncated gzip|bad gzip/],
    ['not gzip at all', 'C.csv.gz', 'open_time_ms,open\n', /bad gzip — not a gzip file/],
    ['corrupt deflate data', 'D.csv.gz', Buffer.concat([GZ.subarray(0, 20), Buffer.alloc(200, 0xab), GZ.subarray(220)]), /bad gzip|truncated gzip/],
    ['gzip named .csv', 'E.csv', GZ, /gzip data in a \.csv file/],
    ['bad header', 'F.csv', 'time,o,h,l,c,v\n1,2,3,4,5,6\n', /bad header — must start with open_time_ms/],
    ['bad row (text)', 'G.csv', CSV.replace('60000,1,2,0.5,1.5,3', '60000,1,2,abc,1.5,3'), /bad row 3: low "abc" is not a number/],
    ['bad row (no time)', 'H.csv', CSV.replace('60000,', ','), /bad row 3: open_time_ms "" is not a time in ms/],
    ['truncated last row', 'I.csv', CSV.slice(0, -12), /bad row 4: expected 6 columns, got \d \(truncated file\?\)/],
    ['fewer than 2 candles', 'J.csv', 'open_time_ms,open,high,low,close,volume\n0,1,2,0.5,1.5,3\n', /fewer than 2 candles/],
    ['no timeframe', 'K.csv', 'open_time_ms,open,high,low,close,volume\n0,1,2,0.5,1.5,3\n7,1,2,0.5,1.5,3\n', /cannot infer timeframe/],
    ['gzip of garbage text', 'L.csv.gz', gzipSync('\u0000\u0001binary'), /bad header/],
  ])('%s', (_name, file, bytes, re) => {
    const p = put(file, bytes);
    const msg = refusal(() => readCandleFile(p));
    expect(msg.startsWith(`${p}: `)).toBe(true);
    expect(msg).toMatch(re);
  });

  it('a real file still loads, and loadCandleDir refuses a folder with a bad file, naming it', () => {
    expect(readCandleFile(join(REAL, 'BTCUSDT.csv.gz')).length).toBeGreaterThan(1000);
    const dir = join(tmp, 'mixed');
    mkdirSync(dir);
    copyFileSync(join(REAL, 'BTCUSDT.csv.gz'), join(dir, 'BTCUSDT.csv.gz'));
    copyFileSync(join(REAL, 'ETHUSDT.csv.gz'), join(dir, 'ETHUSDT.csv.gz'));
    writeFileSync(join(dir, 'XRPUSDT.csv.gz'), GZ.subarray(0, 1000));
    const msg = refusal(() => loadCandleDir(dir));
    expect(msg).toContain(`${join(dir, 'XRPUSDT.csv.gz')}: truncated gzip`);
    expect(msg).toContain('--skip-bad-files');
    const r = loadCandleData(dir, { skipBadFiles: true });
    expect(r.series.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(r.skipped.map((b) => b.file)).toEqual([join(dir, 'XRPUSDT.csv.gz')]);
    expect(r.files).toEqual([join(dir, 'BTCUSDT.csv.gz'), join(dir, 'ETHUSDT.csv.gz')]);
  });
});

describe('--skip-bad-files in replay and backtest', () => {
  const dir = join(tmp, 'skip');
  mkdirSync(dir);
  for (const f of ['BTCUSDT.csv.gz', 'ETHUSDT.csv.gz', 'SOLUSDT.csv.gz']) copyFileSync(join(REAL, f), join(dir, f));
  writeFileSync(join(dir, 'BADUSDT.csv.gz'), GZ.subarray(0, 4096));
  writeFileSync(join(tmp, 'lp.json'), '{}');
  const cfg = put('replay.json', JSON.stringify({
    chat: 'console', execution: { autoTrade: 'paper' },
    paths: { liveParams: join(tmp, 'lp.json'), validatedSignals: join(tmp, 'none.json'), state: join(tmp, 'state.json'), logDir: join(tmp, 'logs') },
    log: { level: 'warn' },
  }));
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const range = { from: Date.parse('2025-03-01T00:00Z'), to: Date.parse('2025-03-03T00:00Z') };

  it('replay refuses the folder without the flag and runs without the file with it', async () => {
    const err = await prepareReplay({ data: dir, config: cfg, ...range, statePath: join(tmp, 'r1.json'), input: null, output: sink() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(`${join(dir, 'BADUSDT.csv.gz')}: truncated gzip`);
    const s = await prepareReplay({ data: dir, config: cfg, ...range, statePath: join(tmp, 'r2.json'), input: null, output: sink(), skipBadFiles: true });
    expect(s.skipped.map((b) => b.file)).toEqual([join(dir, 'BADUSDT.csv.gz')]);
    expect(s.rt.coinSymbols).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    const summary = await s.run();
    expect(summary.candles).toBe(3 * 48);
  });

  it('backtest likewise, and lists the skipped file in its summary', async () => {
    const o = { data: [dir], config: cfg, ...range, out: join(tmp, 'bt', 'v.json'), report: join(tmp, 'bt', 'r.md'), trials: join(tmp, 'bt', 'trials.jsonl'), command: 'test' };
    await expect(runBacktest(o)).rejects.toThrow(/BADUSDT\.csv\.gz: truncated gzip/);
    const summary = await runBacktest({ ...o, skipBadFiles: true });
    expect(summary.skippedFiles).toEqual([{ file: join(dir, 'BADUSDT.csv.gz'), problem: expect.stringMatching(/BADUSDT\.csv\.gz: truncated gzip/) }]);
    expect(summary.baseCandles).toBe(3 * 48);
  });
});
