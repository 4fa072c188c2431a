import type { Config } from '../config/schema.js';
import { CANDLE_RULES } from '../signal/catalogue.js';
import type { ValidatedFile } from '../signal/validated.js';
import type { PboResult } from './evidence.js';
import { GATE, perInstrument, type FamilyVerdict, type Selection } from './gate.js';
import type { RStats } from './stats.js';
import type { TrialSummary } from './trials.js';

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
  /** Rating interval of the z-score runs, and why it differs from config when it does. */
  ratingTimeframe: string;
  ratingNote?: string;
}

export interface ReportInput {
  file: ValidatedFile;
  verdicts: readonly FamilyVerdict[];
  selections: readonly Selection[];
  datasets: readonly DatasetInfo[];
  config: Config;
  trials: TrialSummary;
  pbo: PboResult | null;
  pboByData: readonly { dir: string; pbo: PboResult | null }[];
  seconds: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}`;
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const day = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const short = (dir: string) => dir.replace(/^.*\//, '');

/** Parameters that vary across a rule's grid — the ones that tell its families apart. */
function varying(rule: string): string[] | null {
  const spec = (CANDLE_RULES as Record<string, { grid(): object[] }>)[rule];
  if (!spec) return null;
  const grid = spec.grid() as Record<string, unknown>[];
  return Object.keys(grid[0]).filter((k) => new Set(grid.map((p) => JSON.stringify(p[k]))).size > 1);
}

function shortParams(v: FamilyVerdict): string {
  const keys = varying(v.family.rule) ?? Object.keys(v.family.params);
  return keys.map((k) => `${k}=${String(v.family.params[k])}`).join(' ');
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function exitCell(s: RStats): string {
  const e = s.exits;
  return `${pct(e.target)}/${pct(e.stop)}/${pct(e.time)}/${pct(e.reversal)}`;
}

function pboLine(p: PboResult | null): string {
  return p ? `${num(p.pbo, 3)} (${p.strategies} families with out-of-sample trades, ${p.rows} days in ${p.groups} groups, ${p.splits.toLocaleString('en')} splits, mean logit ${num(p.meanLogit, 3)})`
    : 'not computed (fewer than 2 families with out-of-sample trades or fewer than 16 days)';
}

const FAMILY_HEAD = ['family', 'rule', 'tf', 'params', 'instr.', 'IS n', 'IS avgR', 'OOS n', 'WR %', 'PF(R)', 'avgR [95 % block-bootstrap]', 'medianR', 'SQN',
  'maxDD R', 'exits T/S/t/rev %', 'hold h', 'avgR per data folder', 'per fold n:avgR', 'DSR', 'verdict', 'why'];

function familyRow(v: FamilyVerdict): string {
  const o = v.outOfSample;
  const instr = new Set(v.family.folders.flatMap((d) => d.instruments)).size;
  return row([`\`${v.family.id}\``, v.family.rule, v.family.timeframe, shortParams(v), String(instr), String(v.inSample.trades), num(v.inSample.avgR, 3),
    String(o.trades), pct(o.winRate), num(o.profitFactor), `${num(v.interval.mean, 3)} [${num(v.interval.lower, 3)}, ${num(v.interval.upper, 3)}] b=${v.interval.block}`,
    num(o.medianR, 3), num(o.sqn), num(o.maxDrawdownR, 1), exitCell(o), num(o.avgHoldHours, 1),
    v.perFolder.map((p) => `${short(p.dir)} ${p.trades}:${num(p.avgR, 3)}`).join('; '), v.perFold.map((p) => `${p.trades}:${num(p.avgR, 2)}`).join(' '), num(v.dsr, 3), v.pass ? '**validated**' : 'rejected', v.failures.join('; ')]);
}

/**
 * The markdown report: method, gate and trial count, data, the run's PBO, validated families,
 * the closest misses, z-score families, the walk-forward selection diagnostic, every family, and
 * per-instrument out-of-sample R as a secondary view.
 */
export function renderReport(x: ReportInput): string {
  const { file, verdicts, config, trials } = x;
  const L: string[] = [];
  const f = config.validation.inSampleFraction;
  L.push('# edgebot backtest report', '');
  L.push(`Generated ${file.generatedAt} by:`, '', '```', file.command, '```', '');
  L.push('## Method', '');
  L.push(`- **Unit of evidence**: the R multiple of each closed trade — pnl after fees (${config.broker.feeBps} bps a side) and slippage ` +
    `(${config.broker.slippageBps} bps a side) over the initial risk (entry − stop) × qty. Position size does not enter R.`);
  L.push('- **Unit of validation**: a *signal family* = rule + parameter set + timeframe, pooled over every instrument of every data folder it ran on. ' +
    'No liquidity filter is applied: every instrument of the data is in.');
  L.push('- **Simulation**: the replay engine, simulated broker and risk manager, one engine per (family, instrument), entries at the next base ' +
    'candle\'s open; the portfolio stops that would truncate a record (drawdown stop, daily-loss stop, daily trade cap) are **off** — they protect ' +
    'a live account, not evidence. Cooldown after a loss and one position per instrument stay.');
  L.push(`- **Splits** per data folder: in-sample = trades opened and closed in the first ${Math.round(f * 100)} % of the window; out-of-sample = trades ` +
    `opened after it, cut into ${config.validation.folds} folds. The two windows are disjoint (a trade open across the split is in neither).`);
  L.push(`- **Gate** — a family validates only if, out of sample: (1) pooled trades ≥ the timeframe's minimum; (2) mean R > 0 and the lower end of its ` +
    `${Math.round((1 - GATE.alpha) * 100)} % circular-block-bootstrap interval > 0 (${GATE.resamples} resamples, seeded by the family id; block length = ` +
    'max(∛n, mean number of the family\'s trades open at each entry), so trades fired together on several coins are resampled together); (3) Deflated ' +
    `Sharpe Ratio ≥ ${GATE.minDsr} (Bailey & López de Prado 2014; per-trade Sharpe, skew and kurtosis of R, track record = trades, N = every family in ` +
    'the trial log); (4) mean R > 0 in every data folder separately; (5) profit factor in R ≥ the timeframe\'s minimum.');
  L.push(`- **Trials**: \`signals/trials.jsonl\` gets one line per family per run. A trial is a distinct (catalogue version, data hash, family); ` +
    `this run: **N = ${trials.trials}** trials (${trials.lines} lines), V[SR] = ${num(trials.sharpeVariance, 5)} over the ${trials.withSharpe} trials with at least their timeframe's minimum trades, ` +
    `catalogue \`${file.gate.catalogue}\`. The four exploratory runs described in signals/README.md predate the log, so N is a lower bound.`);
  L.push('- **PBO**: probability of backtest overfitting by CSCV (Bailey, Borwein, López de Prado & Zhu 2015) over the families\' out-of-sample paths ' +
    '(daily sum of R, folders\' out-of-sample windows concatenated), 16 groups, Sharpe as the performance measure.');
  L.push('', `Total time ${x.seconds.toFixed(1)} s.`, '');

  L.push('## Data', '');
  L.push(row(['folder', 'base', 'symbols', 'window (UTC)', 'out-of-sample folds start', 'base candles', 'candidate runs', 'z-score sets', 'rating tf', 'seconds', 'sha256']));
  L.push(row(Array(11).fill('---')));
  for (const d of x.datasets) {
    L.push(row([d.dir, d.baseTimeframe, String(d.symbols), `${day(d.from)} → ${day(d.to)}`, d.splits.map(day).join(', '), d.baseCandles.toLocaleString('en'),
      String(d.candidates), String(d.zscoreSets), d.ratingTimeframe, d.seconds.toFixed(1), `\`${d.hash.slice(0, 16)}…\``]));
  }
  for (const d of x.datasets) if (d.ratingNote) L.push('', `**${d.dir}**: ${d.ratingNote}.`);

  L.push('', '## Thresholds (config `validation.thresholds`, used: min trades and min PF in R)', '');
  L.push(row(['timeframe', 'min trades (pooled OOS)', 'min PF (R)', 'required R:R (grid filter)']));
  L.push(row(Array(4).fill('---')));
  for (const [tf, t] of Object.entries(file.thresholds)) L.push(row([tf, String(t!.minTrades), num(t!.minProfitFactor), String(t!.requiredRR)]));
  L.push('', 'The table\'s min win rates are not used: a win rate only shows an edge if every trade ends at +R:R or −1 R, and many end on the time exit.');

  const candle = verdicts.filter((v) => !v.family.zscore);
  L.push('', '## Result', '');
  L.push(`**${file.families.length} validated famil${file.families.length === 1 ? 'y' : 'ies'} out of ${candle.length}** candle-rule families ` +
    `(and ${verdicts.filter((v) => v.family.zscore && v.pass).length} of ${verdicts.length - candle.length} z-score parameter sets).`, '');
  L.push(`Probability of backtest overfitting, whole run: ${pboLine(x.pbo)}.`, '');
  for (const p of x.pboByData) L.push(`- ${p.dir}: ${pboLine(p.pbo)}`);
  L.push('');
  const byTf = new Map<string, { n: number; ok: number; traded: number; positive: number }>();
  for (const v of candle) {
    const e = byTf.get(v.family.timeframe) ?? { n: 0, ok: 0, traded: 0, positive: 0 };
    e.n++;
    if (v.pass) e.ok++;
    if (v.outOfSample.trades) e.traded++;
    if (v.outOfSample.trades && v.outOfSample.avgR > 0) e.positive++;
    byTf.set(v.family.timeframe, e);
  }
  L.push(row(['timeframe', 'families', 'with OOS trades', 'OOS mean R > 0', 'validated']));
  L.push(row(Array(5).fill('---')));
  for (const [tf, e] of byTf) L.push(row([tf, String(e.n), String(e.traded), String(e.positive), String(e.ok)]));

  L.push('', '## Validated families', '');
  if (!file.families.length) {
    L.push('None. No family\'s out-of-sample record clears the gate, so `validated.json` lists no families and the bot runs the Glicko-2 z-score ' +
      'rule alone (paper-only unless its parameter set passes too). This is the honest result on this data, not a failure; the gate was fixed ' +
      'before the run and was not loosened.');
  } else {
    L.push(row(FAMILY_HEAD));
    L.push(row(FAMILY_HEAD.map(() => '---')));
    for (const v of candle.filter((v) => v.pass)) L.push(familyRow(v));
  }

  const near = candle.filter((v) => !v.pass && v.outOfSample.trades > 0).sort((a, b) => a.failures.length - b.failures.length || b.dsr - a.dsr).slice(0, 15);
  if (near.length) {
    L.push('', '## Closest to passing (fewest requirements missed, then highest DSR)', '');
    L.push(row(FAMILY_HEAD));
    L.push(row(FAMILY_HEAD.map(() => '---')));
    for (const v of near) L.push(familyRow(v));
  }

  const z = verdicts.filter((v) => v.family.zscore);
  L.push('', '## Glicko-2 z-score parameter sets (config/live-params.json), same gate', '');
  L.push(`Threshold scaling \`rating.zScoreScale\` = \`${config.rating.zScoreScale}\`. They trade from live-params.json whatever the verdict; validated.json lists the verdicts under \`zscore\`.`, '');
  if (z.length) {
    L.push(row(FAMILY_HEAD));
    L.push(row(FAMILY_HEAD.map(() => '---')));
    for (const v of z) L.push(familyRow(v));
  } else L.push('None measured (no enabled parameter set for a symbol of the data).');

  L.push('', '## Walk-forward parameter choice (diagnostic)', '');
  L.push('Per rule × timeframe × folder, each fold picks the family with the highest in-sample SQN among those with ≥ min trades and mean R > 0 on ' +
    'trades closed before the fold (only earlier data); the picked family trades the fold. Cells: picked family hex:trades:mean R.', '');
  L.push(row(['rule', 'tf', 'folder', 'fold choices', 'stitched OOS trades', 'stitched mean R']));
  L.push(row(Array(6).fill('---')));
  for (const s of x.selections) {
    L.push(row([s.rule, s.timeframe, short(s.dir), s.folds.map((k) => `${k.chosen ? k.chosen.slice(-8) : '—'}:${k.trades}:${num(k.avgR, 3)}`).join(' '),
      String(s.trades), s.trades ? num(s.avgR, 3) : '']));
  }

  L.push('', '## Every family', '');
  L.push('IS = in-sample, OOS = out-of-sample; PF(R) = Σ winning R / Σ losing R; exits = shares ending at target / stop / time / z-score reversal; ' +
    'maxDD R = largest fall of cumulative R (= % of starting equity at a fixed 1 % risk per trade).', '');
  L.push(row(FAMILY_HEAD));
  L.push(row(FAMILY_HEAD.map(() => '---')));
  for (const v of [...candle].sort((a, b) => a.family.rule.localeCompare(b.family.rule) || a.family.timeframe.localeCompare(b.family.timeframe) || b.dsr - a.dsr)) {
    L.push(familyRow(v));
  }

  L.push('', '## Per instrument (secondary view)', '');
  L.push('Out-of-sample trades and mean R of each family on each instrument. Never used by the gate: choosing instruments by these numbers would be selection on results.', '');
  L.push(row(['family', 'instrument trades:mean R']));
  L.push(row(['---', '---']));
  for (const v of verdicts) {
    if (!v.outOfSample.trades) continue;
    L.push(row([`\`${v.family.id}\``, perInstrument(v).map((p) => `${p.symbol.replace(/USDT$/, '')} ${p.trades}:${num(p.avgR, 2)}`).join(' ')]));
  }
  return L.join('\n');
}
