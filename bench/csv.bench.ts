/**
 * Parsing the bundled 2025 5m set (14 files, 673,344 candles, already gunzipped in memory): the
 * byte-level reader vs the old split + Number() parser, alternated 5 times in one process; and
 * the byte reader vs csv-parse (casting numbers) on one of the files (BTCUSDT, 48,096 rows:
 * csv-parse takes seconds per file), alternated 3 times. Also the whole load (read + gunzip + parse).
 * Goal: the byte reader ≥ 2× csv-parse (else csv-parse would be kept) — and faster than the old parser.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { loadCandleDir, parseCandleBytes, parseCandleCsvReference } from '../src/feed/csv.js';
import { median, report, round } from './common.js';

const DATA = 'data/binance-2025-5m';
const texts = readdirSync(DATA).sort().map((f) => gunzipSync(readFileSync(join(DATA, f))));
const strings = texts.map((b) => b.toString('utf8'));

function bytes(): number {
  let n = 0;
  for (const b of texts) n += parseCandleBytes(b, 'X').length;
  return n;
}
function reference(): number {
  let n = 0;
  for (const s of strings) n += parseCandleCsvReference(s, 'X').length;
  return n;
}
/** csv-parse into the same columns (Float64Array per field), numbers cast with Number as it does. */
const one = texts[readdirSync(DATA).sort().indexOf('BTCUSDT.csv.gz')];
function csvParse(): number {
  let n = 0;
  for (const b of [one]) {
    const rows = parse(b, { from_line: 2, cast: (v) => Number(v) }) as unknown as number[][];
    const cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(rows.length));
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < 6; j++) cols[j][i] = rows[i][j];
    n += rows.length;
  }
  return n;
}

const t = { bytes: [] as number[], reference: [] as number[], load: [] as number[], csvParse: [] as number[], bytesOne: [] as number[] };
let candles = 0;
for (let i = 0; i < 5; i++) {
  for (const [k, f] of [['bytes', bytes], ['reference', reference], ['load', () => loadCandleDir(DATA).reduce((a, s) => a + s.length, 0)]] as const) {
    const t0 = performance.now();
    candles = f();
    t[k].push(performance.now() - t0);
  }
}
for (let i = 0; i < 3; i++) {
  for (const [k, f] of [['csvParse', csvParse], ['bytesOne', () => parseCandleBytes(one, 'X').length]] as const) {
    const t0 = performance.now();
    f();
    t[k].push(performance.now() - t0);
  }
}
const m = { bytes: median(t.bytes), reference: median(t.reference), csvParse: median(t.csvParse), bytesOne: median(t.bytesOne), load: median(t.load) };
report('csv', {
  candles, bytesMs: round(m.bytes, 0), referenceMs: round(m.reference, 0), loadWithGunzipMs: round(m.load, 0),
  oneFileBytesMs: round(m.bytesOne, 1), oneFileCsvParseMs: round(m.csvParse, 0), vsCsvParse: round(m.csvParse / m.bytesOne), vsOldParser: round(m.reference / m.bytes), loadCandlesPerSecond: Math.round(candles / (m.load / 1000)),
}, 'byte reader ≥ 2× csv-parse', m.csvParse / m.bytesOne >= 2);
