/**
 * Straightforward batch versions of the indicators, written from the formulas (not from the
 * incremental code), to cross-check the rules on real candles. NaN = not ready.
 */
import type { Candle } from '../../src/core/candle.js';

/** EMA α = 2/(n+1) seeded with the first value; ready from index n − 1. */
export function ema(xs: number[], n: number): number[] {
  const a = 2 / (n + 1);
  let e = NaN;
  return xs.map((x, i) => {
    e = i === 0 ? x : x * a + e * (1 - a);
    return i >= n - 1 ? e : NaN;
  });
}

/** Recursive Wilder smoothing α = 1/n seeded with the first value; ready after n inputs. */
function rma(xs: number[], n: number): number[] {
  let e = NaN;
  return xs.map((x, i) => {
    e = i === 0 ? x : x / n + e * (1 - 1 / n);
    return i >= n - 1 ? e : NaN;
  });
}

export function trueRange(cs: Candle[]): number[] {
  return cs.map((c, i) => (i === 0 ? c.high - c.low : Math.max(c.high - c.low, Math.abs(c.high - cs[i - 1].close), Math.abs(c.low - cs[i - 1].close))));
}

export const atr = (cs: Candle[], n: number) => rma(trueRange(cs), n);

/** Wilder RSI with RMA-smoothed gains/losses from the second close on. */
export function rsi(closes: number[], n: number): number[] {
  const g: number[] = [];
  const l: number[] = [];
  for (let i = 1; i < closes.length; i++) {
    const d = closes[i] - closes[i - 1];
    g.push(d > 0 ? d : 0);
    l.push(d > 0 ? 0 : -d);
  }
  const ag = rma(g, n);
  const al = rma(l, n);
  return closes.map((_, i) => (i === 0 || Number.isNaN(ag[i - 1]) ? NaN : al[i - 1] === 0 ? 100 : 100 - 100 / (1 + ag[i - 1] / al[i - 1])));
}

/** z of x[i] against the window x[i−n+1 … i] (population stdev); 0 on a flat window. */
export function rollingZ(xs: number[], n: number): number[] {
  return xs.map((x, i) => {
    if (i < n - 1) return NaN;
    const w = xs.slice(i - n + 1, i + 1);
    const m = w.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / n);
    return sd > 1e-12 * Math.abs(m) ? (x - m) / sd : 0;
  });
}

/** Highest of xs[i−n … i−1] (the n values before i). */
export function priorMax(xs: number[], n: number): number[] {
  return xs.map((_, i) => (i < n ? NaN : Math.max(...xs.slice(i - n, i))));
}
