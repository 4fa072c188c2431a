import { z } from 'zod';
import type { Candle } from '../../core/candle.js';
import { Atr } from '../../indicator/atr.js';
import { Ema } from '../../indicator/ema.js';
import { Rsi } from '../../indicator/rsi.js';
import { emaBars, wilderBars } from '../lookback.js';
import type { Setup } from '../types.js';
import { ATR_EXIT_FIELDS, PairRule, floorStop, longSetup, product, type RuleMeta, type RuleSpec } from './common.js';

export const RsiMeanReversionParams = z.object({
  /** RSI length, bars. */
  rsiPeriod: z.number().int().min(2),
  /** Entry when RSI crosses below this (0..100). */
  oversold: z.number().gt(0).lt(50),
  /** Trend filter: only buy dips while the close is above EMA(trendEma), bars; 0 = no filter. */
  trendEma: z.number().int().min(0).refine((n) => n !== 1, 'trendEma must be 0 (off) or ≥ 2'),
  /** Stop = close − atrStopMult × ATR. */
  atrStopMult: z.number().positive(),
  ...ATR_EXIT_FIELDS,
}).strict();
export type RsiMeanReversionParams = z.infer<typeof RsiMeanReversionParams>;

const NAME = 'rsi_mean_reversion';
const TITLE = 'RSI mean reversion';

/**
 * Buys an oversold dip inside an uptrend. Fires on the close where RSI(n) crosses below
 * `oversold` (previous RSI ≥ level, this one < level) while close > EMA(trendEma).
 * Stop close − k·ATR, target close + R·(close − stop), optional time exit.
 */
export class RsiMeanReversion extends PairRule<RsiMeanReversionParams> {
  readonly #rsi: Rsi;
  readonly #trend: Ema | null;
  readonly #atr: Atr;
  #prevRsi = NaN;

  constructor(p: RsiMeanReversionParams, meta: RuleMeta) {
    super(p, meta);
    const bank = this.bank;
    this.#rsi = bank.get(`rsi:${p.rsiPeriod}`, () => new Rsi(p.rsiPeriod));
    this.#trend = p.trendEma ? bank.get(`ema:${p.trendEma}`, () => new Ema(p.trendEma)) : null;
    this.#atr = bank.get(`atr:${p.atrPeriod}`, () => new Atr(p.atrPeriod));
  }

  /** RSI (plus the previous RSI for the crossing), EMA(trend) when on, ATR. */
  protected indicatorBars(): number {
    const p = this.p;
    return Math.max(wilderBars(p.rsiPeriod) + 1, p.trendEma ? emaBars(p.trendEma) : 0, wilderBars(p.atrPeriod));
  }

  protected onClose(c: Candle, out: Setup[]): void {
    const p = this.p;
    const prev = this.#prevRsi;
    const t = c.closeTime;
    const rsi = this.#rsi.at(t, c.close);
    const trend = this.#trend === null ? 0 : this.#trend.at(t, c.close);
    const atr = this.#atr.at(t, c.high, c.low, c.close);
    this.ctx.update(c);
    this.#prevRsi = rsi;
    if (!(prev >= p.oversold && rsi < p.oversold) || !this.#atr.ready || !(atr > 0)) return;
    if (this.#trend !== null && (!this.#trend.ready || !(c.close > trend))) return;
    const stop = floorStop(c.close - p.atrStopMult * atr, c.close, p.minStopPercent);
    if (!(stop > 0)) return;
    const target = c.close + p.rewardR * (c.close - stop);
    const reason = `RSI(${p.rsiPeriod}) ${rsi.toFixed(1)} < ${p.oversold}` + (p.trendEma ? ` above EMA${p.trendEma}` : '');
    out.push(longSetup(this.meta, NAME, TITLE, c, stop, target, p.maxHoldBars, reason, this.ctx.of(c.close, atr)));
  }
}

export const rsiMeanReversion: RuleSpec<RsiMeanReversionParams> = {
  name: NAME,
  title: TITLE,
  params: RsiMeanReversionParams,
  grid: () => product<RsiMeanReversionParams>({
    rsiPeriod: [14],
    oversold: [30],
    trendEma: [0, 200],
    atrPeriod: [14],
    atrStopMult: [2],
    minStopPercent: [0, 1.5],
    rewardR: [2, 2.5, 3],
    maxHoldBars: [96],
  }),
  create: (p, meta) => new RsiMeanReversion(p, meta),
  exits: (p) => ({
    stop: `close − ${p.atrStopMult} × ATR(${p.atrPeriod})` + (p.minStopPercent ? `, at least ${p.minStopPercent} % below close` : ''),
    target: `close + ${p.rewardR} × risk`,
    rewardRisk: p.rewardR,
    maxHoldBars: p.maxHoldBars || null,
  }),
};
