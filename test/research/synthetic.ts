/**
 * Synthetic candle data for the research checks (calibration, power, look-ahead): seeded,
 * reproducible, written as the `<SYMBOL>.csv.gz` files `replay`/`backtest` read.
 *
 * Zero-edge model (per instrument, per bar):
 * - GARCH(1,1) variance σ²ₜ = ω + α·ε²ₜ₋₁ + β·σ²ₜ₋₁ (α 0.08, β 0.90: crypto-like volatility
 *   clustering), ω set so the unconditional per-bar sd is `barVol`;
 * - shock εₜ = σₜ·(√ρ·m + √(1−ρ)·eₜ): a market factor m shared by every instrument (ρ = 0.5, as
 *   crypto majors co-move), so trades fired by one move on several coins cluster as they do on
 *   real data — the gate's block bootstrap must cope with that;
 * - the bar's path is `substeps` Gaussian log steps with that variance, each step
 *   −½σ²/substeps-compensated so the price (not its log) is a martingale: zero edge for any rule
 *   before costs;
 * - open = previous close; high/low = max/min over the path; volume lognormal, rising with
 *   |ε|/σ̄ (volume clusters with volatility, which `seller_exhaustion`'s volume z reads).
 *
 * Planted edge (power check, `plant`): the generator runs the catalogue's own RSI(14) and ATR(14)
 * (src/indicator, Wilder/RMA) on the bars it has written; when RSI crosses below `level` on a
 * close — exactly `rsi_mean_reversion`'s entry — the next `bars` bars get an extra log drift of
 * `driftAtr`·ATR/close each. Nothing else changes, so any other rule sees the same zero-edge walk
 * except where it happens to overlap those bars.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { timeframeMs, type Timeframe } from '../../src/core/timeframe.js';
import { Atr } from '../../src/indicator/atr.js';
import { Rsi } from '../../src/indicator/rsi.js';
import { mulberry32 } from '../fakes/binance/harness.js';

/** Options of {@link generateMarket}. */
export interface SyntheticOptions {
  seed: number;
  /** Instruments, named `SYN00USDT`, `SYN01USDT`… (names no live-params set uses: no z-score runs). */
  instruments: number;
  timeframe: Timeframe;
  /** First open time, ms UTC (on the timeframe grid). */
  start: number;
  /** Bars per instrument. */
  bars: number;
  /** Unconditional sd of one bar's log return (0.0022 ≈ 70 % a year on 5m; 0.0095 on 1h). */
  barVol: number;
  /** Correlation of shocks between instruments through the market factor; default 0.5. */
  rho?: number;
  /** Path points per bar for high/low; default 6. */
  substeps?: number;
  /** Planted edge after an RSI cross below `level` (see the module comment). */
  plant?: { rsiPeriod: number; level: number; atrPeriod: number; bars: number; driftAtr: number };
}

/** One instrument's candles, column-wise (times ms UTC, prices quote currency, volume base). */
export interface SyntheticSeries {
  symbol: string;
  openTime: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  /** Bars that carried planted drift (0 without `plant`). */
  plantedBars: number;
}

/** Standard normals by Box–Muller from a uniform generator. */
function normals(u: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

/**
 * Prices rounded to 6 decimals (prices here are ~10…1000, so 7–9 significant digits, as an
 * exchange prints them); monotone, so max/min commute with it. Arithmetic rounding, not
 * `toPrecision`: a million string round-trips per market cost more than the walk itself.
 */
const px = (x: number) => Math.round(x * 1e6) / 1e6;

/** Generates every instrument of one seeded synthetic market (deterministic in `o`). */
export function generateMarket(o: SyntheticOptions): SyntheticSeries[] {
  const u = mulberry32(o.seed * 7919 + 17);
  const z = normals(u);
  const rho = o.rho ?? 0.5;
  const steps = o.substeps ?? 6;
  const tfMs = timeframeMs(o.timeframe);
  const alpha = 0.08;
  const beta = 0.9;
  const v0 = o.barVol * o.barVol;
  const omega = v0 * (1 - alpha - beta);
  const n = o.instruments;
  const out: SyntheticSeries[] = [];
  const wig = new Float64Array(steps);
  const state = Array.from({ length: n }, (_, i) => ({
    price: px(10 ** (1 + 2 * u())),
    v: v0,
    eps: 0,
    volBase: 1000 * (0.5 + u()),
    drift: 0,
    driftLeft: 0,
    prevRsi: NaN,
    rsi: o.plant ? new Rsi(o.plant.rsiPeriod) : null,
    atr: o.plant ? new Atr(o.plant.atrPeriod) : null,
    s: { symbol: `SYN${String(i).padStart(2, '0')}USDT`, openTime: [], open: [], high: [], low: [], close: [], volume: [], plantedBars: 0 } as SyntheticSeries,
  }));
  for (let t = 0; t < o.bars; t++) {
    const m = z();
    const openTime = o.start + t * tfMs;
    for (const st of state) {
      st.v = omega + alpha * st.eps * st.eps + beta * st.v;
      const sd = Math.sqrt(st.v);
      const shock = sd * (Math.sqrt(rho) * m + Math.sqrt(1 - rho) * z());
      st.eps = shock;
      // Spread the bar's shock over the path, plus independent wiggle with zero sum (a bridge).
      const stepSd = sd / Math.sqrt(steps);
      let ws = 0;
      for (let k = 0; k < steps; k++) {
        wig[k] = z() * stepSd;
        ws += wig[k];
      }
      const drift = st.driftLeft > 0 ? st.drift : 0;
      if (st.driftLeft > 0) {
        st.driftLeft--;
        st.s.plantedBars++;
      }
      const open = st.price;
      let p = open;
      let hi = open;
      let lo = open;
      for (let k = 0; k < steps; k++) {
        const step = shock / steps + (wig[k] - ws / steps) + drift / steps - (0.5 * st.v) / steps;
        p *= Math.exp(step);
        if (p > hi) hi = p;
        if (p < lo) lo = p;
      }
      const close = px(p);
      const high = Math.max(px(hi), open, close);
      const low = Math.min(px(lo), open, close);
      const volume = Math.round(st.volBase * Math.exp(0.4 * z()) * (1 + 1.5 * Math.abs(shock) / o.barVol) * 1e4) / 1e4;
      st.s.openTime.push(openTime);
      st.s.open.push(open);
      st.s.high.push(high);
      st.s.low.push(low);
      st.s.close.push(close);
      st.s.volume.push(volume);
      st.price = close;
      if (o.plant && st.rsi && st.atr) {
        const r = st.rsi.update(close);
        const a = st.atr.update(high, low, close);
        if (st.prevRsi >= o.plant.level && r < o.plant.level && a > 0) {
          st.drift = (o.plant.driftAtr * a) / close;
          st.driftLeft = o.plant.bars;
        }
        st.prevRsi = r;
      }
    }
  }
  for (const st of state) out.push(st.s);
  return out;
}

/** The CSV text `replay`/`backtest` read (src/feed/csv.ts): header and one row per bar. */
export function toCsv(s: SyntheticSeries): string {
  const lines = ['open_time_ms,open,high,low,close,volume'];
  for (let i = 0; i < s.openTime.length; i++) lines.push(`${s.openTime[i]},${s.open[i]},${s.high[i]},${s.low[i]},${s.close[i]},${s.volume[i]}`);
  return lines.join('\n') + '\n';
}

/** Writes every series as `<dir>/<SYMBOL>.csv.gz` (gzip level 1: these are throw-away files). Returns `dir`. */
export function writeMarket(dir: string, series: readonly SyntheticSeries[]): string {
  mkdirSync(dir, { recursive: true });
  for (const s of series) writeFileSync(join(dir, `${s.symbol}.csv.gz`), gzipSync(toCsv(s), { level: 1 }));
  return dir;
}
