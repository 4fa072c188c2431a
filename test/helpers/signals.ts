import type { Timeframe } from '../../src/core/timeframe.js';
import { candidateId, familyId, type Candidate } from '../../src/backtest/candidates.js';
import { CANDLE_RULES, type CandleRuleName } from '../../src/signal/catalogue.js';
import type { FamilyStats, ValidatedFamily, ValidatedFile } from '../../src/signal/validated.js';

/** A catalogue candidate: grid point `index` of `rule` on (symbol, tf). */
export function candidate(rule: CandleRuleName, index: number, symbol: string, timeframe: Timeframe): Candidate {
  const params = (CANDLE_RULES[rule].grid() as Record<string, unknown>[])[index];
  if (!params) throw new Error(`${rule} has no grid point ${index}`);
  return { id: candidateId(rule, symbol, timeframe, params), rule, params, symbol, timeframe };
}

export const ZERO_STATS: FamilyStats = {
  trades: 0, winRate: 0, profitFactor: 0, avgR: 0, medianR: 0, sqn: 0, sharpe: 0, maxDrawdownR: 0,
  exits: { target: 0, stop: 0, time: 0, reversal: 0 }, avgHoldHours: 0,
};

/**
 * A schema-valid validated family for a candidate, on the candidate's instrument only, so its
 * one signal id is the candidate's id (stats are zeros; only the rule matters).
 */
export function asSignal(c: Candidate): ValidatedFamily {
  const t = '2025-01-01T00:00:00.000Z';
  return {
    id: familyId(c.rule, c.timeframe, c.params), rule: c.rule, params: c.params, timeframe: c.timeframe, direction: 'long', instruments: [c.symbol],
    exits: CANDLE_RULES[c.rule].exits(c.params as never), inSample: ZERO_STATS, outOfSample: ZERO_STATS,
    meanR: { mean: 0, lower: 0, upper: 0, block: 1, resamples: 1 }, dsr: 0.5, perData: [{ dir: 'test', trades: 0, avgR: 0 }],
    data: [{ dir: 'test', from: t, outOfSampleFrom: t, to: t, hash: 'a'.repeat(64) }],
  };
}

/** A schema-valid validated.json holding `families`. */
export function validatedFile(families: ValidatedFamily[]): ValidatedFile {
  return {
    version: 2, generatedAt: '2025-01-01T00:00:00.000Z', command: 'test',
    data: [{ dir: 'test', from: '2025-01-01T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z', baseTimeframe: '5m', symbols: ['BTCUSDT'], hash: 'a'.repeat(64) }],
    inSampleFraction: 0.5, folds: 3, broker: { feeBps: 10, slippageBps: 5 },
    thresholds: { '5m': { minWinRate: 0.38, minProfitFactor: 1.2, minTrades: 40, requiredRR: 2 } },
    gate: { minDsr: 0.95, alpha: 0.05, resamples: 2000, trials: 1, sharpeVariance: 0, catalogue: 'test', families: 1, pbo: null },
    families,
    zscore: [],
  };
}
