import type { Config, LiveParams } from '../config/schema.js';
import { CrossCoinRatings } from '../rating/cross-coin.js';
import { ZScoreRule } from '../signal/zscore-rule.js';

/**
 * Ratings and the z-score rule for `coinSymbols` from the config and parameter sets: coins with a
 * parameter set use its MA length, the others `rating.defaultMovingAverages`; bearish crossings
 * trade short when `exchange.marketType` is "swap". Shared by every
 * runtime and by each backtested signal, so both rate identically.
 */
export function crossCoinSetup(config: Config, coinSymbols: readonly string[], liveParams: LiveParams) {
  const params = coinSymbols.map((s) => liveParams[s]);
  const r = config.rating;
  const ratings = new CrossCoinRatings(coinSymbols, {
    tau: r.tau,
    opponentRd: r.opponentRd,
    drawThreshold: r.drawThreshold,
    scoreScale: r.scoreScale,
    returnWindow: r.returnWindow,
    initial: { rating: r.initialRating, rd: r.initialRd, volatility: r.initialVolatility },
    maLength: (i) => params[i]?.movingAverages ?? r.defaultMovingAverages,
  });
  // Bearish crossings are tradable shorts on perpetual swaps only; spot stays long-only.
  const shorts = config.exchange.marketType === 'swap';
  return { ratings, zRule: new ZScoreRule(ratings, coinSymbols, params, r.timeframe, r.zScoreScale, shorts) };
}
