import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { parseCandleBytes, parseCandleCsvReference } from '../../src/feed/csv.js';

const COLUMNS = ['openTime', 'open', 'high', 'low', 'close', 'volume', 'takerBuyVolume'] as const;

/** Each column as a plain array (Object.is equality in toEqual keeps -0 and NaN apart), or the DataError's message. */
function outcome(parse: () => ReturnType<typeof parseCandleBytes>): unknown {
  try {
    const s = parse();
    return { length: s.length, ...Object.fromEntries(COLUMNS.map((k) => [k, s[k] ? [...s[k]] : undefined])) };
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return { error: e.message };
  }
}

/** Counts the positions where two arrays differ bit for bit (Object.is). */
function differing(a: Float64Array, b: Float64Array): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

describe('the byte-level CSV reader equals the reference parser (split + Number())', () => {
  const files = readdirSync('data').filter((d) => d.startsWith('binance-')).flatMap((d) => readdirSync(join('data', d)).map((f) => join('data', d, f)));

  it('bit for bit on every bundled data file', () => {
    expect(files.length).toBe(42);
    let rows = 0;
    for (const f of files) {
      const bytes = gunzipSync(readFileSync(f));
      const a = parseCandleCsvReference(bytes.toString('utf8'), 'X', f);
      const b = parseCandleBytes(bytes, 'X', f);
      expect(b.length).toBe(a.length);
      for (const k of COLUMNS) {
        expect(b[k] === undefined).toBe(a[k] === undefined);
        if (a[k] && b[k]) expect(differing(a[k], b[k]), `${f} ${k}`).toBe(0);
      }
      rows += a.length;
    }
    expect(rows).toBe(1_194_976);
  });

  it('on hand-picked edge cases: same values, or the same error message', () => {
    const H = 'open_time_ms,open,high,low,close,volume';
    const cases = [
      `${H}\n0,1,2,0.5,1.5,3\n60000,-0,.5,5.,00012,1e3\n`,
      `${H},taker_buy_base_volume\r\n0,1,2,0.5,1.5,3,1\r\n60000,1,2,0.5,1.5,3\r\n\r\n`,
      `${H}\n0,1,2,0.5,1.5,3,extra,fields\n60000, 1 ,2,0.5,1.5,\n`,
      `${H}\n0,123456789012345678,0.1234567890123456,9007199254740993,1.5,3\n`,
      `${H}\n0,0x10,Infinity,-Infinity,1.5,3\n`,
      `${H}\n1.5,1,2,0.5,1.5,3\n`,
      `${H}\n-5,1,2,0.5,1.5,3\n`,
      `${H}\n0,1,2,0.5\n`,
      `${H}\n0,1,2,0.5\n60000,1,2,0.5,1.5,3\n`,
      `${H}\n0,1,2,-,1.5,3\n`,
      `${H}\n0,1,2,1.2.3,1.5,3\n`,
      `\ufeff${H}\n0,1,2,0.5,1.5,3\n`,
      `time,o\n`,
      ``,
      `${H}`,
      `${H}\n0,1,2,\u00e9,1.5,3\n`,
    ];
    for (const text of cases) {
      expect(outcome(() => parseCandleBytes(Buffer.from(text, 'utf8'), 'X')), JSON.stringify(text)).toEqual(outcome(() => parseCandleCsvReference(text, 'X')));
    }
  });

  it('on real rows with random edits (numbers, garbage, separators, cuts)', () => {
    const real = gunzipSync(readFileSync('data/binance-2025-5m/BTCUSDT.csv.gz')).toString('utf8').split('\n').slice(0, 30);
    const field = fc.oneof(
      fc.double({ noNaN: false }).map(String),
      fc.integer().map(String),
      fc.string({ maxLength: 8 }),
      fc.stringMatching(/^-?[0-9]{0,18}(\.[0-9]{0,18})?$/),
      fc.constantFrom('', '-0', '\r', ',', '\n', ' 1', '1e5', '.', '-'),
    );
    const edit = fc.record({ row: fc.integer({ min: 0, max: 29 }), col: fc.integer({ min: 0, max: 6 }), value: field });
    fc.assert(fc.property(fc.array(edit, { maxLength: 5 }), fc.option(fc.nat()), fc.boolean(), (edits, cut, taker) => {
      const lines = real.map((l) => l.split(','));
      if (taker) lines.forEach((l, i) => l.push(i === 0 ? 'taker_buy_base_volume' : '1.25'));
      for (const e of edits) lines[e.row][e.col] = e.value;
      let text = lines.map((l) => l.join(',')).join('\n') + '\n';
      if (cut !== null) text = text.slice(0, cut % (text.length + 1));
      expect(outcome(() => parseCandleBytes(Buffer.from(text, 'utf8'), 'X'))).toEqual(outcome(() => parseCandleCsvReference(text, 'X')));
    }), { seed: 20261202, numRuns: 2000 });
  });

  it('random bytes: same result or same error', () => {
    const head = Buffer.from('open_time_ms,open,high,low,close,volume\n');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, withHeader) => {
      const b = withHeader ? Buffer.concat([head, bytes]) : Buffer.from(bytes);
      expect(outcome(() => parseCandleBytes(b, 'X'))).toEqual(outcome(() => parseCandleCsvReference(b.toString('utf8'), 'X')));
    }), { seed: 20261202, numRuns: 2000 });
  });
});
