import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig, loadLiveParams } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { buildCandidates, scanTimeframes, type GridSelection } from '../backtest/candidates.js';
import type { DatasetRun } from '../backtest/dataset.js';
import { BacktestPool } from '../backtest/pool.js';
import { collectFamilies, familiesPbo, GATE, judgeFamily, measure, trialOf, walkForwardSelections, type FamilyVerdict } from '../backtest/gate.js';
import { renderReport, type DatasetInfo } from '../backtest/report.js';
import { appendTrials, catalogueVersion, combinedDataHash, readTrials, summarizeTrials } from '../backtest/trials.js';
import { round } from '../backtest/stats.js';
import { tradesCsv } from '../backtest/trades-csv.js';
import { DataError } from '../core/errors.js';
import { loadCandleData, readCandleFile, symbolFromFileName } from '../feed/csv.js';
import type { CandleRuleName } from '../signal/catalogue.js';
import { parseValidated, VALIDATED_VERSION, type ValidatedFamily, type ValidatedFile } from '../signal/validated.js';

export interface BacktestOptions {
  /** Data folders of `<SYMBOL>.csv[.gz]`; each is one walk-forward window. */
  data: string[];
  /** Clip every folder to open times in [from, to), ms UTC. */
  from?: number;
  to?: number;
  /** Config file over config/default.json (fees, slippage, validation thresholds). */
  config?: string;
  /** validated.json path. */
  out: string;
  /** Markdown report path. */
  report: string;
  /** Trial log (JSON lines), appended by every run: signals/trials.jsonl by default. */
  trials: string;
  /** CSV of every closed out-of-sample trade of every family (`--trades FILE`), if set. */
  trades?: string;
  /** The command line, recorded in both outputs. */
  command: string;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  /** Leave corrupt data files out (listed in a warning and in the summary) instead of refusing the run. */
  skipBadFiles?: boolean;
  /**
   * Search only part of the catalogue × grid (rules and/or timeframes; see `GridSelection`).
   * Unset — the CLI never sets it — means the full search. Used by the research checks
   * (test/research/) to fit CI time with the real gate.
   */
  grid?: GridSelection;
  /** Worker threads simulating the candidates (src/backtest/pool.ts); default 1 (this thread). The CLI passes one per core. */
  workers?: number;
  /** Show a progress bar on this TTY instead of percentage lines. */
  progressBar?: NodeJS.WriteStream;
}

/** The CLI's last line. */
export interface BacktestSummary {
  families: number;
  validated: number;
  perTimeframe: Record<string, number>;
  /** The DSR's N: distinct families in the trial log for this catalogue and data. */
  trials: number;
  pbo: number | null;
  baseCandles: number;
  elapsedMs: number;
  out: string;
  report: string;
  /** Data files refused and left out (`skipBadFiles`), with why. */
  skippedFiles: { file: string; problem: string }[];
  /** Worker threads used. */
  workers: number;
  /** Peak resident memory of the process (all threads), MB. */
  peakRssMb: number;
}

/**
 * The config evidence runs with: the replay config without the portfolio stops that truncate a
 * rule's record (drawdown stop, daily-loss stop, daily trade cap). Those protect a live account;
 * evidence needs every trade the rule would make. Fees, slippage, sizing, cooldown and one
 * position per symbol stay as replay has them.
 */
export function evidenceConfig(config: Config): Config {
  return { ...config, risk: { ...config.risk, maxDrawdownPercent: 100, maxDailyLossPercent: 100, maxDailyTrades: Number.MAX_SAFE_INTEGER } };
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * The candidates of a sub-search on one folder: what runDataset would build, restricted to
 * `grid` (research runs only; the full search never takes this path). Symbols come from the file
 * names and the base timeframe from the first file — runDataset refuses a folder with a bad file
 * or mixed timeframes anyway; with `skipBadFiles` the folder is read in full, so a skipped file's
 * symbol gets no candidates.
 */
function selectedCandidates(dir: string, o: BacktestOptions, config: Config, grid: GridSelection) {
  const th = config.validation.thresholds;
  if (o.skipBadFiles) {
    const { series } = loadCandleData(dir, { from: o.from, to: o.to, skipBadFiles: true });
    return buildCandidates(series.map((s) => s.symbol), scanTimeframes(series[0].timeframe, th), th, grid);
  }
  const files = readdirSync(dir).filter((f) => /\.csv(\.gz)?$/i.test(f)).sort();
  if (!files.length) throw new DataError(`no .csv or .csv.gz candle files in ${dir}`);
  const base = readCandleFile(join(dir, files[0])).timeframe;
  return buildCandidates(files.map(symbolFromFileName), scanTimeframes(base, th), th, grid);
}

function toFamily(v: FamilyVerdict): ValidatedFamily {
  const f = v.family;
  return {
    id: f.id,
    rule: f.rule as CandleRuleName,
    params: f.params,
    timeframe: f.timeframe,
    direction: 'long',
    instruments: [...new Set(f.folders.flatMap((d) => d.instruments))].sort(),
    exits: f.exits,
    inSample: v.inSample,
    outOfSample: v.outOfSample,
    meanR: { mean: round(v.interval.mean, 4), lower: round(v.interval.lower, 4), upper: round(v.interval.upper, 4), block: v.interval.block, resamples: v.interval.resamples },
    dsr: round(v.dsr, 4),
    perData: v.perFolder.map((p) => ({ dir: p.dir, trades: p.trades, avgR: round(p.avgR, 4) })),
    data: f.folders.map((d) => ({ dir: d.dir, from: iso(d.plan.from), outOfSampleFrom: iso(d.plan.splits[0]), to: iso(d.plan.to), hash: d.hash })),
  };
}

/**
 * `edgebot backtest`: every data folder in one pass each (src/backtest/dataset.ts) with the
 * portfolio stops off, families pooled over instruments and folders, every family appended to the
 * trial log, the gate (src/backtest/gate.ts) with N from that log, CSCV PBO over the families'
 * out-of-sample paths; then validated.json (checked against its own schema), the report and,
 * with `trades`, the out-of-sample trade list.
 */
export async function runBacktest(o: BacktestOptions): Promise<BacktestSummary> {
  const t0 = performance.now();
  const log = o.progress ?? (() => {});
  const config = loadConfig({ file: o.config });
  const evidence = evidenceConfig(config);
  const liveParams = loadLiveParams(config.paths.liveParams);
  const runs: DatasetRun[] = [];
  const datasets: DatasetInfo[] = [];
  let baseCandles = 0;
  const skippedFiles: BacktestSummary['skippedFiles'] = [];
  const pool = new BacktestPool({ workers: o.workers ?? 1, bar: o.progressBar });
  for (const dir of o.data) {
    let run: DatasetRun;
    try {
      run = await pool.run(dir, {
        config: evidence, liveParams, from: o.from, to: o.to, progress: log, skipBadFiles: o.skipBadFiles,
        ...(o.grid ? { candidates: selectedCandidates(dir, o, evidence, o.grid) } : {}),
      });
    } catch (e) {
      await pool.close();
      throw e;
    }
    skippedFiles.push(...run.skipped.map((b) => ({ file: b.file, problem: b.error.message })));
    runs.push(run);
    baseCandles += run.baseCandles;
    datasets.push({
      dir, baseTimeframe: run.source.baseTimeframe, symbols: run.source.symbols.length, from: run.source.from, to: run.source.to,
      splits: run.plan.splits.slice(0, -1).map(iso), hash: run.source.hash, baseCandles: run.baseCandles,
      candidates: run.candidates.length, zscoreSets: run.zscore.length, seconds: run.elapsedMs / 1000,
      ratingTimeframe: run.ratingTimeframe, ...(run.ratingNote ? { ratingNote: run.ratingNote } : {}),
    });
    log(`${dir}: simulated in ${(run.elapsedMs / 1000).toFixed(1)} s`);
  }
  await pool.close();
  const generatedAt = new Date().toISOString();
  const families = collectFamilies(runs);
  const measured = families.map(measure);
  const catalogue = catalogueVersion();
  // The data a trial ran on: each folder's bytes and the window actually used (--from/--to clip it).
  const dataKey = combinedDataHash(runs.map((r) => `${r.source.hash}:${r.source.from}:${r.source.to}`));
  appendTrials(o.trials, measured.map((e) => trialOf(e, generatedAt, catalogue, dataKey)));
  const th = config.validation.thresholds;
  const trials = summarizeTrials(readTrials(o.trials), (tf) => (th as Record<string, { minTrades: number } | undefined>)[tf]?.minTrades ?? 30);
  const verdicts = measured.map((e) => judgeFamily(e, th, trials));
  const pbo = familiesPbo(verdicts);
  const pboByData = runs.map((r) => ({ dir: r.source.dir, pbo: familiesPbo(verdicts, [r.source.dir]) }));
  const selections = walkForwardSelections(families, th);
  const candle = verdicts.filter((v) => !v.family.zscore);
  const passed = candle.filter((v) => v.pass).sort((a, b) => b.dsr - a.dsr || a.family.id.localeCompare(b.family.id));
  const file = parseValidated({
    version: VALIDATED_VERSION,
    generatedAt,
    command: o.command,
    data: runs.map((r) => r.source),
    inSampleFraction: config.validation.inSampleFraction,
    folds: config.validation.folds,
    broker: { feeBps: config.broker.feeBps, slippageBps: config.broker.slippageBps },
    thresholds: th,
    gate: {
      minDsr: GATE.minDsr, alpha: GATE.alpha, resamples: GATE.resamples, trials: trials.trials, sharpeVariance: round(trials.sharpeVariance, 6),
      catalogue, families: verdicts.length, pbo: pbo ? round(pbo.pbo, 4) : null,
    },
    families: passed.map(toFamily),
    zscore: verdicts.filter((v) => v.family.zscore).map((v) => ({
      id: v.family.id, params: v.family.params, timeframe: v.family.timeframe,
      instruments: [...new Set(v.family.folders.flatMap((d) => d.instruments))].sort(),
      outOfSample: v.outOfSample, dsr: round(v.dsr, 4), pass: v.pass, failures: v.failures,
    })),
  } satisfies ValidatedFile, 'backtest output');
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(file, null, 2) + '\n');
  if (o.trades) {
    mkdirSync(dirname(o.trades), { recursive: true });
    writeFileSync(o.trades, tradesCsv(verdicts));
    log(`wrote ${o.trades}`);
  }
  const elapsedMs = performance.now() - t0;
  mkdirSync(dirname(o.report), { recursive: true });
  writeFileSync(o.report, renderReport({ file, verdicts, selections, datasets, config, trials, pbo, pboByData, seconds: elapsedMs / 1000 }) + '\n');
  const perTimeframe: Record<string, number> = {};
  for (const s of file.families) perTimeframe[s.timeframe] = (perTimeframe[s.timeframe] ?? 0) + 1;
  log(`wrote ${o.out} (${file.families.length} of ${candle.length} families validated; N = ${trials.trials} trials; PBO ${pbo ? pbo.pbo.toFixed(3) : 'n/a'}) and ${o.report}`);
  return {
    families: verdicts.length,
    validated: file.families.length,
    perTimeframe,
    trials: trials.trials,
    pbo: pbo ? round(pbo.pbo, 4) : null,
    baseCandles,
    elapsedMs: Math.round(elapsedMs),
    out: o.out,
    report: o.report,
    skippedFiles,
    workers: pool.workers,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
