import { z } from 'zod';
import type { Candle } from '../../core/candle.js';
import type { Timeframe } from '../../core/timeframe.js';
import { IndicatorBank } from '../../indicator/bank.js';
import { MarketContext } from '../context.js';
import { contextBars, type Lookback } from '../lookback.js';
import type { CandleRule } from '../rule.js';
import type { SampleStats, Setup } from '../types.js';

/** Who a rule instance is: one signal on one (instrument, timeframe), and what the card shows about it. */
export interface RuleMeta {
  /** Stable signal id (validated signal id or backtest candidate id). */
  signalId: string;
  symbol: string;
  timeframe: Timeframe;
  inSample?: SampleStats;
  outOfSample?: SampleStats;
  /** 0..1. */
  confidence?: number;
  /** Indicators shared with other rules on the same (instrument, timeframe); a private bank when absent. */
  bank?: IndicatorBank;
}

/**
 * Base of the catalogue's candle rules: one signal on one (instrument, timeframe). Only that
 * pair's closes reach `onClose`; indicators come from the pair's bank (shared between the
 * candidates of a backtest), and `ctx` is the pair's card context (trend alignment, regime).
 */
export abstract class PairRule<P> implements CandleRule {
  protected readonly bank: IndicatorBank;
  protected readonly ctx: MarketContext;

  constructor(readonly p: P, readonly meta: RuleMeta) {
    this.bank = meta.bank ?? new IndicatorBank();
    this.ctx = this.bank.get('context', () => new MarketContext(meta.timeframe));
  }

  onCandle(symbol: string, tf: Timeframe, c: Candle, out: Setup[]): void {
    if (tf === this.meta.timeframe && symbol === this.meta.symbol) this.onClose(c, out);
  }

  /** One closed candle of the rule's own pair; push a setup to `out` when the rule fires. */
  protected abstract onClose(c: Candle, out: Setup[]): void;

  /**
   * Bars of the rule's timeframe its own indicators and state need (src/signal/lookback.ts:
   * `emaBars`, `wilderBars`, exact window lengths), without the card context.
   */
  protected abstract indicatorBars(): number;

  /** The rule's lookback: its indicators or its card context (trend alignment, regime), whichever is longer. */
  lookback(): Lookback {
    return { timeframe: this.meta.timeframe, bars: Math.max(this.indicatorBars(), contextBars(this.meta.timeframe)), source: this.meta.signalId };
  }
}

/** How a signal exits, for validated.json and the report. Prices described in words; bars of its timeframe. */
export interface Exits {
  stop: string;
  target: string;
  /** Minimum reward : risk of every setup at the triggering close, e.g. 2 for 2:1. */
  rewardRisk: number;
  maxHoldBars: number | null;
}

/** A catalogue entry: parameter schema and grid, factory, and what the parameters mean for exits. */
export interface RuleSpec<P extends object = object> {
  name: string;
  /** Card name. */
  title: string;
  /** Schema of a parameter set (validated.json is checked against it). */
  params: z.ZodType<P>;
  /** The parameter grid the backtest searches. */
  grid(): P[];
  create(params: P, meta: RuleMeta): CandleRule;
  exits(params: P): Exits;
}

/** A rule spec with its parameter type erased, for the catalogue's name → spec table (params are `parse`d first). */
export type AnyRuleSpec = RuleSpec<any>;

/**
 * Exit parameters shared by the ATR-stop rules (spread into their schemas): ATR length (bars), a
 * floor under the stop distance, the R-multiple target and the time exit.
 */
export const ATR_EXIT_FIELDS = {
  atrPeriod: z.number().int().min(2),
  /**
   * Stop at least this far below the close, percent of price (0 = off). With fees and slippage
   * of 0.3 % per round trip, a 0.3 % stop would spend a whole R on costs.
   */
  minStopPercent: z.number().min(0).lt(100),
  /** Target = close + rewardR × (close − stop). */
  rewardR: z.number().positive(),
  /** Time exit after this many bars; 0 = none. */
  maxHoldBars: z.number().int().min(0),
};

/** Builds a long setup from a triggering close. Allocates — only call when the rule fires. */
export function longSetup(
  meta: RuleMeta, rule: string, title: string, c: Candle,
  stop: number, target: number, maxHoldBars: number, reason: string, context: Setup['context'],
): Setup {
  return {
    signalId: meta.signalId,
    rule,
    name: title,
    symbol: meta.symbol,
    timeframe: meta.timeframe,
    direction: 'long',
    time: c.closeTime,
    entry: c.close,
    stop,
    target,
    ...(maxHoldBars > 0 ? { maxHoldBars } : {}),
    reason,
    tradable: true,
    ...(meta.inSample ? { inSample: meta.inSample } : {}),
    ...(meta.outOfSample ? { outOfSample: meta.outOfSample } : {}),
    ...(meta.confidence !== undefined ? { confidence: meta.confidence } : {}),
    ...(context ? { context } : {}),
  };
}

/** The stop a rule asks for, moved down to at least `minStopPercent` % below the close. */
export function floorStop(stop: number, close: number, minStopPercent: number): number {
  const floor = close * (1 - minStopPercent / 100);
  return stop < floor ? stop : floor;
}

/** Short price for reasons: 4 significant digits at least, no exponent. */
export function fmtPrice(x: number): string {
  return x >= 1000 ? x.toFixed(1) : x >= 1 ? x.toFixed(4) : x.toPrecision(4);
}

/** Cartesian product of parameter choices, in declaration order. */
export function product<T extends object>(choices: { [K in keyof T]: readonly T[K][] }): T[] {
  let out: Partial<T>[] = [{}];
  for (const key of Object.keys(choices) as (keyof T)[]) {
    const next: Partial<T>[] = [];
    for (const o of out) for (const v of choices[key]) next.push({ ...o, [key]: v });
    out = next;
  }
  return out as T[];
}
