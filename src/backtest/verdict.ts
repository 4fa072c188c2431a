import type { Config, ParamSet, Thresholds } from '../config/schema.js';
import type { Timeframe } from '../core/timeframe.js';
import { CANDLE_RULES } from '../signal/catalogue.js';
import { glickoZscore } from '../signal/rules/glicko-zscore.js';
import type { SampleStats } from '../signal/types.js';
import type { Candidate } from './candidates.js';
import { confidence } from './confidence.js';
import type { DatasetRun } from './dataset.js';
import { sampleStats, sqn, type TradeRecord } from './stats.js';
import { judge, meanCostR } from './thresholds.js';
import { closedBy, openedIn, type WalkForwardPlan } from './walk-forward.js';

/** One walk-forward fold's choice: tested on [splitAt, end) after choosing on trades closed by splitAt. ms UTC. */
export interface FoldChoice {
  splitAt: number;
  end: number;
  chosen: Candidate | null;
  /** Out-of-sample trades the choice made in the fold. */
  trades: number;
}

/** The walk-forward outcome for one (rule, instrument, timeframe) — one row of the report. */
export interface Verdict {
  rule: string;
  symbol: string;
  timeframe: Timeframe;
  data: string;
  plan: WalkForwardPlan;
  /** Parameter sets simulated. */
  tried: number;
  folds: FoldChoice[];
  /** The last fold's choice — what would go live (null when nothing qualified). */
  chosen: Candidate | null;
  params: Record<string, unknown> | null;
  /** The final choice's in-sample stats, over [from, last split). */
  inSample: SampleStats | null;
  /** The folds' out-of-sample trades stitched together. */
  outOfSample: SampleStats | null;
  rewardRisk: number;
  /** Fee-adjusted break-even win rate (fraction) and mean cost per trade in R. */
  breakEven: number;
  costR: number;
  confidence: number;
  pass: boolean;
  /** Why it was accepted or rejected. */
  why: string;
  /** Report only: never written to validated.json (the z-score rule trades from live-params.json). */
  reportOnly: boolean;
}

type Run = { candidate: Candidate; trades: TradeRecord[] };

/**
 * The in-sample choice at `splitAt`: among parameter sets with ≥ `minTrades` trades closed by
 * then and a positive mean R, the highest SQN (√n · mean R / sd R). The in-sample minimum equals
 * the out-of-sample one: the first in-sample period is as long as all folds together.
 */
export function choose(group: readonly Run[], splitAt: number, minTrades: number): { run: Run; is: TradeRecord[] } | null {
  let best: { run: Run; is: TradeRecord[]; score: number } | null = null;
  for (const run of group) {
    const is = closedBy(run.trades, splitAt);
    if (is.length < minTrades) continue;
    if (!(is.reduce((a, t) => a + t.r, 0) > 0)) continue;
    const score = sqn(is);
    if (!best || score > best.score) best = { run, is, score };
  }
  return best;
}

/** Stats, thresholds, confidence for stitched out-of-sample trades against the final choice's in-sample ones. */
function assess(is: TradeRecord[], oos: TradeRecord[], plan: WalkForwardPlan, rr: number, th: Thresholds, config: Config) {
  const start = config.broker.startingBalance;
  const last = plan.splits[plan.splits.length - 2];
  oos.sort((a, b) => a.exitTime - b.exitTime);
  const inSample = sampleStats(is, start, plan.from, last);
  const outOfSample = sampleStats(oos, start, plan.splits[0], plan.to);
  const costR = meanCostR(oos, config.broker.feeBps, config.broker.slippageBps);
  const j = judge(outOfSample, rr, costR, th);
  return {
    inSample, outOfSample, costR, breakEven: j.breakEven, pass: j.pass, failures: j.failures,
    confidence: j.pass ? confidence(oos, inSample.avgR, outOfSample.avgR) : 0,
  };
}

/**
 * Walk-forward for one (rule, instrument, timeframe): each fold chooses a parameter set on the
 * data before it (`choose`) and trades only that set in the fold; the stitched fold trades are
 * judged against the timeframe's thresholds. The signal goes live with the last fold's choice.
 */
export function judgeGroup(group: readonly Run[], plan: WalkForwardPlan, th: Thresholds, config: Config, data: string): Verdict {
  const first = group[0].candidate;
  const base = { rule: first.rule, symbol: first.symbol, timeframe: first.timeframe, data, plan, tried: group.length, reportOnly: false };
  const folds: FoldChoice[] = [];
  const oos: TradeRecord[] = [];
  let final: { run: Run; is: TradeRecord[] } | null = null;
  for (let k = 0; k + 1 < plan.splits.length; k++) {
    const [a, b] = [plan.splits[k], plan.splits[k + 1]];
    const c = choose(group, a, th.minTrades);
    const t = c ? openedIn(c.run.trades, a, b) : [];
    oos.push(...t);
    folds.push({ splitAt: a, end: b, chosen: c ? c.run.candidate : null, trades: t.length });
    final = c;
  }
  if (!final) {
    const most = Math.max(...group.map((g) => closedBy(g.trades, plan.splits[plan.splits.length - 2]).length));
    return {
      ...base, folds, chosen: null, params: null, inSample: null, outOfSample: null, rewardRisk: 0, breakEven: 0, costR: 0, confidence: 0, pass: false,
      why: `in-sample: no parameter set with ≥ ${th.minTrades} trades and avgR > 0 (most trades ${most})`,
    };
  }
  const rr = CANDLE_RULES[first.rule].exits(final.run.candidate.params as never).rewardRisk;
  const a = assess(final.is, oos, plan, rr, th, config);
  return {
    ...base, folds, chosen: final.run.candidate, params: final.run.candidate.params, inSample: a.inSample, outOfSample: a.outOfSample,
    rewardRisk: rr, breakEven: a.breakEven, costR: a.costR, confidence: a.confidence, pass: a.pass,
    why: a.pass ? `passed: out-of-sample clears every ${first.timeframe} threshold` : `out-of-sample: ${a.failures.join('; ')}`,
  };
}

/** Verdicts for every (rule, instrument, timeframe) of a dataset run, plus report-only z-score rows. */
export function judgeDataset(run: DatasetRun, config: Config): Verdict[] {
  const groups = new Map<string, Run[]>();
  for (const c of run.candidates) {
    const k = `${c.candidate.rule}|${c.candidate.symbol}|${c.candidate.timeframe}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(c);
  }
  const th = config.validation.thresholds;
  const out: Verdict[] = [];
  for (const g of groups.values()) out.push(judgeGroup(g, run.plan, th[g[0].candidate.timeframe as keyof typeof th], config, run.source.dir));
  // The z-score rule trades on the rating timeframe; without thresholds for it there is nothing to judge against.
  if (config.rating.timeframe in th) for (const z of run.zscore) out.push(judgeZscore(z.symbol, z.params, z.trades, run, config));
  return out;
}

/** A live-params z-score set: nothing is chosen, so its whole record after the first split is out-of-sample. */
function judgeZscore(symbol: string, params: ParamSet, trades: TradeRecord[], run: DatasetRun, config: Config): Verdict {
  const tf = config.rating.timeframe;
  const th = config.validation.thresholds[tf as keyof Config['validation']['thresholds']];
  const rr = glickoZscore.exits(params).rewardRisk;
  const plan = run.plan;
  const a = assess(closedBy(trades, plan.splits[plan.splits.length - 2]), openedIn(trades, plan.splits[0], plan.to), plan, rr, th, config);
  return {
    rule: glickoZscore.name, symbol, timeframe: tf, data: run.source.dir, plan, tried: 1, folds: [], chosen: null,
    params: { ...params }, inSample: a.inSample, outOfSample: a.outOfSample, rewardRisk: rr, breakEven: a.breakEven, costR: a.costR,
    confidence: a.confidence, pass: a.pass, reportOnly: true,
    why: `live-params set (not chosen here, report only): ${a.pass ? 'would pass' : a.failures.join('; ')}`,
  };
}
