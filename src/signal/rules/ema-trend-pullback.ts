import { z } from 'zod';
import type { Candle } from '../../core/candle.js';
import { Atr } from '../../indicator/atr.js';
import { Ema } from '../../indicator/ema.js';
import { emaBars, wilderBars } from '../lookback.js';
import type { Setup } from '../types.js';
import { ATR_EXIT_FIELDS, PairRule, floorStop, fmtPrice, longSetup, product, type RuleMeta, type RuleSpec } from './common.js';

export const EmaTrendPullbackParams = z.object({
  /** Pullback average, bars. */
  fastEma: z.number().int().min(2),
  /** Trend average, bars; must be longer than fastEma. */
  slowEma: z.number().int().min(3),
  /** Stop = low − atrStopMult × ATR (below the pullback's low). */
  atrStopMult: z.number().min(0),
  ...ATR_EXIT_FIELDS,
}).strict().refine((p) => p.slowEma > p.fastEma, { message: 'slowEma must be longer than fastEma', path: ['slowEma'] });
export type EmaTrendPullbackParams = z.infer<typeof EmaTrendPullbackParams>;

const NAME = 'ema_trend_pullback';
const TITLE = 'EMA trend pullback';

/**
 * Buys the first pullback to the fast EMA in an uptrend: EMA(fast) > EMA(slow), the previous
 * close was above the previous EMA(fast), this candle's low reached EMA(fast) and it closed
 * back above it, as an up candle (close > open) — buyers defended the average.
 * Stop below the low by k·ATR, target close + R·risk, optional time exit.
 */
export class EmaTrendPullback extends PairRule<EmaTrendPullbackParams> {
  readonly #fast: Ema;
  readonly #slow: Ema;
  readonly #atr: Atr;
  #prevAbove = false;

  constructor(p: EmaTrendPullbackParams, meta: RuleMeta) {
    super(p, meta);
    const bank = this.bank;
    this.#fast = bank.get(`ema:${p.fastEma}`, () => new Ema(p.fastEma));
    this.#slow = bank.get(`ema:${p.slowEma}`, () => new Ema(p.slowEma));
    this.#atr = bank.get(`atr:${p.atrPeriod}`, () => new Atr(p.atrPeriod));
  }

  /** EMA(fast), EMA(slow), ATR, and one previous close for "was above". */
  protected indicatorBars(): number {
    const p = this.p;
    return Math.max(emaBars(p.fastEma) + 1, emaBars(p.slowEma), wilderBars(p.atrPeriod));
  }

  protected onClose(c: Candle, out: Setup[]): void {
    const p = this.p;
    const wasAbove = this.#prevAbove;
    const t = c.closeTime;
    const fast = this.#fast.at(t, c.close);
    const slow = this.#slow.at(t, c.close);
    const atr = this.#atr.at(t, c.high, c.low, c.close);
    this.ctx.update(c);
    this.#prevAbove = c.close > fast;
    if (!wasAbove || !(c.low <= fast) || !(c.close > fast) || !(c.close > c.open) || !(fast > slow)) return;
    if (!this.#slow.ready || !this.#atr.ready) return;
    const stop = floorStop(c.low - p.atrStopMult * atr, c.close, p.minStopPercent);
    if (!(stop > 0) || !(stop < c.close)) return;
    const target = c.close + p.rewardR * (c.close - stop);
    const reason = `pullback to EMA${p.fastEma} ${fmtPrice(fast)} (low ${fmtPrice(c.low)}) in uptrend EMA${p.fastEma} > EMA${p.slowEma}, closed back above`;
    out.push(longSetup(this.meta, NAME, TITLE, c, stop, target, p.maxHoldBars, reason, this.ctx.of(c.close, atr)));
  }
}

export const emaTrendPullback: RuleSpec<EmaTrendPullbackParams> = {
  name: NAME,
  title: TITLE,
  params: EmaTrendPullbackParams,
  grid: () => [
    ...product<EmaTrendPullbackParams>({ fastEma: [20], slowEma: [100], atrPeriod: [14], atrStopMult: [1], minStopPercent: [0, 1.5], rewardR: [2, 2.5, 3], maxHoldBars: [96] }),
    ...product<EmaTrendPullbackParams>({ fastEma: [50], slowEma: [200], atrPeriod: [14], atrStopMult: [1], minStopPercent: [0, 1.5], rewardR: [2, 2.5, 3], maxHoldBars: [96] }),
  ],
  create: (p, meta) => new EmaTrendPullback(p, meta),
  exits: (p) => ({
    stop: `low − ${p.atrStopMult} × ATR(${p.atrPeriod})` + (p.minStopPercent ? `, at least ${p.minStopPercent} % below close` : ''),
    target: `close + ${p.rewardR} × risk`,
    rewardRisk: p.rewardR,
    maxHoldBars: p.maxHoldBars || null,
  }),
};
