import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { SignalError } from '../core/errors.js';
import { CANDLE_RULES } from '../signal/catalogue.js';
import { stableJson } from './candidates.js';

/**
 * Bumped by hand whenever a rule's logic changes in a way its parameters do not show (a bug fix in
 * an entry condition, a new exit): the same parameter set then is a new trial. Grid changes are
 * caught by the hash in `catalogueVersion`.
 */
export const CATALOGUE_LOGIC_VERSION = 1;

/** `v<logic>-<8 hex of sha256 over every rule's name and grid>`: what "the same catalogue" means for the trial log. */
export function catalogueVersion(): string {
  const grids = Object.entries(CANDLE_RULES).map(([name, spec]) => [name, (spec.grid() as Record<string, unknown>[]).map(stableJson)]);
  return `v${CATALOGUE_LOGIC_VERSION}-${createHash('sha256').update(JSON.stringify(grids)).digest('hex').slice(0, 8)}`;
}

/** 16 hex of sha256 over the data folders' keys (sorted; each its sha256 and window): the data a trial was run on. */
export function combinedDataHash(hashes: readonly string[]): string {
  return createHash('sha256').update([...hashes].sort().join('\n')).digest('hex').slice(0, 16);
}

/**
 * One line of signals/trials.jsonl: one family evaluated by one `edgebot backtest` run.
 * `sharpe` is the per-trade Sharpe (mean R / sd R) of its out-of-sample trades, `trades` their count.
 */
export const TrialSchema = z.object({
  run: z.iso.datetime(),
  catalogue: z.string().min(1),
  data: z.string().min(1),
  family: z.string().min(1),
  rule: z.string().min(1),
  timeframe: z.string().min(1),
  trades: z.number().int().min(0),
  sharpe: z.number(),
}).strict();
export type Trial = z.infer<typeof TrialSchema>;

/** What the gate takes from the log. */
export interface TrialSummary {
  /** Distinct (catalogue, data, family) ever evaluated — the DSR's N. */
  trials: number;
  /** Sample variance of the latest per-trade Sharpe estimates of the trials with enough trades (see `summarizeTrials`). */
  sharpeVariance: number;
  /** Trials that entered the variance. */
  withSharpe: number;
  /** Lines in the log (runs × families). */
  lines: number;
}

/**
 * Reads the trial log (missing file: empty). @throws SignalError naming the line of a corrupt
 * entry — a log that cannot be read must not silently shrink N.
 */
export function readTrials(path: string): Trial[] {
  if (!existsSync(path)) return [];
  const out: Trial[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new SignalError(`${path}:${i + 1} is not JSON; the trial log must stay intact (restore it from git)`);
    }
    const r = TrialSchema.safeParse(raw);
    if (!r.success) throw new SignalError(`${path}:${i + 1} is not a trial record: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    out.push(r.data);
  });
  return out;
}

/** Appends `trials` as JSON lines (the log is append-only: every run adds, nothing is rewritten). */
export function appendTrials(path: string, trials: readonly Trial[]): void {
  if (!trials.length) return;
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, trials.map((t) => JSON.stringify(TrialSchema.parse(t))).join('\n') + '\n');
}

/**
 * N and V[SR] for the Deflated Sharpe Ratio. A trial is a distinct (catalogue, data, family):
 * re-running the same search on the same data is the same test and does not add trials, while a
 * new grid, new rule logic or new data does. Each trial's latest line gives its Sharpe.
 *
 * Every trial counts in N. V[SR] is taken over the trials with at least `minTrades(timeframe)`
 * out-of-sample trades — those the gate could have selected. A family with 2 or 3 trades has a
 * Sharpe estimate of ±several (sd of 2 numbers), which would swamp the variance with noise that
 * no selection could act on (on the bundled data it lifts V from ~0.02 to ~4 and every DSR to 0).
 */
export function summarizeTrials(trials: readonly Trial[], minTrades: (timeframe: string) => number = () => 2): TrialSummary {
  const latest = new Map<string, Trial>();
  for (const t of trials) latest.set(`${t.catalogue}|${t.data}|${t.family}`, t);
  const srs = [...latest.values()].filter((t) => t.trades >= Math.max(2, minTrades(t.timeframe))).map((t) => t.sharpe);
  let v = 0;
  if (srs.length > 1) {
    const m = srs.reduce((a, x) => a + x, 0) / srs.length;
    v = srs.reduce((a, x) => a + (x - m) ** 2, 0) / (srs.length - 1);
  }
  return { trials: latest.size, sharpeVariance: v, withSharpe: srs.length, lines: trials.length };
}
