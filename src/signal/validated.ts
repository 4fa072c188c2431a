import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '../config/load.js';
import { ThresholdsSchema, type Thresholds } from '../config/schema.js';
import type { Candle } from '../core/candle.js';
import { SignalError } from '../core/errors.js';
import { TIMEFRAMES, type Timeframe } from '../core/timeframe.js';
import { BankSet } from '../indicator/bank.js';
import { CANDLE_RULE_NAMES, ruleSpec, type CandleRuleName } from './catalogue.js';
import type { Lookback } from './lookback.js';
import type { CandleRule } from './rule.js';
import type { Setup } from './types.js';

/** Version of the validated.json format this code reads and writes. */
export const VALIDATED_VERSION = 1;

const timeframe = z.enum(TIMEFRAMES);
const iso = z.iso.datetime();

/** Backtest statistics of one sample: winRate a fraction 0..1, drawdown in percent, Sharpe annualised. */
export const SampleStatsSchema = z.object({
  trades: z.number().int().min(0),
  winRate: z.number().min(0).max(1),
  /** Gross profit / gross loss; capped at 99 when a sample has no losing trade. */
  profitFactor: z.number().min(0),
  avgR: z.number(),
  maxDrawdownPercent: z.number().min(0).max(100),
  sharpe: z.number(),
}).strict();

/** One input folder of a backtest: its window (ISO, end exclusive) and sha256 of its files' bytes. */
export const DataSourceSchema = z.object({
  dir: z.string().min(1),
  from: iso,
  to: iso,
  baseTimeframe: timeframe,
  symbols: z.array(z.string()).min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex'),
}).strict();
export type DataSource = z.infer<typeof DataSourceSchema>;

export const ExitsSchema = z.object({
  stop: z.string(),
  target: z.string(),
  rewardRisk: z.number().positive(),
  maxHoldBars: z.number().int().positive().nullable(),
}).strict();

export const ValidatedSignalSchema = z.object({
  id: z.string().min(1),
  rule: z.enum(CANDLE_RULE_NAMES as [CandleRuleName, ...CandleRuleName[]]),
  params: z.record(z.string(), z.unknown()),
  instrument: z.string().regex(/^[A-Z0-9]+$/, 'symbol like BTCUSDT'),
  timeframe,
  direction: z.literal('long'),
  exits: ExitsSchema,
  inSample: SampleStatsSchema,
  outOfSample: SampleStatsSchema,
  /** 0..1, see signals/README.md. */
  confidence: z.number().min(0).max(1),
  /** Fee-adjusted break-even win rate the out-of-sample win rate beat (fraction). */
  breakEvenWinRate: z.number().min(0).max(1),
  /**
   * Walk-forward over [from, to): each fold chose a parameter set (candidate id, or null when none
   * qualified) on the data before it and made `trades` out-of-sample trades in [from, to) of the fold.
   */
  walkForward: z.object({
    from: iso,
    to: iso,
    folds: z.array(z.object({ from: iso, to: iso, chosen: z.string().nullable(), trades: z.number().int().min(0) }).strict()).min(1),
  }).strict(),
  /** The data folder it was validated on. */
  data: z.string(),
}).strict().superRefine((s, ctx) => {
  // Params are checked against the named rule's own schema, so a typo names the field.
  const r = ruleSpec(s.rule).params.safeParse(s.params);
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: ['params', ...i.path], message: i.message });
});
export type ValidatedSignal = z.infer<typeof ValidatedSignalSchema>;

/** signals/validated.json, written by `edgebot backtest`. */
export const ValidatedFileSchema = z.object({
  version: z.literal(VALIDATED_VERSION),
  generatedAt: iso,
  /** The exact command that produced the file. */
  command: z.string(),
  data: z.array(DataSourceSchema).min(1),
  /** Share of each data window before the first out-of-sample fold, and the number of folds. */
  inSampleFraction: z.number().gt(0).lt(1),
  folds: z.number().int().min(1),
  broker: z.object({ feeBps: z.number().min(0), slippageBps: z.number().min(0) }).strict(),
  thresholds: z.partialRecord(timeframe, ThresholdsSchema),
  signals: z.array(ValidatedSignalSchema),
}).strict().superRefine((f, ctx) => {
  const seen = new Set<string>();
  f.signals.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['signals', i, 'id'], message: `duplicate signal id ${s.id}` });
    seen.add(s.id);
  });
});
export type ValidatedFile = z.infer<typeof ValidatedFileSchema>;
export type { Thresholds };

/**
 * Validates a parsed validated.json. @throws SignalError naming the file and every bad field
 * (`signals.3.params.oversold: …`)
 */
export function parseValidated(raw: unknown, source = 'validated.json'): ValidatedFile {
  const v = (raw as { version?: unknown } | null)?.version;
  if (typeof raw === 'object' && raw !== null && v !== VALIDATED_VERSION) {
    throw new SignalError(`${source} has version ${JSON.stringify(v)}; this edgebot reads version ${VALIDATED_VERSION} — re-run \`edgebot backtest\``);
  }
  const r = ValidatedFileSchema.safeParse(raw);
  if (!r.success) throw new SignalError(`${source} is invalid — ${describeIssues(r.error)}`);
  return r.data;
}

/** What `loadValidatedSignals` found: the file (null when missing) and a warning for the owner. */
export interface LoadedSignals {
  file: ValidatedFile | null;
  signals: ValidatedSignal[];
  warning?: string;
}

/**
 * Loads signals/validated.json. A missing file is not an error (a fresh checkout runs the z-score
 * rule only): no signals and a warning. @throws SignalError when the file is unreadable or invalid
 */
export function loadValidatedSignals(path: string): LoadedSignals {
  if (!existsSync(path)) {
    return { file: null, signals: [], warning: `${path} not found: no validated signals loaded (run \`edgebot backtest\` to create it)` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SignalError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const file = parseValidated(raw, path);
  return { file, signals: file.signals };
}

/** A validated signal as `/signals` lists it (out-of-sample stats). Structurally `SignalSummary`. */
export interface ValidatedSummary {
  id: string;
  rule: string;
  symbol: string;
  timeframe: Timeframe;
  winRate: number;
  profitFactor: number;
  trades: number;
}

/**
 * The validated signals as one `CandleRule`: on every close of (instrument, timeframe) it runs
 * the rules validated for exactly that pair. The engine calls it for every candle, so the miss
 * path is two lookups and no allocation.
 */
export class ValidatedRegistry implements CandleRule {
  readonly #index = new Map<string, Partial<Record<Timeframe, CandleRule[]>>>();

  /** @throws SignalError when a signal names an unknown rule or bad parameters */
  constructor(readonly signals: readonly ValidatedSignal[]) {
    // Signals on one (instrument, timeframe) share indicators, as the backtest's candidates do.
    const banks = new BankSet();
    for (const s of signals) {
      const spec = ruleSpec(s.rule);
      const r = spec.params.safeParse(s.params);
      if (!r.success) throw new SignalError(`signal ${s.id}: bad params — ${describeIssues(r.error)}`);
      const rule = spec.create(r.data, {
        signalId: s.id, symbol: s.instrument, timeframe: s.timeframe,
        inSample: s.inSample, outOfSample: s.outOfSample, confidence: s.confidence, bank: banks.for(s.instrument, s.timeframe),
      });
      let byTf = this.#index.get(s.instrument);
      if (!byTf) this.#index.set(s.instrument, (byTf = {}));
      (byTf[s.timeframe] ??= []).push(rule);
    }
  }

  onCandle(symbol: string, tf: Timeframe, c: Candle, out: Setup[]): void {
    const byTf = this.#index.get(symbol);
    if (byTf === undefined) return;
    const rules = byTf[tf];
    if (rules === undefined) return;
    for (let i = 0; i < rules.length; i++) rules[i].onCandle(symbol, tf, c, out);
  }

  /** The lookbacks of every validated rule (src/signal/lookback.ts), for sizing the warm-up. */
  lookback(): Lookback[] {
    const out: Lookback[] = [];
    for (const byTf of this.#index.values()) {
      for (const rules of Object.values(byTf)) {
        for (const r of rules ?? []) {
          const l = r.lookback?.();
          if (l) out.push(...(Array.isArray(l) ? l : [l]));
        }
      }
    }
    return out;
  }

  /** Timeframes the signals need the pipeline to build. */
  get timeframes(): Timeframe[] {
    return [...new Set(this.signals.map((s) => s.timeframe))];
  }

  summaries(): ValidatedSummary[] {
    return this.signals.map((s) => ({
      id: s.id, rule: s.rule, symbol: s.instrument, timeframe: s.timeframe,
      winRate: s.outOfSample.winRate, profitFactor: s.outOfSample.profitFactor, trades: s.outOfSample.trades,
    }));
  }
}
