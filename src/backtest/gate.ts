import type { Thresholds } from '../config/schema.js';
import type { Timeframe } from '../core/timeframe.js';
import { CANDLE_RULES } from '../signal/catalogue.js';
import type { Exits } from '../signal/rules/common.js';
import { glickoZscore } from '../signal/rules/glicko-zscore.js';
import { familyId } from './candidates.js';
import type { DatasetRun } from './dataset.js';
import { blockBootstrapMean, blockLength, cscvPbo, deflatedSharpe, moments, seedOf, type BootstrapInterval, type Moments, type PboResult } from './evidence.js';
import { rStats, type RStats, type TradeRecord } from './stats.js';
import type { Trial, TrialSummary } from './trials.js';
import { closedBy, openedIn, type WalkForwardPlan } from './walk-forward.js';

/**
 * The validation gate's fixed settings (issue #9). Declared before any run and never tuned to
 * get a result; they live in code, not config, so a config file cannot loosen them.
 */
export const GATE = {
  /** Deflated Sharpe Ratio a family's out-of-sample record must reach. */
  minDsr: 0.95,
  /** Two-sided level of the bootstrap interval of mean R; the lower bound (2.5 %) must be > 0. */
  alpha: 0.05,
  /** Bootstrap resamples per family. */
  resamples: 2000,
} as const;

/** A family's record on one data folder: the instruments it ran on and all their trades. */
export interface FamilyFolder {
  dir: string;
  hash: string;
  plan: WalkForwardPlan;
  instruments: string[];
  trades: TradeRecord[];
}

/**
 * A signal family: rule + parameter set + timeframe, pooled over every instrument of every data
 * folder it ran on. Z-score families pool the live-params symbols that share one parameter set.
 */
export interface Family {
  id: string;
  rule: string;
  params: Record<string, unknown>;
  timeframe: Timeframe;
  exits: Exits;
  zscore: boolean;
  folders: FamilyFolder[];
}

/** Z-score parameters that change trades (allocation only scales size, which R ignores). */
function zscoreFamilyParams(p: Record<string, unknown>): Record<string, unknown> {
  const { enabled: _e, allocationPercent: _a, ...rest } = p;
  return rest;
}

/** Groups every candidate and z-score run of the data folders into families. */
export function collectFamilies(runs: readonly DatasetRun[]): Family[] {
  const byId = new Map<string, Family>();
  const add = (rule: string, params: Record<string, unknown>, tf: Timeframe, exits: Exits, zscore: boolean, run: DatasetRun, symbol: string, trades: TradeRecord[]) => {
    const id = familyId(rule, tf, params);
    let f = byId.get(id);
    if (!f) byId.set(id, (f = { id, rule, params, timeframe: tf, exits, zscore, folders: [] }));
    let d = f.folders.find((x) => x.dir === run.source.dir);
    if (!d) f.folders.push((d = { dir: run.source.dir, hash: run.source.hash, plan: run.plan, instruments: [], trades: [] }));
    d.instruments.push(symbol);
    d.trades.push(...trades);
  };
  for (const run of runs) {
    for (const c of run.candidates) {
      const x = c.candidate;
      add(x.rule, x.params, x.timeframe, CANDLE_RULES[x.rule].exits(x.params as never), false, run, x.symbol, c.trades);
    }
    for (const z of run.zscore) {
      add(glickoZscore.name, zscoreFamilyParams(z.params), run.ratingTimeframe, glickoZscore.exits(z.params), true, run, z.symbol, z.trades);
    }
  }
  for (const f of byId.values()) for (const d of f.folders) d.trades.sort((a, b) => a.entryTime - b.entryTime || a.symbol.localeCompare(b.symbol));
  return [...byId.values()];
}

/**
 * In-sample trades of a folder: opened at or after its start and closed by the first
 * out-of-sample split — a window disjoint from every out-of-sample fold (a trade open across the
 * split is in neither).
 */
export function inSampleOf(d: FamilyFolder): TradeRecord[] {
  return closedBy(d.trades, d.plan.splits[0]);
}

/** Out-of-sample trades of a folder: opened in [first split, end). */
export function outOfSampleOf(d: FamilyFolder): TradeRecord[] {
  return openedIn(d.trades, d.plan.splits[0], d.plan.to);
}

/** Mean R of one slice of a family's record. */
export interface SliceStats {
  dir: string;
  from: number;
  to: number;
  trades: number;
  avgR: number;
}

/** Everything measured on a family before the gate is applied. */
export interface Evidence {
  family: Family;
  inSample: RStats;
  outOfSample: RStats;
  /** Pooled out-of-sample trades, by entry time. */
  oos: TradeRecord[];
  moments: Moments;
  interval: BootstrapInterval;
  /** Out-of-sample mean R per data folder, and per walk-forward fold. */
  perFolder: SliceStats[];
  perFold: SliceStats[];
}

const meanR = (ts: readonly TradeRecord[]) => (ts.length ? ts.reduce((a, t) => a + t.r, 0) / ts.length : 0);

/** Measures a family: in-/out-of-sample R stats, moments, bootstrap interval (seeded by its id), per-folder and per-fold means. */
export function measure(f: Family): Evidence {
  const is: TradeRecord[] = [];
  const oos: TradeRecord[] = [];
  const perFolder: SliceStats[] = [];
  const perFold: SliceStats[] = [];
  for (const d of f.folders) {
    is.push(...inSampleOf(d));
    const o = outOfSampleOf(d);
    oos.push(...o);
    perFolder.push({ dir: d.dir, from: d.plan.splits[0], to: d.plan.to, trades: o.length, avgR: meanR(o) });
    for (let k = 0; k + 1 < d.plan.splits.length; k++) {
      const [a, b] = [d.plan.splits[k], d.plan.splits[k + 1]];
      const t = openedIn(o, a, b);
      perFold.push({ dir: d.dir, from: a, to: b, trades: t.length, avgR: meanR(t) });
    }
  }
  oos.sort((a, b) => a.entryTime - b.entryTime || a.symbol.localeCompare(b.symbol));
  const rs = oos.map((t) => t.r);
  return {
    family: f,
    inSample: rStats(is),
    outOfSample: rStats(oos),
    oos,
    moments: moments(rs),
    interval: blockBootstrapMean(rs, blockLength(oos), GATE.resamples, seedOf(f.id), GATE.alpha),
    perFolder,
    perFold,
  };
}

/** The trial-log line of a measured family. */
export function trialOf(e: Evidence, run: string, catalogue: string, data: string): Trial {
  return { run, catalogue, data, family: e.family.id, rule: e.family.rule, timeframe: e.family.timeframe, trades: e.moments.n, sharpe: e.moments.sharpe };
}

/** A family after the gate. */
export interface FamilyVerdict extends Evidence {
  /** Deflated Sharpe Ratio of the out-of-sample per-trade R against every trial in the log. */
  dsr: number;
  /** Minimum pooled out-of-sample trades for its timeframe (null: no thresholds for it). */
  minTrades: number | null;
  pass: boolean;
  /** Each requirement missed, one short phrase each; empty when it passed. */
  failures: string[];
}

const f3 = (x: number) => x.toFixed(3);

/**
 * The gate (SPEC §5, issue #9). A family validates only if its pooled out-of-sample record has
 * - at least the timeframe's `minTrades` trades;
 * - mean R > 0 with the circular-block-bootstrap 95 % interval's lower bound > 0;
 * - Deflated Sharpe Ratio ≥ 0.95, with N = every trial in the log and V[SR] their variance;
 * - mean R > 0 in every data folder it ran on, separately (a folder without trades fails);
 * - profit factor in R ≥ the timeframe's `minProfitFactor` (kept from the old gate: stricter, never looser).
 * The old "win rate above break-even for the R:R" test is gone: it assumed every trade ends at
 * +RR or −1 R, and mean R > 0 is what that test approximated.
 */
export function judgeFamily(e: Evidence, th: Partial<Record<Timeframe, Thresholds>>, trials: TrialSummary): FamilyVerdict {
  const t = th[e.family.timeframe];
  const o = e.outOfSample;
  const dsr = deflatedSharpe(e.moments.sharpe, e.moments.n, e.moments.skew, e.moments.kurtosis, trials.trials, trials.sharpeVariance);
  const failures: string[] = [];
  if (!t) failures.push(`no thresholds for ${e.family.timeframe}`);
  else if (o.trades < t.minTrades) failures.push(`${o.trades} OOS trades < ${t.minTrades}`);
  if (!(e.moments.mean > 0)) failures.push(`mean R ${f3(e.moments.mean)} ≤ 0`);
  else if (!(e.interval.lower > 0)) failures.push(`bootstrap 95 % lower bound ${f3(e.interval.lower)} R ≤ 0`);
  if (!(dsr >= GATE.minDsr)) failures.push(`DSR ${f3(dsr)} < ${GATE.minDsr} (N = ${trials.trials})`);
  for (const p of e.perFolder) {
    if (p.trades === 0) failures.push(`no OOS trades in ${p.dir}`);
    else if (!(p.avgR > 0)) failures.push(`mean R ${f3(p.avgR)} ≤ 0 in ${p.dir}`);
  }
  if (t && o.trades > 0 && o.profitFactor < t.minProfitFactor) failures.push(`PF(R) ${o.profitFactor.toFixed(2)} < ${t.minProfitFactor}`);
  return { ...e, dsr, minTrades: t?.minTrades ?? null, pass: failures.length === 0, failures };
}

const DAY_MS = 86_400_000;

/**
 * The families' out-of-sample paths for CSCV: one column per family with at least one
 * out-of-sample trade, one row per UTC day of every folder's out-of-sample window (folders in
 * time order, concatenated), each cell the sum of R of the family's trades that closed that day.
 * A family not run on a folder is flat (0) on its days — it made no trades there.
 */
export function oosPaths(verdicts: readonly Evidence[], dirs?: readonly string[]): { ids: string[]; columns: number[][] } {
  const windows = new Map<string, { from: number; to: number }>();
  for (const v of verdicts) for (const d of v.family.folders) if (!dirs || dirs.includes(d.dir)) windows.set(d.dir, { from: d.plan.splits[0], to: d.plan.to });
  const ordered = [...windows.entries()].sort((a, b) => a[1].from - b[1].from);
  const offset = new Map<string, number>();
  let rows = 0;
  for (const [dir, w] of ordered) {
    offset.set(dir, rows);
    rows += Math.ceil(w.to / DAY_MS) - Math.floor(w.from / DAY_MS);
  }
  const ids: string[] = [];
  const columns: number[][] = [];
  for (const v of verdicts) {
    const col = new Array<number>(rows).fill(0);
    let any = false;
    for (const d of v.family.folders) {
      const off = offset.get(d.dir);
      if (off === undefined) continue;
      const d0 = Math.floor(windows.get(d.dir)!.from / DAY_MS);
      for (const t of outOfSampleOf(d)) {
        const row = off + Math.floor(t.exitTime / DAY_MS) - d0;
        // A trade opened in the window but closed after its end still belongs to the family's last day.
        col[Math.min(row, off + Math.ceil(windows.get(d.dir)!.to / DAY_MS) - d0 - 1)] += t.r;
        any = true;
      }
    }
    if (any) {
      ids.push(v.family.id);
      columns.push(col);
    }
  }
  return { ids, columns };
}

/** CSCV PBO over the families' out-of-sample paths (16 groups, Sharpe), or null when there are < 2 paths or < 16 days. */
export function familiesPbo(verdicts: readonly Evidence[], dirs?: readonly string[]): PboResult | null {
  const { columns } = oosPaths(verdicts, dirs);
  if (columns.length < 2 || columns[0].length < 16) return null;
  return cscvPbo(columns, 16, 'sharpe');
}

/** One walk-forward selection among a rule's parameter sets on one (timeframe, data folder). */
export interface Selection {
  rule: string;
  timeframe: Timeframe;
  dir: string;
  /** Per fold: the chosen family id (null: none qualified) and its fold trades and mean R. */
  folds: { chosen: string | null; trades: number; avgR: number }[];
  trades: number;
  avgR: number;
}

/**
 * Walk-forward parameter choice (as before issue #9, now on pooled instruments and in R): for each
 * fold k of a folder, among a rule's families on one timeframe, the one with the highest SQN on
 * the trades closed by split k (only earlier data) among those with ≥ `minTrades` of them and
 * mean R > 0; it trades the fold. The stitched fold trades are the out-of-sample record of the
 * selection procedure — a diagnostic beside the per-family gate, which already pays for every
 * family tried through the DSR.
 */
export function walkForwardSelections(families: readonly Family[], th: Partial<Record<Timeframe, Thresholds>>): Selection[] {
  const groups = new Map<string, { fam: Family; d: FamilyFolder }[]>();
  for (const f of families) {
    if (f.zscore) continue;
    for (const d of f.folders) {
      const k = `${f.rule}|${f.timeframe}|${d.dir}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push({ fam: f, d });
    }
  }
  const out: Selection[] = [];
  for (const g of groups.values()) {
    const { fam, d } = g[0];
    const min = th[fam.timeframe]?.minTrades ?? Infinity;
    const plan = d.plan;
    const folds: Selection['folds'] = [];
    const all: TradeRecord[] = [];
    for (let k = 0; k + 1 < plan.splits.length; k++) {
      const [a, b] = [plan.splits[k], plan.splits[k + 1]];
      let best: { id: string; score: number; x: FamilyFolder } | null = null;
      for (const { fam: f, d: x } of g) {
        const is = closedBy(x.trades, a);
        if (is.length < min || !(meanR(is) > 0)) continue;
        const score = rStats(is).sqn;
        if (!best || score > best.score) best = { id: f.id, score, x };
      }
      const t = best ? openedIn(best.x.trades, a, b) : [];
      all.push(...t);
      folds.push({ chosen: best?.id ?? null, trades: t.length, avgR: meanR(t) });
    }
    out.push({ rule: fam.rule, timeframe: fam.timeframe, dir: d.dir, folds, trades: all.length, avgR: meanR(all) });
  }
  return out;
}

/** The out-of-sample R of a family's instruments, separately (the report's secondary view). */
export function perInstrument(e: Evidence): { symbol: string; trades: number; avgR: number }[] {
  const by = new Map<string, TradeRecord[]>();
  for (const t of e.oos) {
    let l = by.get(t.symbol);
    if (!l) by.set(t.symbol, (l = []));
    l.push(t);
  }
  return [...by.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([symbol, ts]) => ({ symbol, trades: ts.length, avgR: meanR(ts) }));
}
