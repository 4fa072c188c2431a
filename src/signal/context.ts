import type { Candle } from '../core/candle.js';
import { TIMEFRAMES, timeframeMs, type Timeframe } from '../core/timeframe.js';
import { Ema } from '../indicator/ema.js';
import type { Setup } from './types.js';

/**
 * The higher timeframe whose trend a signal on `tf` is checked against: the shortest timeframe
 * at least 3× longer (1m→5m, 2m→15m, 5m→15m, 15m→1h, 30m→4h, 1h→4h, 4h→4h). A 2× step (15m→30m)
 * is too close to say anything the signal's own timeframe does not.
 */
export function higherTimeframe(tf: Timeframe): Timeframe {
  const ms = timeframeMs(tf);
  return TIMEFRAMES.find((t) => timeframeMs(t) >= 3 * ms) ?? TIMEFRAMES[TIMEFRAMES.length - 1];
}

/** EMA lengths of the context (bars of the signal's timeframe, resp. of the higher one). */
export const CONTEXT_FAST = 20;
export const CONTEXT_SLOW = 50;
export const CONTEXT_HTF = 50;

/**
 * Card context for a rule on one (instrument, timeframe), from that timeframe's closes only:
 * - higher-timeframe alignment: close > EMA(50) of the higher timeframe's closes. A higher candle
 *   closes with the signal-timeframe candle whose close time is a multiple of its length (candles
 *   are epoch-aligned), and its close is that candle's close — so no extra feed is needed and
 *   the rule sees exactly what the pipeline would aggregate (a gap can skip one HTF close);
 * - regime: 'trending' when |EMA(20) − EMA(50)| ≥ 1 × ATR (the fast average has moved more than
 *   an average bar's range away from the slow one), else 'ranging'.
 */
export class MarketContext {
  readonly #fast = new Ema(CONTEXT_FAST);
  readonly #slow = new Ema(CONTEXT_SLOW);
  readonly #htf = new Ema(CONTEXT_HTF);
  readonly #htfMs: number;
  #t = NaN;

  constructor(readonly timeframe: Timeframe) {
    this.#htfMs = timeframeMs(higherTimeframe(timeframe));
  }

  /** Updates once per candle close time, whichever sharing rule calls first. */
  update(c: Candle): void {
    if (c.closeTime === this.#t) return;
    this.#t = c.closeTime;
    this.#fast.update(c.close);
    this.#slow.update(c.close);
    if (c.closeTime % this.#htfMs === 0) this.#htf.update(c.close);
  }

  /** Context for a long setup at `close`, given the rule's ATR (quote currency). */
  of(close: number, atr: number): NonNullable<Setup['context']> {
    const regime = this.#slow.ready && Math.abs(this.#fast.value - this.#slow.value) >= atr ? 'trending' : 'ranging';
    return this.#htf.ready ? { htfAligned: close > this.#htf.value, regime } : { regime };
  }
}
