import type { RatingsSnapshot } from './schema.js';

/**
 * The ratings snapshot packed for the state file: every number of it as one little-endian
 * Float64Array in base64, plus the row lengths needed to cut it apart again. Bit-exact (NaN
 * stands for "no previous close/volume"), about half the size of the same numbers as JSON, and
 * one string for `JSON.stringify` to copy instead of tens of thousands of numbers to format —
 * at 1,000 coins the snapshot is most of every state write.
 */
export interface PackedRatings {
  packed: 1;
  key: string;
  lastStepTime: number;
  steps: number;
  /** Coins. */
  n: number;
  /** Length of each coin's `returns` row, and of each coin's `maZ` row. */
  returnsRow: number;
  maZRows: number[];
  data: string;
}

/** Packs a snapshot; see {@link PackedRatings}. */
export function packRatings(s: RatingsSnapshot): PackedRatings {
  const n = s.rating.length;
  const returnsRow = s.returns[0]?.length ?? 0;
  const maZRows = s.maZ.map((r) => r.length);
  const f = new Float64Array(7 * n + n * returnsRow + maZRows.reduce((a, b) => a + b, 0));
  let k = 0;
  for (const col of [s.rating, s.rd, s.volatility, s.prevClose, s.prevVolume, s.z, s.prevMaZ]) {
    for (let i = 0; i < n; i++) f[k++] = col[i] ?? NaN;
  }
  for (const rows of [s.returns, s.maZ]) for (const row of rows) for (const x of row) f[k++] = x;
  return { packed: 1, key: s.key, lastStepTime: s.lastStepTime, steps: s.steps, n, returnsRow, maZRows, data: Buffer.from(f.buffer).toString('base64') };
}

/**
 * Unpacks {@link packRatings}' output.
 * @returns null when the data does not have the size its row lengths promise (a damaged file)
 */
export function unpackRatings(p: PackedRatings): RatingsSnapshot | null {
  const buf = Buffer.from(p.data, 'base64');
  const { n, returnsRow, maZRows } = p;
  if (maZRows.length !== n || buf.length !== 8 * (7 * n + n * returnsRow + maZRows.reduce((a, b) => a + b, 0))) return null;
  const f = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  let k = 0;
  const col = () => Array.from(f.subarray(k, (k += n)));
  const nullable = (xs: number[]) => xs.map((x) => (Number.isNaN(x) ? null : x));
  const [rating, rd, volatility, prevClose, prevVolume, z, prevMaZ] = [col(), col(), col(), col(), col(), col(), col()];
  const returns = Array.from({ length: n }, () => Array.from(f.subarray(k, (k += returnsRow))));
  const maZ = maZRows.map((len) => Array.from(f.subarray(k, (k += len))));
  return {
    key: p.key, lastStepTime: p.lastStepTime, steps: p.steps, rating, rd, volatility,
    prevClose: nullable(prevClose), prevVolume: nullable(prevVolume), returns, maZ, z, prevMaZ,
  };
}
