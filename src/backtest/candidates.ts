import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { TIMEFRAMES, timeframeMs, type Timeframe } from '../core/timeframe.js';
import { CANDLE_RULE_NAMES, CANDLE_RULES, type CandleRuleName } from '../signal/catalogue.js';

/** One point of the search: a catalogue rule with one parameter set on one (instrument, timeframe). */
export interface Candidate {
  id: string;
  rule: CandleRuleName;
  params: Record<string, unknown>;
  symbol: string;
  timeframe: Timeframe;
}

/** JSON with keys sorted, so equal parameter sets hash equally whatever their key order. */
export function stableJson(x: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(x).sort().map((k) => [k, x[k]]));
}

/** 8 hex of sha256 over the parameter set's sorted JSON. */
export function paramsHash(params: Record<string, unknown>): string {
  return createHash('sha256').update(stableJson(params)).digest('hex').slice(0, 8);
}

/** `rule:SYMBOL:tf:<paramsHash>` — one family on one instrument; stable across runs, so card ids are too. */
export function candidateId(rule: string, symbol: string, tf: Timeframe, params: Record<string, unknown>): string {
  return `${rule}:${symbol}:${tf}:${paramsHash(params)}`;
}

/** `rule:tf:<paramsHash>` — a signal family (rule + parameter set + timeframe, pooled over instruments). */
export function familyId(rule: string, tf: Timeframe, params: Record<string, unknown>): string {
  return `${rule}:${tf}:${paramsHash(params)}`;
}

/**
 * Timeframes scanned on data with base `base`: those with live thresholds that the pipeline can
 * build from it (a multiple of the base) — 5m/15m/30m/1h on 5m data, plus 1m/2m on 1m data.
 */
export function scanTimeframes(base: Timeframe, thresholds: Config['validation']['thresholds']): Timeframe[] {
  const b = timeframeMs(base);
  return TIMEFRAMES.filter((tf) => tf in thresholds && timeframeMs(tf) >= b && timeframeMs(tf) % b === 0);
}

/**
 * A sub-search (`runBacktest`'s `grid` option): only these rules and/or timeframes of the
 * catalogue × grid; omitted fields mean all. For research checks that must run in CI time
 * (test/research/); production runs leave it unset and search everything. Family ids, the
 * catalogue version and the trial log are those of the full search: a family run in a sub-search
 * is the same trial as in the full one, and N counts only what was actually run.
 */
export interface GridSelection {
  rules?: readonly CandleRuleName[];
  timeframes?: readonly Timeframe[];
}

/**
 * The full search: catalogue × parameter grid × symbol × timeframe (or the part of it `select`
 * names). Parameter sets whose R:R is below the timeframe's required R:R are left out — they
 * could never pass.
 */
export function buildCandidates(symbols: readonly string[], timeframes: readonly Timeframe[], thresholds: Config['validation']['thresholds'], select: GridSelection = {}): Candidate[] {
  const out: Candidate[] = [];
  const tfs = select.timeframes ? timeframes.filter((tf) => select.timeframes!.includes(tf)) : timeframes;
  const rules = select.rules ? CANDLE_RULE_NAMES.filter((r) => select.rules!.includes(r)) : CANDLE_RULE_NAMES;
  for (const symbol of symbols) {
    for (const tf of tfs) {
      const required = thresholds[tf as keyof typeof thresholds].requiredRR;
      for (const rule of rules) {
        const spec = CANDLE_RULES[rule];
        for (const p of spec.grid() as Record<string, unknown>[]) {
          if (spec.exits(p as never).rewardRisk < required) continue;
          out.push({ id: candidateId(rule, symbol, tf, p), rule, params: p, symbol, timeframe: tf });
        }
      }
    }
  }
  return out;
}
