import type { Timeframe } from '../../src/core/timeframe.js';
import { candidateId, type Candidate } from '../../src/backtest/candidates.js';
import { CANDLE_RULES, type CandleRuleName } from '../../src/signal/catalogue.js';
import type { ValidatedFile, ValidatedSignal } from '../../src/signal/validated.js';

/** A catalogue candidate: grid point `index` of `rule` on (symbol, tf). */
export function candidate(rule: CandleRuleName, index: number, symbol: string, timeframe: Timeframe): Candidate {
  const params = (CANDLE_RULES[rule].grid() as Record<string, unknown>[])[index];
  if (!params) throw new Error(`${rule} has no grid point ${index}`);
  return { id: candidateId(rule, symbol, timeframe, params), rule, params, symbol, timeframe };
}

const ZERO = { trades: 0, winRate: 0, profitFactor: 0, avgR: 0, maxDrawdownPercent: 0, sharpe: 0 };

/** A schema-valid validated signal for a candidate (stats are placeholders; only the rule matters). */
export function asSignal(c: Candidate): ValidatedSignal {
  const t = '2025-01-01T00:00:00.000Z';
  return {
    id: c.id, rule: c.rule, params: c.params, instrument: c.symbol, timeframe: c.timeframe, direction: 'long',
    exits: CANDLE_RULES[c.rule].exits(c.params as never), inSample: ZERO, outOfSample: ZERO, confidence: 0.5,
    breakEvenWinRate: 0.4, walkForward: { from: t, to: t, folds: [{ from: t, to: t, chosen: c.id, trades: 0 }] }, data: 'test',
  };
}

/** A schema-valid validated.json holding `signals`. */
export function validatedFile(signals: ValidatedSignal[]): ValidatedFile {
  return {
    version: 1, generatedAt: '2025-01-01T00:00:00.000Z', command: 'test',
    data: [{ dir: 'test', from: '2025-01-01T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z', baseTimeframe: '5m', symbols: ['BTCUSDT'], hash: 'a'.repeat(64) }],
    inSampleFraction: 0.5, folds: 3, broker: { feeBps: 10, slippageBps: 5 },
    thresholds: { '5m': { minWinRate: 0.38, minProfitFactor: 1.2, minTrades: 40, requiredRR: 2 } },
    signals,
  };
}
