import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '../config/load.js';
import { ThresholdsSchema, type Thresholds } from '../config/schema.js';
import type { Candle } from '../core/candle.js';
import { SignalError } from '../core/errors.js';
import { TIMEFRAMES, type Timeframe } from '../core/timeframe.js';
import { BankSet } from '../indicator/bank.js';
import { CANDLE_RULE_NAMES, ruleSpec, type CandleRuleName } from './catalogue.js';
import type { Lookback } from './rule.js';
import type { CandleRule } from './rule.js';
import type { SampleStats, Setup } from './types.js';

/**
 * Version of the validated.json format this code reads and writes. 2: signal families (rule +
 * parameter set + timeframe over several instruments) judged in R by the issue-#9 gate; 1 was
 * one signal per instrument judged on quote-currency stats.
 */
export const VALIDATED_VERSION = 2;

const timeframe = z.enum(TIMEFRAMES);
const iso = z.iso.datetime();
const fraction = z.number().min(0).max(1);

/**
 * Statistics of one sample of a family's trades, in R (pnl / initial risk, after fees and
 * slippage): winRate a fraction; profitFactor = Σ positive R / Σ |negative R| (99 when no loss);
 * avgR/medianR mean and median R; sqn √n·mean/sd; sharpe mean/sd per trade; maxDrawdownR the
 * largest fall of cumulative R; exits the shares (fractions) of exit reasons; avgHoldHours.
 */
export const FamilyStatsSchema = z.object({
  trades: z.number().int().min(0),
  winRate: fraction,
  profitFactor: z.number().min(0),
  avgR: z.number(),
  medianR: z.number(),
  sqn: z.number(),
  sharpe: z.number(),
  maxDrawdownR: z.number().min(0),
  exits: z.object({ target: fraction, stop: fraction, time: fraction, reversal: fraction }).strict(),
  avgHoldHours: z.number().min(0),
}).strict();
export type FamilyStats = z.infer<typeof FamilyStatsSchema>;

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

const symbol = z.string().regex(/^[A-Z0-9]+$/, 'symbol like BTCUSDT');

/**
 * A validated signal family: rule + parameter set + timeframe, traded on `instruments`, with the
 * evidence the gate accepted (out of sample unless named `inSample`).
 */
export const ValidatedFamilySchema = z.object({
  /** `rule:tf:<8 hex of sha256(params)>`; each instrument's signal id is `rule:SYMBOL:tf:<same hex>`. */
  id: z.string().min(1),
  rule: z.enum(CANDLE_RULE_NAMES as [CandleRuleName, ...CandleRuleName[]]),
  params: z.record(z.string(), z.unknown()),
  timeframe,
  direction: z.literal('long'),
  instruments: z.array(symbol).min(1),
  exits: ExitsSchema,
  /** Trades closed before the first out-of-sample split (a window disjoint from every fold). */
  inSample: FamilyStatsSchema,
  outOfSample: FamilyStatsSchema,
  /** Circular-block-bootstrap 95 % interval of the out-of-sample mean R (seeded; block length in trades). */
  meanR: z.object({ mean: z.number(), lower: z.number(), upper: z.number(), block: z.number().int().positive(), resamples: z.number().int().positive() }).strict(),
  /** Deflated Sharpe Ratio (0..1) of the out-of-sample per-trade R against every trial in the log. */
  dsr: fraction,
  /** Out-of-sample trades and mean R per data folder (each had to be > 0). */
  perData: z.array(z.object({ dir: z.string(), trades: z.number().int().min(0), avgR: z.number() }).strict()).min(1),
  /** The data it was validated on: folder, window (ISO, end exclusive), first out-of-sample split, sha256. */
  data: z.array(z.object({ dir: z.string(), from: iso, outOfSampleFrom: iso, to: iso, hash: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex') }).strict()).min(1),
}).strict().superRefine((s, ctx) => {
  // Params are checked against the named rule's own schema, so a typo names the field.
  const r = ruleSpec(s.rule).params.safeParse(s.params);
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: ['params', ...i.path], message: i.message });
});
export type ValidatedFamily = z.infer<typeof ValidatedFamilySchema>;

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
  /**
   * The gate as run: DSR minimum, bootstrap level and resamples, the trial log's N (distinct
   * families ever evaluated for this catalogue and data) and V[SR], the catalogue version, the
   * families judged this run, and the run's probability of backtest overfitting (CSCV; null when
   * it could not be computed).
   */
  gate: z.object({
    minDsr: fraction,
    alpha: fraction,
    resamples: z.number().int().positive(),
    trials: z.number().int().min(0),
    sharpeVariance: z.number().min(0),
    catalogue: z.string(),
    families: z.number().int().min(0),
    pbo: fraction.nullable(),
  }).strict(),
  families: z.array(ValidatedFamilySchema),
  /**
   * The Glicko-2 z-score parameter sets (config/live-params.json) through the same gate: they
   * trade from live-params.json whatever the verdict, so they are listed here, not in `families`.
   */
  zscore: z.array(z.object({
    id: z.string().min(1),
    params: z.record(z.string(), z.unknown()),
    timeframe,
    instruments: z.array(symbol).min(1),
    outOfSample: FamilyStatsSchema,
    dsr: fraction,
    pass: z.boolean(),
    failures: z.array(z.string()),
  }).strict()),
}).strict().superRefine((f, ctx) => {
  const seen = new Set<string>();
  f.families.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['families', i, 'id'], message: `duplicate family id ${s.id}` });
    seen.add(s.id);
  });
});
export type ValidatedFile = z.infer<typeof ValidatedFileSchema>;
export type { Thresholds };

/**
 * A family's stats in the shape cards and the store carry (`SampleStats`): profit factor in R,
 * `maxDrawdownPercent` = the drawdown in R, which is the drawdown in percent of starting equity
 * at a fixed 1 % risk per trade (capped at 100), and `sharpe` per trade.
 */
export function cardStats(s: FamilyStats): SampleStats {
  return { trades: s.trades, winRate: s.winRate, profitFactor: s.profitFactor, avgR: s.avgR, maxDrawdownPercent: Math.min(100, s.maxDrawdownR), sharpe: s.sharpe };
}

/** The signal id of a family on one instrument: `rule:SYMBOL:tf:<hex of the family id>`. */
export function signalIdOf(f: Pick<ValidatedFamily, 'id' | 'rule' | 'timeframe'>, symbol: string): string {
  return `${f.rule}:${symbol}:${f.timeframe}:${f.id.slice(f.id.lastIndexOf(':') + 1)}`;
}

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
  /** The validated families (the name predates families; src/app/signals.ts reads it). */
  signals: ValidatedFamily[];
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
  return { file, signals: file.families };
}

/** A validated family on one instrument as `/signals` lists it (the family's pooled out-of-sample stats, R). Structurally `SignalSummary`. */
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
 * The validated families as one `CandleRule`: each family runs one rule instance per instrument,
 * and on every close of (instrument, timeframe) the registry runs the instances for exactly that
 * pair. The engine calls it for every candle, so the miss path is two lookups and no allocation.
 */
export class ValidatedRegistry implements CandleRule {
  readonly #index = new Map<string, Partial<Record<Timeframe, CandleRule[]>>>();

  /** @throws SignalError when a family names an unknown rule or bad parameters */
  constructor(readonly families: readonly ValidatedFamily[]) {
    // Instances on one (instrument, timeframe) share indicators, as the backtest's candidates do.
    const banks = new BankSet();
    for (const f of families) {
      const spec = ruleSpec(f.rule);
      const r = spec.params.safeParse(f.params);
      if (!r.success) throw new SignalError(`family ${f.id}: bad params — ${describeIssues(r.error)}`);
      for (const symbol of f.instruments) {
        const rule = spec.create(r.data, {
          signalId: signalIdOf(f, symbol), symbol, timeframe: f.timeframe,
          inSample: cardStats(f.inSample), outOfSample: cardStats(f.outOfSample), confidence: f.dsr, bank: banks.for(symbol, f.timeframe),
        });
        let byTf = this.#index.get(symbol);
        if (!byTf) this.#index.set(symbol, (byTf = {}));
        (byTf[f.timeframe] ??= []).push(rule);
      }
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

  /** Timeframes the families need the pipeline to build. */
  get timeframes(): Timeframe[] {
    return [...new Set(this.families.map((s) => s.timeframe))];
  }

  /** One summary per (family, instrument), with the family's pooled out-of-sample stats (R). */
  summaries(): ValidatedSummary[] {
    return this.families.flatMap((f) => f.instruments.map((symbol) => ({
      id: signalIdOf(f, symbol), rule: f.rule, symbol, timeframe: f.timeframe,
      winRate: f.outOfSample.winRate, profitFactor: f.outOfSample.profitFactor, trades: f.outOfSample.trades,
    })));
  }
}
