import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, LiveParams, ParamSet } from '../config/schema.js';
import { ReplayClock } from '../core/clock.js';
import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import { firstOpenTime, loadCandleData, type BadDataFile } from '../feed/csv.js';
import { CandlePipeline } from '../feed/pipeline.js';
import { ReplayFeed } from '../feed/replay.js';
import { BankSet } from '../indicator/bank.js';
import { ruleSpec } from '../signal/catalogue.js';
import type { DataSource } from '../signal/validated.js';
import { buildCandidates, scanTimeframes, type Candidate } from './candidates.js';
import { FanoutSink } from './fanout.js';
import { SignalRun } from './signal-run.js';
import type { TradeRecord } from './stats.js';
import { planWalkForward, type WalkForwardPlan } from './walk-forward.js';

export interface DatasetOptions {
  config: Config;
  /** Z-score parameter sets measured for the report (config/live-params.json). */
  liveParams: LiveParams;
  /** Clip to open times in [from, to), ms UTC. */
  from?: number;
  to?: number;
  /** Only these candidates (parity tests); default: catalogue × grid × symbols × timeframes. */
  candidates?: Candidate[];
  /** Measure the z-score parameter sets too (default true). */
  zscore?: boolean;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
  /** Leave corrupt data files out (reported in `skipped`) instead of refusing the folder. */
  skipBadFiles?: boolean;
  /**
   * Run only shard `index` of `count` (see {@link shardOf}): whole (symbol, timeframe) groups of
   * candidates, so the indicator banks they share are computed in one shard only, and the
   * z-score sets at positions k with k mod count = index. Each candidate is simulated on its own
   * engine, so a shard's results are exactly its share of the whole run's; `positions` in the
   * result says where they go (src/backtest/pool.ts runs the shards on worker threads and merges).
   */
  shard?: { index: number; count: number };
  /** Called about every 1 % of the replay with base candles pushed so far and the total (progress bars). */
  tick?: (pushed: number, total: number) => void;
}

/** Everything one pass over a data folder produced. */
export interface DatasetRun {
  source: DataSource;
  plan: WalkForwardPlan;
  timeframes: Timeframe[];
  candidates: { candidate: Candidate; trades: TradeRecord[] }[];
  zscore: { symbol: string; params: ParamSet; trades: TradeRecord[] }[];
  /**
   * Rating interval the z-score runs used: `rating.timeframe`, or the base timeframe when the data
   * is coarser (a 5m rating cannot be built from 1h candles) — `ratingNote` then says so.
   */
  ratingTimeframe: Timeframe;
  ratingNote?: string;
  baseCandles: number;
  elapsedMs: number;
  /** Data files refused and left out (`skipBadFiles`). */
  skipped: BadDataFile[];
  /** With `shard`: each result's index in the unsharded run's `candidates` and `zscore` lists. */
  positions?: { candidates: number[]; zscore: number[] };
}

/**
 * Which of `count` shards each candidate goes to: candidates on one (symbol, timeframe) stay
 * together (they share indicator banks — splitting them would compute the banks twice); groups
 * are placed heaviest first on the least-loaded shard so far (ties: lowest shard), which
 * balances the shards and depends on nothing but the list. A candidate's weight is
 * 1 + baseMs / its timeframe's ms: every base candle of its symbol passes it (the 1), and its
 * rule runs on each of its own timeframe's candles (the fraction).
 */
export function shardOf(candidates: readonly Candidate[], count: number, base: Timeframe): number[] {
  const groups = new Map<string, number[]>();
  candidates.forEach((c, k) => {
    const key = `${c.symbol} ${c.timeframe}`;
    const g = groups.get(key);
    if (g) g.push(k);
    else groups.set(key, [k]);
  });
  const weight = (g: number[]) => g.length * (1 + timeframeMs(base) / timeframeMs(candidates[g[0]].timeframe));
  const load = new Array<number>(count).fill(0);
  const out = new Array<number>(candidates.length);
  // Array.prototype.sort is stable: equal weights keep first-seen order.
  for (const g of [...groups.values()].sort((a, b) => weight(b) - weight(a))) {
    let best = 0;
    for (let i = 1; i < count; i++) if (load[i] < load[best]) best = i;
    load[best] += weight(g);
    for (const k of g) out[k] = best;
  }
  return out;
}

/**
 * sha256 over the bytes of the folder's candle files, in file-name order; `files` (paths) when
 * only some were loaded (corrupt ones skipped).
 */
export function hashDataDir(dir: string, files?: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files ?? readdirSync(dir).filter((x) => /\.csv(\.gz)?$/i.test(x)).sort().map((x) => join(dir, x))) h.update(readFileSync(f));
  return h.digest('hex');
}

/**
 * Backtests every candidate on one data folder in ONE pass: one ReplayFeed and CandlePipeline
 * (parsing, validation and aggregation once) whose sink fans each candle out to every
 * candidate's own engine (src/backtest/signal-run.ts) — the engine, broker and risk code of replay.
 */
export async function runDataset(dir: string, o: DatasetOptions): Promise<DatasetRun> {
  const t0 = performance.now();
  const log = o.progress ?? (() => {});
  const { series, files, skipped } = loadCandleData(dir, { from: o.from, to: o.to, skipBadFiles: o.skipBadFiles });
  if (skipped.length) log(`${dir}: skipped ${skipped.length} bad data file(s): ${skipped.map((b) => b.error.message).join('; ')}`);
  const base = series[0].timeframe;
  const baseMs = timeframeMs(base);
  const symbols = series.map((s) => s.symbol);
  let from = Infinity;
  let to = -Infinity;
  for (const s of series) {
    if (!s.length) continue;
    from = Math.min(from, s.openTime[0]);
    to = Math.max(to, s.openTime[s.length - 1] + baseMs);
  }
  // The rating interval must be buildable from the base: on 1h data rate on 1h rather than produce nothing.
  const ratingTimeframe = timeframeMs(base) > timeframeMs(o.config.rating.timeframe) ? base : o.config.rating.timeframe;
  const ratingNote = ratingTimeframe !== o.config.rating.timeframe
    ? `base ${base} is coarser than rating.timeframe ${o.config.rating.timeframe}: z-score families rated on ${base} here` : undefined;
  if (ratingNote) log(`${dir}: ${ratingNote}`);
  const config: Config = ratingNote ? { ...o.config, rating: { ...o.config.rating, timeframe: ratingTimeframe } } : o.config;
  const plan = planWalkForward(from, to, config.validation.inSampleFraction, config.validation.folds);
  const timeframes = scanTimeframes(base, config.validation.thresholds);
  const allCandidates = o.candidates ?? buildCandidates(symbols, timeframes, config.validation.thresholds);
  const shard = o.shard;
  const placed = shard ? shardOf(allCandidates, shard.count, base) : [];
  const candidatePositions = allCandidates.map((_, k) => k).filter((k) => !shard || placed[k] === shard.index);
  const candidates = candidatePositions.map((k) => allCandidates[k]);

  // The replay clock starts where replay's does (src/app/replay.ts).
  const clock = new ReplayClock(firstOpenTime(series, dir));
  const sink = new FanoutSink(clock, base);
  // Candidates on one (symbol, timeframe) share indicators, as validated signals do in the bot.
  const banks = new BankSet();
  const runs = candidates.map((c) => {
    const spec = ruleSpec(c.rule);
    const meta = { signalId: c.id, symbol: c.symbol, timeframe: c.timeframe, bank: banks.for(c.symbol, c.timeframe) };
    const run = new SignalRun({ rules: [spec.create(spec.params.parse(c.params), meta)], coinSymbols: [], liveParams: {} }, config, clock, base);
    sink.add(c.symbol, c.timeframe, run.engine, run.broker.account);
    return { candidate: c, run };
  });
  const allZSets = (o.zscore ?? true) ? Object.entries(o.liveParams).filter(([s, p]) => p.enabled && symbols.includes(s)) : [];
  const zPositions = allZSets.map((_, k) => k).filter((k) => !shard || k % shard.count === shard.index);
  const zSets = zPositions.map((k) => allZSets[k]);
  const zRuns = zSets.map(([symbol, params]) => {
    const run = new SignalRun({ rules: [], coinSymbols: symbols, liveParams: { [symbol]: params } }, config, clock, base);
    sink.addGlobal(run.engine);
    return { symbol, params, run };
  });

  const pipelineTfs = [...new Set<Timeframe>([base, config.rating.timeframe, ...timeframes, ...candidates.map((c) => c.timeframe)])];
  const pipeline = new CandlePipeline(base, pipelineTfs, sink, () => {}, config.feed.maxMissingBars);
  const feed = new ReplayFeed(series, pipeline);
  const total = feed.total;
  log(`${dir}: ${symbols.length} symbols, ${base} base, ${total.toLocaleString('en')} candles, ` +
    `timeframes ${timeframes.join('/')}, ${runs.length} candidates + ${zRuns.length} z-score sets, ` +
    `out-of-sample folds from ${plan.splits.slice(0, -1).map((t) => new Date(t).toISOString().slice(0, 13) + 'h').join(', ')}`);
  let next = total / 10;
  let nextTick = 0;
  await feed.run({
    pauseWhen: () => {
      if (feed.pushed >= next) {
        log(`${dir}: ${Math.round((feed.pushed / total) * 100)}% (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        next += total / 10;
      }
      if (o.tick && feed.pushed >= nextTick) {
        o.tick(feed.pushed, total);
        nextTick += total / 100;
      }
      return false;
    },
  });
  o.tick?.(total, total);
  return {
    source: {
      dir,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      baseTimeframe: base,
      symbols,
      hash: hashDataDir(dir, skipped.length ? files : undefined),
    },
    plan,
    timeframes,
    candidates: runs.map((r) => ({ candidate: r.candidate, trades: r.run.trades })),
    zscore: zRuns.map((z) => ({ symbol: z.symbol, params: z.params, trades: z.run.trades })),
    ratingTimeframe,
    ...(ratingNote ? { ratingNote } : {}),
    baseCandles: total,
    elapsedMs: performance.now() - t0,
    skipped,
    ...(shard ? { positions: { candidates: candidatePositions, zscore: zPositions } } : {}),
  };
}
