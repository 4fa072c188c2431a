import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, loadLiveParams } from '../config/load.js';
import { runDataset } from '../backtest/dataset.js';
import { renderReport, type DatasetInfo } from '../backtest/report.js';
import { round } from '../backtest/stats.js';
import { judgeDataset, type Verdict } from '../backtest/verdict.js';
import { CANDLE_RULES } from '../signal/catalogue.js';
import { parseValidated, VALIDATED_VERSION, type ValidatedFile, type ValidatedSignal } from '../signal/validated.js';

export interface BacktestOptions {
  /** Data folders of `<SYMBOL>.csv[.gz]`; each is one walk-forward window. */
  data: string[];
  /** Clip every folder to open times in [from, to), ms UTC. */
  from?: number;
  to?: number;
  /** Config file over config/default.json (fees, slippage, risk, validation thresholds). */
  config?: string;
  /** validated.json path. */
  out: string;
  /** Markdown report path. */
  report: string;
  /** The command line, recorded in both outputs. */
  command: string;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  /** Leave corrupt data files out (listed in a warning and in the summary) instead of refusing the run. */
  skipBadFiles?: boolean;
}

/** The CLI's last line. */
export interface BacktestSummary {
  candidates: number;
  validated: number;
  perTimeframe: Record<string, number>;
  baseCandles: number;
  elapsedMs: number;
  out: string;
  report: string;
  /** Data files refused and left out (`skipBadFiles`), with why. */
  skippedFiles: { file: string; problem: string }[];
}

function toSignal(v: Verdict): ValidatedSignal {
  const c = v.chosen!;
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: c.id,
    rule: c.rule,
    params: c.params,
    instrument: c.symbol,
    timeframe: c.timeframe,
    direction: 'long',
    exits: CANDLE_RULES[c.rule].exits(c.params as never),
    inSample: v.inSample!,
    outOfSample: v.outOfSample!,
    confidence: v.confidence,
    breakEvenWinRate: round(v.breakEven, 4),
    walkForward: {
      from: iso(v.plan.from),
      to: iso(v.plan.to),
      folds: v.folds.map((f) => ({ from: iso(f.splitAt), to: iso(f.end), chosen: f.chosen?.id ?? null, trades: f.trades })),
    },
    data: v.data,
  };
}

/**
 * `edgebot backtest`: every data folder in one pass each (src/backtest/dataset.ts), walk-forward
 * verdicts, then validated.json (checked against its own schema before writing) and the report.
 */
export async function runBacktest(o: BacktestOptions): Promise<BacktestSummary> {
  const t0 = performance.now();
  const log = o.progress ?? (() => {});
  const config = loadConfig({ file: o.config });
  const liveParams = loadLiveParams(config.paths.liveParams);
  const verdicts: Verdict[] = [];
  const datasets: DatasetInfo[] = [];
  const sources: ValidatedFile['data'] = [];
  let baseCandles = 0;
  const skippedFiles: BacktestSummary['skippedFiles'] = [];
  for (const dir of o.data) {
    const run = await runDataset(dir, { config, liveParams, from: o.from, to: o.to, progress: log, skipBadFiles: o.skipBadFiles });
    skippedFiles.push(...run.skipped.map((b) => ({ file: b.file, problem: b.error.message })));
    const vs = judgeDataset(run, config);
    verdicts.push(...vs);
    sources.push(run.source);
    baseCandles += run.baseCandles;
    datasets.push({
      dir, baseTimeframe: run.source.baseTimeframe, symbols: run.source.symbols.length, from: run.source.from, to: run.source.to,
      splits: run.plan.splits.slice(0, -1).map((t) => new Date(t).toISOString()), hash: run.source.hash, baseCandles: run.baseCandles,
      candidates: run.candidates.length, zscoreSets: run.zscore.length, seconds: run.elapsedMs / 1000,
    });
    log(`${dir}: done in ${(run.elapsedMs / 1000).toFixed(1)} s — ${vs.filter((v) => v.pass && !v.reportOnly).length} of ${vs.filter((v) => !v.reportOnly).length} validated`);
  }
  // The same parameter set can pass on two folders (same id): keep the more confident one.
  const byId = new Map<string, ValidatedSignal>();
  for (const v of verdicts) {
    if (!v.pass || v.reportOnly) continue;
    const s = toSignal(v);
    const prev = byId.get(s.id);
    if (!prev || s.confidence > prev.confidence) byId.set(s.id, s);
  }
  const signals = [...byId.values()].sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));
  const file = parseValidated({
    version: VALIDATED_VERSION,
    generatedAt: new Date().toISOString(),
    command: o.command,
    data: sources,
    inSampleFraction: config.validation.inSampleFraction,
    folds: config.validation.folds,
    broker: { feeBps: config.broker.feeBps, slippageBps: config.broker.slippageBps },
    thresholds: config.validation.thresholds,
    signals,
  } satisfies ValidatedFile, 'backtest output');
  const elapsedMs = performance.now() - t0;
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(file, null, 2) + '\n');
  mkdirSync(dirname(o.report), { recursive: true });
  writeFileSync(o.report, renderReport(file, verdicts, datasets, config, elapsedMs / 1000) + '\n');
  const perTimeframe: Record<string, number> = {};
  for (const s of signals) perTimeframe[s.timeframe] = (perTimeframe[s.timeframe] ?? 0) + 1;
  log(`wrote ${o.out} (${signals.length} validated) and ${o.report}`);
  return {
    candidates: verdicts.filter((v) => !v.reportOnly).length,
    validated: signals.length,
    perTimeframe,
    baseCandles,
    elapsedMs: Math.round(elapsedMs),
    out: o.out,
    report: o.report,
    skippedFiles,
  };
}
