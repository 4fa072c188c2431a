import { SignalError } from '../core/errors.js';
import type { AnyRuleSpec } from './rules/common.js';
import { donchianBreakout } from './rules/donchian-breakout.js';
import { emaTrendPullback } from './rules/ema-trend-pullback.js';
import { glickoZscore } from './rules/glicko-zscore.js';
import { rsiMeanReversion } from './rules/rsi-mean-reversion.js';
import { sellerExhaustion } from './rules/seller-exhaustion.js';

/**
 * The rule catalogue (SPEC §5, documented in signals/README.md): name → factory and parameter
 * grid. These are the candle rules the backtest searches and validated.json may name;
 * `glicko_zscore` is cross-coin and runs in the engine itself (see rules/glicko-zscore.ts).
 */
export const CANDLE_RULES = {
  rsi_mean_reversion: rsiMeanReversion,
  seller_exhaustion: sellerExhaustion,
  ema_trend_pullback: emaTrendPullback,
  donchian_breakout: donchianBreakout,
} as const satisfies Record<string, AnyRuleSpec>;

export type CandleRuleName = keyof typeof CANDLE_RULES;
export const CANDLE_RULE_NAMES = Object.keys(CANDLE_RULES) as CandleRuleName[];

/** Every rule of the catalogue, the cross-coin one included. */
export const RULE_NAMES = [...CANDLE_RULE_NAMES, glickoZscore.name] as const;

/** The spec of a candle rule. @throws SignalError naming the unknown rule and the known ones */
export function ruleSpec(name: string): AnyRuleSpec {
  if (!Object.hasOwn(CANDLE_RULES, name)) throw new SignalError(`unknown rule "${name}" (known: ${CANDLE_RULE_NAMES.join(', ')})`);
  return (CANDLE_RULES as Record<string, AnyRuleSpec>)[name];
}
