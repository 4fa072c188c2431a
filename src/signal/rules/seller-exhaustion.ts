import { z } from 'zod';
import type { Candle } from '../../core/candle.js';
import { Atr } from '../../indicator/atr.js';
import { Ema } from '../../indicator/ema.js';
import { Ring } from '../../indicator/ring.js';
import { RollingZScore } from '../../indicator/zscore.js';
import { emaBars, wilderBars } from '../lookback.js';
import type { Setup } from '../types.js';
import { PairRule, floorStop, fmtPrice, longSetup, product, type RuleMeta, type RuleSpec } from './common.js';

/** Seed 002's parameters (bar counts of the signal's timeframe), camel-cased. */
export const SellerExhaustionParams = z.object({
  emaFast: z.number().int().min(2),
  emaSlow: z.number().int().min(3),
  /** Window of the volume and true-range z-scores, bars. */
  zWindow: z.number().int().min(2),
  atrWindow: z.number().int().min(2),
  /** Minimum volume z-score. */
  volZ: z.number(),
  /** Minimum true-range z-score. */
  trZ: z.number(),
  /** Minimum close location (c − l) / (h − l), 0..1. */
  clocMin: z.number().min(0).max(1),
  /** Stop = signal low − atrStopMult × ATR. */
  atrStopMult: z.number().min(0),
  /**
   * Stop at least this far below the close, percent of price (0 = off). With fees and slippage
   * of 0.3 % per round trip, a 0.3 % stop would spend a whole R on costs.
   */
  minStopPercent: z.number().min(0).lt(100),
  /** R-multiple target (exit 'r'), and the minimum R:R a Fibonacci target must offer (exit 'fib'). */
  rewardR: z.number().positive(),
  /** Time exit, bars; 0 = none. */
  maxHold: z.number().int().min(0),
  /** 'fib': target at a Fibonacci retracement of the swing high; 'r': at rewardR × risk. */
  exit: z.enum(['fib', 'r']),
  fibSwingLookback: z.number().int().min(2),
  fibSwingLookahead: z.number().int().min(1),
  /** Retracement level of the target, 0..1 (0.618 = 61.8 %). */
  fibTargetLevel: z.number().gt(0).max(1),
}).strict()
  .refine((p) => p.emaSlow > p.emaFast, { message: 'emaSlow must be longer than emaFast', path: ['emaSlow'] })
  .refine((p) => p.fibSwingLookback > p.fibSwingLookahead, { message: 'fibSwingLookback must exceed fibSwingLookahead', path: ['fibSwingLookback'] });
export type SellerExhaustionParams = z.infer<typeof SellerExhaustionParams>;

const NAME = 'seller_exhaustion';
const TITLE = 'Seller exhaustion';

/**
 * Swing high for the Fibonacci target (seed 002): the highest high among the bars 
 * `lookahead … lookback` bars before the signal bar (0 = the signal bar) that is confirmed as a
 * top — none of the `lookahead` bars after it made a higher high. Only closed bars are used, so
 * the confirmation never looks ahead of the signal. NaN when there is none.
 */
export function swingHigh(highs: Ring, lookback: number, lookahead: number): number {
  const last = Math.min(lookback, highs.count - 1);
  let best = NaN;
  for (let k = lookahead; k <= last; k++) {
    const h = highs.ago(k);
    if (h <= best) continue;
    let top = true;
    for (let i = 1; i <= lookahead && top; i++) if (highs.ago(k - i) > h) top = false;
    if (top) best = h;
  }
  return best;
}

/**
 * Fibonacci retracement target of the bounce from the signal low L back up toward the swing
 * high H: target = L + level × (H − L) (level 0.618 → 61.8 % of the fall retraced).
 */
export function fibTarget(low: number, high: number, level: number): number {
  return low + level * (high - low);
}

/**
 * Seller exhaustion (seed 002): in a downtrend (EMA fast < EMA slow) a capitulation candle —
 * volume z ≥ volZ and true-range z ≥ trZ over `zWindow` bars — that closes in its upper part,
 * (c − l) / (h − l) ≥ clocMin: sellers dumped, buyers absorbed it. Stop = low − k·ATR.
 * Exits: stop, target (Fibonacci retracement or R-multiple, see `exit`), time (maxHold bars).
 * A Fibonacci setup fires only when a swing high exists and its target pays ≥ rewardR.
 */
export class SellerExhaustion extends PairRule<SellerExhaustionParams> {
  readonly #fast: Ema;
  readonly #slow: Ema;
  readonly #volZ: RollingZScore;
  readonly #trZ: RollingZScore;
  readonly #atr: Atr;
  readonly #highs: Ring;
  #prevClose = NaN;

  constructor(p: SellerExhaustionParams, meta: RuleMeta) {
    super(p, meta);
    const bank = this.bank;
    this.#fast = bank.get(`ema:${p.emaFast}`, () => new Ema(p.emaFast));
    this.#slow = bank.get(`ema:${p.emaSlow}`, () => new Ema(p.emaSlow));
    this.#volZ = bank.get(`z:volume:${p.zWindow}`, () => new RollingZScore(p.zWindow));
    this.#trZ = bank.get(`z:tr:${p.zWindow}`, () => new RollingZScore(p.zWindow));
    this.#atr = bank.get(`atr:${p.atrWindow}`, () => new Atr(p.atrWindow));
    this.#highs = bank.get(`highs:${p.fibSwingLookback + 1}`, () => new Ring(p.fibSwingLookback + 1));
  }

  /**
   * EMA(fast), EMA(slow), ATR; the z-score windows over volume and true range (which needs the
   * previous close: zWindow + 1); the swing-high ring of fibSwingLookback + 1 highs. All exact
   * windows but the smoothers.
   */
  protected indicatorBars(): number {
    const p = this.p;
    return Math.max(emaBars(p.emaFast), emaBars(p.emaSlow), wilderBars(p.atrWindow), p.zWindow + 1, p.fibSwingLookback + 1);
  }

  protected onClose(c: Candle, out: Setup[]): void {
    const p = this.p;
    const pc = this.#prevClose;
    this.#prevClose = c.close;
    const range = c.high - c.low;
    // True range (Wilder): the range extended to the previous close when the candle gapped.
    const tr = pc === pc ? Math.max(range, Math.abs(c.high - pc), Math.abs(c.low - pc)) : range;
    const t = c.closeTime;
    const fast = this.#fast.at(t, c.close);
    const slow = this.#slow.at(t, c.close);
    const vz = this.#volZ.at(t, c.volume);
    const tz = this.#trZ.at(t, tr);
    const atr = this.#atr.at(t, c.high, c.low, c.close);
    this.#highs.pushAt(t, c.high);
    this.ctx.update(c);
    if (!(vz >= p.volZ) || !(tz >= p.trZ) || !(range > 0) || !(fast < slow) || !this.#slow.ready) return;
    const cloc = (c.close - c.low) / range;
    if (!(cloc >= p.clocMin) || !this.#atr.ready) return;
    const stop = floorStop(c.low - p.atrStopMult * atr, c.close, p.minStopPercent);
    const risk = c.close - stop;
    if (!(stop > 0) || !(risk > 0)) return;
    let target: number;
    let exitText: string;
    if (p.exit === 'fib') {
      const h = swingHigh(this.#highs, p.fibSwingLookback, p.fibSwingLookahead);
      if (!(h > c.close)) return;
      target = fibTarget(c.low, h, p.fibTargetLevel);
      if (!((target - c.close) / risk >= p.rewardR)) return;
      exitText = `fib ${p.fibTargetLevel} of swing high ${fmtPrice(h)}`;
    } else {
      target = c.close + p.rewardR * risk;
      exitText = `${p.rewardR}R target`;
    }
    const reason = `vol z ${vz.toFixed(1)} ≥ ${p.volZ}, TR z ${tz.toFixed(1)} ≥ ${p.trZ}, close loc ${cloc.toFixed(2)} ≥ ${p.clocMin} ` +
      `in downtrend EMA${p.emaFast} < EMA${p.emaSlow}; ${exitText}`;
    out.push(longSetup(this.meta, NAME, TITLE, c, stop, target, p.maxHold, reason, this.ctx.of(c.close, atr)));
  }
}

/**
 * Seed 002's windows (on 15m: 1 day / 1 week) and the same scaled by ¼ for shorter data; the
 * time exit stays at the seed's 96 bars, since the cost floor on the stop needs room to work.
 */
const WINDOWS = [
  { emaFast: 96, emaSlow: 672, zWindow: 672, atrWindow: 96, maxHold: 96, fibSwingLookback: 96 },
  { emaFast: 24, emaSlow: 168, zWindow: 168, atrWindow: 24, maxHold: 96, fibSwingLookback: 24 },
] as const;

export const sellerExhaustion: RuleSpec<SellerExhaustionParams> = {
  name: NAME,
  title: TITLE,
  params: SellerExhaustionParams,
  grid: () => WINDOWS.flatMap((w) => product<SellerExhaustionParams>({
    emaFast: [w.emaFast],
    emaSlow: [w.emaSlow],
    zWindow: [w.zWindow],
    atrWindow: [w.atrWindow],
    volZ: [2.0],
    trZ: [1.2],
    clocMin: [0.6],
    atrStopMult: [0.7],
    minStopPercent: [0, 1.5],
    rewardR: [2, 2.5, 3],
    maxHold: [w.maxHold],
    exit: ['fib', 'r'],
    fibSwingLookback: [w.fibSwingLookback],
    fibSwingLookahead: [5],
    fibTargetLevel: [0.618],
  })),
  create: (p, meta) => new SellerExhaustion(p, meta),
  exits: (p) => ({
    stop: `signal low − ${p.atrStopMult} × ATR(${p.atrWindow})` + (p.minStopPercent ? `, at least ${p.minStopPercent} % below close` : ''),
    target: p.exit === 'fib'
      ? `low + ${p.fibTargetLevel} × (swing high − low), swing high over ${p.fibSwingLookback} bars confirmed by ${p.fibSwingLookahead}; only if ≥ ${p.rewardR}R`
      : `close + ${p.rewardR} × risk`,
    rewardRisk: p.rewardR,
    maxHoldBars: p.maxHold || null,
  }),
};
