import type { Config } from '../config/schema.js';
import { CANDLE_RULES } from '../signal/catalogue.js';
import type { ValidatedFile } from '../signal/validated.js';
import type { SampleStats } from '../signal/types.js';
import type { Verdict } from './verdict.js';

/** What the report says about each data folder's pass. */
export interface DatasetInfo {
  dir: string;
  baseTimeframe: string;
  symbols: number;
  from: string;
  /** Start of each out-of-sample fold (ISO). */
  splits: string[];
  to: string;
  hash: string;
  baseCandles: number;
  candidates: number;
  zscoreSets: number;
  seconds: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}`;
const num = (x: number, d = 2) => x.toFixed(d);
const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** Parameters that vary across a rule's grid — the ones the in-sample choice decided. */
function varying(rule: string): string[] {
  const spec = (CANDLE_RULES as Record<string, { grid(): object[] }>)[rule];
  if (!spec) return [];
  const grid = spec.grid() as Record<string, unknown>[];
  return Object.keys(grid[0]).filter((k) => new Set(grid.map((p) => JSON.stringify(p[k]))).size > 1);
}

function shortParams(v: Verdict): string {
  if (!v.params) return '—';
  const keys = v.reportOnly ? Object.keys(v.params).filter((k) => k !== 'enabled') : varying(v.rule);
  return keys.map((k) => `${k}=${String(v.params![k])}`).join(' ');
}

/** Each fold's choice as the last 8 hex of its id (— when none qualified) and its trade count. */
function foldCells(v: Verdict): string {
  return v.folds.map((f) => `${f.chosen ? f.chosen.id.slice(-8) : '—'}:${f.trades}`).join(' ');
}

function statCells(s: SampleStats | null, withRisk: boolean): string[] {
  if (!s) return withRisk ? ['', '', '', '', '', ''] : ['', '', '', ''];
  const base = [String(s.trades), pct(s.winRate), num(s.profitFactor), num(s.avgR, 3)];
  return withRisk ? [...base, num(s.maxDrawdownPercent, 1), num(s.sharpe)] : base;
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/**
 * The markdown report: data, thresholds, validated signals, then one row per candidate
 * (rule × instrument × timeframe, with its in-sample choice) — in-sample vs out-of-sample and
 * why it was accepted or rejected.
 */
export function renderReport(file: ValidatedFile, verdicts: readonly Verdict[], datasets: readonly DatasetInfo[], config: Config, totalSeconds: number): string {
  const L: string[] = [];
  const f = config.validation.inSampleFraction;
  L.push('# edgebot backtest report', '');
  L.push(`Generated ${file.generatedAt} by:`, '', '```', file.command, '```', '');
  L.push(`Anchored walk-forward per data folder: the part after the first ${Math.round(f * 100)} % of the window is cut into ` +
    `${config.validation.folds} out-of-sample folds. Each fold chooses one parameter set per rule × instrument × timeframe on the trades ` +
    'closed before the fold (highest in-sample SQN among sets with ≥ min trades and avgR > 0) and only that set trades in the fold; the ' +
    'folds\' trades stitched together are the out-of-sample record judged against the thresholds. The signal goes live with the last ' +
    'fold\'s choice; its in-sample columns are that choice\'s stats before the last fold. ' +
    `Same engine, simulated broker and risk limits as replay; fees ${config.broker.feeBps} bps and slippage ${config.broker.slippageBps} bps per side, ` +
    'entries at the next base candle\'s open. WR = win rate (percent), PF = profit factor, avgR = mean R multiple, DD = max drawdown of ' +
    'realized equity (percent), Sharpe = annualised daily. BE = fee-adjusted break-even win rate for the R:R.', '');
  L.push(`Total time ${totalSeconds.toFixed(1)} s.`, '');
  L.push('## Data', '');
  L.push(row(['folder', 'base', 'symbols', 'window (UTC)', 'out-of-sample folds start', 'base candles', 'candidates', 'z-score sets', 'seconds', 'sha256']));
  L.push(row(Array(10).fill('---')));
  for (const d of datasets) {
    L.push(row([d.dir, d.baseTimeframe, String(d.symbols), `${day(d.from)} → ${day(d.to)}`, d.splits.map(day).join(', '), d.baseCandles.toLocaleString('en'),
      String(d.candidates), String(d.zscoreSets), d.seconds.toFixed(1), `\`${d.hash.slice(0, 16)}…\``]));
  }
  L.push('', '## Thresholds (config `validation.thresholds`)', '');
  L.push(row(['timeframe', 'min WR %', 'min PF', 'min trades', 'required R:R', 'break-even WR % at that R:R (no costs)']));
  L.push(row(Array(6).fill('---')));
  for (const [tf, t] of Object.entries(file.thresholds)) {
    L.push(row([tf, pct(t!.minWinRate), num(t!.minProfitFactor), String(t!.minTrades), String(t!.requiredRR), pct(1 / (1 + t!.requiredRR))]));
  }
  const candle = verdicts.filter((v) => !v.reportOnly);
  const byTf = new Map<string, { n: number; ok: number }>();
  for (const v of candle) {
    const e = byTf.get(v.timeframe) ?? { n: 0, ok: 0 };
    e.n++;
    if (v.pass) e.ok++;
    byTf.set(v.timeframe, e);
  }
  L.push('', '## Summary', '');
  L.push(`${file.signals.length} validated signal${file.signals.length === 1 ? '' : 's'} out of ${candle.length} candidates (rule × instrument × timeframe).`, '');
  L.push(row(['timeframe', 'candidates', 'validated']));
  L.push(row(['---', '---', '---']));
  for (const [tf, e] of byTf) L.push(row([tf, String(e.n), String(e.ok)]));
  L.push('', '## Validated signals', '');
  if (!file.signals.length) {
    L.push('None: no candidate\'s out-of-sample record clears its timeframe\'s thresholds. The bot runs the z-score rule alone ' +
      'until a backtest validates a signal. The thresholds were not loosened to get one.');
  }
  else {
    L.push(row(['id', 'R:R', 'IS trades', 'IS WR %', 'IS PF', 'OOS trades', 'OOS WR %', 'OOS PF', 'OOS avgR', 'OOS DD %', 'OOS Sharpe', 'BE %', 'confidence']));
    L.push(row(Array(13).fill('---')));
    for (const s of file.signals) {
      L.push(row([`\`${s.id}\``, String(s.exits.rewardRisk), String(s.inSample.trades), pct(s.inSample.winRate), num(s.inSample.profitFactor),
        ...statCells(s.outOfSample, true), pct(s.breakEvenWinRate), num(s.confidence, 3)]));
    }
  }
  const near = candle.filter((v) => !v.pass && v.outOfSample)
    .map((v) => ({ v, misses: v.why.split('; ').length }))
    .sort((x, y) => x.misses - y.misses || y.v.outOfSample!.profitFactor - x.v.outOfSample!.profitFactor)
    .slice(0, 12);
  if (near.length) {
    L.push('', '## Closest to passing', '');
    L.push(row(['rule', 'instrument', 'tf', 'data', 'OOS trades', 'OOS WR %', 'OOS PF', 'OOS avgR', 'BE %', 'why']));
    L.push(row(Array(10).fill('---')));
    for (const { v } of near) {
      L.push(row([v.rule, v.symbol, v.timeframe, v.data, ...statCells(v.outOfSample, false), pct(v.breakEven), v.why]));
    }
  }
  L.push('', '## Every candidate', '');
  L.push('Chosen parameters show only those the grid varies; validated.json holds the full sets.', '');
  const head = ['rule', 'instrument', 'tf', 'sets', 'fold choices (id:trades)', 'final params', 'IS trades', 'IS WR %', 'IS PF', 'IS avgR',
    'OOS trades', 'OOS WR %', 'OOS PF', 'OOS avgR', 'OOS DD %', 'OOS Sharpe', 'BE %', 'conf', 'verdict', 'why'];
  for (const d of datasets) {
    L.push(`### ${d.dir}`, '');
    L.push(row(head));
    L.push(row(head.map(() => '---')));
    const vs = verdicts.filter((v) => v.data === d.dir);
    for (const v of vs) {
      L.push(row([v.rule, v.symbol, v.timeframe, String(v.tried), foldCells(v), shortParams(v), ...statCells(v.inSample, false), ...statCells(v.outOfSample, true),
        v.outOfSample ? pct(v.breakEven) : '', v.pass ? num(v.confidence, 3) : '', v.reportOnly ? (v.pass ? 'ok (report)' : 'fail (report)') : v.pass ? '**accepted**' : 'rejected', v.why]));
    }
    L.push('');
  }
  return L.join('\n');
}
