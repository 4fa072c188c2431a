import { z } from 'zod';
import type { Candle } from '../../core/candle.js';
import { Atr } from '../../indicator/atr.js';
import { Ema } from '../../indicator/ema.js';
import { RollingMax } from '../../indicator/rolling-max.js';
import { emaBars, wilderBars } from '../lookback.js';
import type { Setup } from '../types.js';
import { ATR_EXIT_FIELDS, PairRule, floorStop, fmtPrice, longSetup, product, type RuleMeta, type RuleSpec } from './common.js';

export const DonchianBreakoutParams = z.object({
  /** Channel length: the breakout is above the highest high of the previous `channel` bars. */
  channel: z.number().int().min(2),
  /** Trend filter: close above EMA(trendEma), bars. */
  trendEma: z.number().int().min(2),
  /** Stop = close − atrStopMult × ATR. */
  atrStopMult: z.number().positive(),
  ...ATR_EXIT_FIELDS,
}).strict();
export type DonchianBreakoutParams = z.infer<typeof DonchianBreakoutParams>;

const NAME = 'donchian_breakout';
const TITLE = 'Donchian breakout';

/**
 * Trend-following breakout (Donchian channel, the "turtle" entry): buys the close that first
 * closes above the highest high of the previous `channel` bars (the previous close did not),
 * while the close is above EMA(trendEma). Stop close − k·ATR (floored), target close + R·risk,
 * optional time exit. The catalogue's counterpart to its mean-reversion rules.
 */
export class DonchianBreakout extends PairRule<DonchianBreakoutParams> {
  readonly #highs: RollingMax;
  readonly #trend: Ema;
  readonly #atr: Atr;
  #prevInside = false;

  constructor(p: DonchianBreakoutParams, meta: RuleMeta) {
    super(p, meta);
    const bank = this.bank;
    this.#highs = bank.get(`max:high:${p.channel}`, () => new RollingMax(p.channel));
    this.#trend = bank.get(`ema:${p.trendEma}`, () => new Ema(p.trendEma));
    this.#atr = bank.get(`atr:${p.atrPeriod}`, () => new Atr(p.atrPeriod));
  }

  /** The channel of the `channel` bars before this one (channel + 1), EMA(trend), ATR, and the previous bar's "inside". */
  protected indicatorBars(): number {
    const p = this.p;
    return Math.max(p.channel + 2, emaBars(p.trendEma), wilderBars(p.atrPeriod));
  }

  protected onClose(c: Candle, out: Setup[]): void {
    const p = this.p;
    const t = c.closeTime;
    this.#highs.at(t, c.high);
    const trend = this.#trend.at(t, c.close);
    const atr = this.#atr.at(t, c.high, c.low, c.close);
    this.ctx.update(c);
    const channelHigh = this.#highs.prior;
    const wasInside = this.#prevInside;
    this.#prevInside = !(c.close > channelHigh);
    if (!wasInside || !(c.close > channelHigh) || !this.#trend.ready || !(c.close > trend) || !this.#atr.ready || !(atr > 0)) return;
    const stop = floorStop(c.close - p.atrStopMult * atr, c.close, p.minStopPercent);
    if (!(stop > 0)) return;
    const target = c.close + p.rewardR * (c.close - stop);
    const reason = `close ${fmtPrice(c.close)} broke the ${p.channel}-bar high ${fmtPrice(channelHigh)} above EMA${p.trendEma}`;
    out.push(longSetup(this.meta, NAME, TITLE, c, stop, target, p.maxHoldBars, reason, this.ctx.of(c.close, atr)));
  }
}

export const donchianBreakout: RuleSpec<DonchianBreakoutParams> = {
  name: NAME,
  title: TITLE,
  params: DonchianBreakoutParams,
  grid: () => product<DonchianBreakoutParams>({
    channel: [20, 55],
    trendEma: [200],
    atrPeriod: [14],
    atrStopMult: [2],
    minStopPercent: [0, 1.5],
    rewardR: [2, 2.5, 3],
    maxHoldBars: [96],
  }),
  create: (p, meta) => new DonchianBreakout(p, meta),
  exits: (p) => ({
    stop: `close − ${p.atrStopMult} × ATR(${p.atrPeriod})` + (p.minStopPercent ? `, at least ${p.minStopPercent} % below close` : ''),
    target: `close + ${p.rewardR} × risk`,
    rewardRisk: p.rewardR,
    maxHoldBars: p.maxHoldBars || null,
  }),
};
