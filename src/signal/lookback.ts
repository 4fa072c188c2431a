/**
 * How much history the bot needs before its first live close: every enabled candle rule, the
 * Glicko-2 ratings and the MA-z report a lookback (closed bars of their own timeframe), and the
 * warm-up is the longest of them in base-timeframe bars — so a 1h rule with EMA(100) is as warm
 * at the first live close as after a long replay.
 */
import type { LiveParams } from '../config/schema.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import { CONTEXT_FAST, CONTEXT_HTF, CONTEXT_SLOW, higherTimeframe } from './context.js';
import type { CandleRule, Lookback } from './rule.js';

export type { Lookback };
import { ratingLookback } from './zscore-rule.js';


/**
 * Relative error a recursive smoother's seed may still leave in its value at the first live
 * close. An EMA/RMA seeded at a different bar differs from a long-running one by
 * (1 − α)^N × (seed − true value); the seed is a price (or a gain, a range) whose distance from
 * its own average is below 100 % in any market we trade, so decaying it by 1e-9 makes warm-up
 * values equal a long replay's to ~1e-9 relative.
 */
export const CONVERGENCE_TOLERANCE = 1e-9;

/**
 * Bars a recursive smoother with weight `alpha` needs: `seedBars` to produce its first value,
 * then N with (1 − α)^N ≤ {@link CONVERGENCE_TOLERANCE}.
 */
export function smootherBars(alpha: number, seedBars: number): number {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`smoothing weight must be in (0, 1], got ${alpha}`);
  if (alpha === 1) return seedBars;
  return seedBars + Math.ceil(Math.log(1 / CONVERGENCE_TOLERANCE) / -Math.log1p(-alpha));
}

/** EMA(n), α = 2 / (n + 1), seeded with its first value: ≈ 10.4 × (n + 1) bars (EMA(100): 1,038). */
export function emaBars(n: number): number {
  return smootherBars(2 / (n + 1), 1);
}

/**
 * Wilder's smoothing (RMA, α = 1 / n) as in RSI(n) and ATR(n): n + 1 bars to seed (RSI needs n
 * changes, ATR a previous close), then ≈ 20.7 × n to converge (RSI(14)/ATR(14): 295).
 */
export function wilderBars(n: number): number {
  return smootherBars(1 / n, n + 1);
}

/**
 * Bars of `tf` the card context needs (src/signal/context.ts): EMA(20)/EMA(50) of `tf` for the
 * regime, EMA(50) of the higher timeframe for alignment — which updates once per higher candle,
 * so its bars count `higher / tf` times (a 1h rule: 4h EMA(50) = 4 × 530 = 2,120 1h bars).
 */
export function contextBars(tf: Timeframe): number {
  const ratio = Math.max(1, Math.round(timeframeMs(higherTimeframe(tf)) / timeframeMs(tf)));
  return Math.max(emaBars(CONTEXT_FAST), emaBars(CONTEXT_SLOW), emaBars(CONTEXT_HTF) * ratio);
}

/** What {@link warmupPlan} needs. */
export interface WarmupInput {
  baseTimeframe: Timeframe;
  /** Every candle rule the engine runs; rules without `lookback()` count as 0. */
  rules: readonly CandleRule[];
  rating: { timeframe: Timeframe; returnWindow: number; defaultMovingAverages: number };
  liveParams: LiveParams;
  /** Config `feed.warmupBars`: a floor under the derived length, in base bars (0 = derived only). */
  floorBars?: number;
}

/** The warm-up: base bars to fetch per symbol, and what set the length. */
export interface WarmupPlan {
  /** max(derived, floor), base-timeframe bars per symbol. */
  bars: number;
  /** The longest lookback in base bars plus one bar of the longest timeframe (alignment margin). */
  derivedBars: number;
  /** The lookback that set `derivedBars`. */
  longest: Lookback;
}

/**
 * Warm-up length from everything enabled: each rule's lookback, the ratings' (σ_ret window and
 * longest MA-z), converted to base bars; the maximum, plus one bar of the longest timeframe in
 * play because warm-up starts at an arbitrary base bar and the first higher candle it builds
 * is partial (dropped by the aggregator). Config `feed.warmupBars` only raises it.
 * @throws RangeError when a lookback's timeframe is shorter than the base timeframe
 */
export function warmupPlan(i: WarmupInput): WarmupPlan {
  const baseMs = timeframeMs(i.baseTimeframe);
  const all: Lookback[] = [ratingLookback(i.rating, i.liveParams)];
  for (const r of i.rules) {
    const l = r.lookback?.();
    if (l) all.push(...(Array.isArray(l) ? l : [l]));
  }
  let longest = all[0];
  let most = 0;
  let longestTf = baseMs;
  for (const l of all) {
    const ms = timeframeMs(l.timeframe);
    if (ms < baseMs) throw new RangeError(`${l.source} runs on ${l.timeframe}, shorter than the base timeframe ${i.baseTimeframe}`);
    const bars = Math.ceil((l.bars * ms) / baseMs);
    if (bars > most) {
      most = bars;
      longest = l;
    }
    longestTf = Math.max(longestTf, ms);
  }
  const derivedBars = most + Math.round(longestTf / baseMs);
  return { bars: Math.max(derivedBars, i.floorBars ?? 0), derivedBars, longest };
}
