import type { ParamSet } from '../../config/schema.js';
import type { Exits } from './common.js';

/**
 * `glicko_zscore` (SPEC §4, seed 000): the cross-coin rule. Unlike the candle rules it needs
 * every coin's candles at once (ratings are relative), so it is not a `CandleRule`: the engine
 * runs it after each cross-coin rating step (src/signal/zscore-rule.ts), with one parameter set
 * per symbol from config/live-params.json. The backtest measures those sets in-sample and
 * out-of-sample with the same engine (report only: they trade from live-params.json, validated
 * or not). Parameters: zScoreThreshold, movingAverages (intervals), profitPercent,
 * stopLossPercent (percent of entry), allocationPercent (percent of equity), enabled.
 */
export const glickoZscore = {
  name: 'glicko_zscore',
  title: 'Glicko-2 z-score',
  exits: (p: ParamSet): Exits => ({
    stop: `entry − ${p.stopLossPercent} %`,
    target: `entry + ${p.profitPercent} %; exit at the next open when MA-z ≤ −${p.zScoreThreshold}`,
    rewardRisk: p.profitPercent / p.stopLossPercent,
    maxHoldBars: null,
  }),
} as const;
