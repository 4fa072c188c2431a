import type { Side } from '../core/instrument.js';
import type { Timeframe } from '../core/timeframe.js';
import type { LiveParams, ParamSet } from '../config/schema.js';
import type { CrossCoinRatings } from '../rating/cross-coin.js';
import type { Lookback } from './rule.js';
import type { Setup } from './types.js';
import { zScoreFactor, type ZScoreScale } from '../config/z-reach.js';

/**
 * The z-score rule's lookback (SPEC §4), in rating-timeframe bars: `returnWindow + 1` closes for
 * σ_ret (returnWindow returns), then the longest MA-z window over every parameter set and
 * `defaultMovingAverages` (the monitored coins' window) of z values. Glicko-2 ratings carry over
 * for ever and never "converge"; this is the part with a defined window.
 */
export function ratingLookback(
  rating: { timeframe: Timeframe; returnWindow: number; defaultMovingAverages: number },
  liveParams: LiveParams,
): Lookback {
  const ma = Math.max(rating.defaultMovingAverages, ...Object.values(liveParams).map((p) => p.movingAverages));
  return { timeframe: rating.timeframe, bars: rating.returnWindow + 1 + ma, source: 'ratings' };
}

/** What the z-score rule asks for on one coin after a cross-coin step. */
export type ZScoreAction =
  | { kind: 'entry'; setup: Setup }
  | { kind: 'info'; setup: Setup }
  | { kind: 'reversal'; symbol: string; maZ: number };

/**
 * The Glicko-2 z-score rule (SPEC §4, seed 000), for coins with a parameter set:
 * - MA-z crosses up through +threshold → a BUY setup, stop/target at the set's percents;
 * - MA-z ≤ −threshold with an open long from this rule → exit (z-score reversal);
 * - MA-z crosses down through −threshold without a position → a bearish setup: on spot an
 *   informational card (spot cannot short); with `shorts` (perpetual swaps) a tradable SHORT,
 *   stop above and target below the close at the set's percents;
 * - with `shorts`, MA-z ≥ +threshold with an open short from this rule → exit (z-score reversal).
 * Cards fire on the crossing, not on every interval above the threshold, so a coin that stays
 * extreme for an hour yields one card, not twelve. Nothing fires until the MA-z window is full.
 */
export class ZScoreRule {
  readonly #prev: Float64Array;
  /** Threshold multiplier from `scale` and the number of coins (see `ZScoreScale`). */
  readonly thresholdFactor: number;

  /**
   * @param symbols symbol per coin index of `ratings` (e.g. BTCUSDT)
   * @param params parameter set per coin index, or undefined for monitor-only coins
   * @param shorts whether bearish crossings are tradable shorts (perpetual swaps; spot: false)
   */
  constructor(
    readonly ratings: CrossCoinRatings,
    readonly symbols: readonly string[],
    readonly params: readonly (ParamSet | undefined)[],
    readonly timeframe: Timeframe,
    readonly scale: ZScoreScale = 'absolute',
    readonly shorts = false,
  ) {
    this.#prev = new Float64Array(symbols.length);
    this.thresholdFactor = zScoreFactor(scale, symbols.length);
  }

  /** The crossing memory (previous MA-z per coin), for the state file. */
  get previous(): number[] {
    return [...this.#prev];
  }
  set previous(v: readonly number[]) {
    if (v.length === this.#prev.length) this.#prev.set(v);
  }

  /** Signal id of the rule for one symbol. */
  static signalId(symbol: string): string {
    return `glicko_zscore:${symbol}`;
  }

  /**
   * Evaluates coin `i` after a step. `close` is its last close (quote currency), `time` the
   * interval's close (ms UTC), `held` the side of this rule's open position on the coin (null:
   * none; `true` means a long, as before shorts existed).
   */
  evaluate(i: number, close: number, time: number, held: Side | boolean | null): ZScoreAction | null {
    const p = this.params[i];
    const r = this.ratings;
    const maZ = r.maZ(i);
    const prev = this.#prev[i];
    this.#prev[i] = maZ;
    if (!p || !p.enabled || !r.maZStable(i)) return null;
    const t = p.zScoreThreshold * this.thresholdFactor;
    const symbol = this.symbols[i];
    const side: Side | null = held === true ? 'long' : held === false ? null : held;
    if (side === 'long' && maZ <= -t) return { kind: 'reversal', symbol, maZ };
    if (side === 'short' && maZ >= t) return { kind: 'reversal', symbol, maZ };
    const up = prev < t && maZ >= t;
    const down = prev > -t && maZ <= -t;
    if (!up && !down) return null;
    const tradable = up || this.shorts;
    const setup: Setup = {
      signalId: ZScoreRule.signalId(symbol),
      rule: 'glicko_zscore',
      name: 'Glicko-2 z-score',
      symbol,
      timeframe: this.timeframe,
      direction: up ? 'long' : 'short',
      time,
      entry: close,
      // A bearish card's levels mirror the long's: the short's exits, or context on spot.
      stop: close * (1 + (up ? -1 : 1) * (p.stopLossPercent / 100)),
      target: close * (1 + (up ? 1 : -1) * (p.profitPercent / 100)),
      reason: `MA-z(${p.movingAverages} × ${this.timeframe}) ${maZ.toFixed(2)} ${up ? '≥' : '≤'} ${up ? '' : '−'}${Number(t.toFixed(2))}`,
      tradable,
      allocationPercent: p.allocationPercent,
      context: { rating: r.rating(i).rating, maZ },
    };
    return tradable ? { kind: 'entry', setup } : { kind: 'info', setup };
  }
}
