import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/backtest/evidence.js';
import { familiesPbo, inSampleOf, judgeFamily, measure, outOfSampleOf, trialOf, walkForwardSelections, type Family } from '../../src/backtest/gate.js';
import { rStats, type TradeRecord } from '../../src/backtest/stats.js';
import { tradesCsv } from '../../src/backtest/trades-csv.js';
import { TRADES_CSV_HEADER } from '../../src/portfolio/trades-csv.js';
import { appendTrials, catalogueVersion, readTrials, summarizeTrials } from '../../src/backtest/trials.js';
import { planWalkForward } from '../../src/backtest/walk-forward.js';
import { SignalError } from '../../src/core/errors.js';
import type { ExitReason } from '../../src/portfolio/types.js';

const H = 3_600_000;
const D = 24 * H;
const t0 = Date.parse('2025-01-01T00:00:00Z');
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const th = { '5m': { minWinRate: 0.38, minProfitFactor: 1.2, minTrades: 40, requiredRR: 2 } };

function trade(symbol: string, entryTime: number, r: number, holdMs = 2 * H): TradeRecord {
  const reason: ExitReason = r >= 1.5 ? 'target' : r <= -0.9 ? 'stop' : 'time';
  return { signalId: `x:${symbol}:5m:00000000`, symbol, qty: 2, fees: 0.3, entryTime, exitTime: entryTime + holdMs, entryPrice: 100, exitPrice: 100 + r, stop: 99, reason, pnl: 2 * r, r };
}

/** `perDay` trades a day on days [from, from + days), R multiples cycling through `rs`, instruments in turn. */
function tradesOf(from: number, days: number, perDay: number, rs: (i: number) => number): TradeRecord[] {
  const out: TradeRecord[] = [];
  let i = 0;
  for (let d = from; d < from + days; d++) {
    for (let k = 0; k < perDay; k++, i++) out.push(trade(SYMBOLS[i % SYMBOLS.length], t0 + d * D + k * 5 * H, rs(i)));
  }
  return out;
}

const plan = planWalkForward(t0, t0 + 200 * D, 0.5, 3);
function family(id: string, folders: TradeRecord[][]): Family {
  return {
    id, rule: 'rsi_mean_reversion', params: { id }, timeframe: '5m', zscore: false,
    exits: { stop: 'x', target: 'y', rewardRisk: 2, maxHoldBars: 96 },
    folders: folders.map((trades, k) => ({ dir: `data/set${k}`, hash: 'a'.repeat(64), plan, instruments: SYMBOLS, trades })),
  };
}

const cycle = (rs: number[]) => (i: number) => rs[i % rs.length];
/** Mean +0.4 R: 2, −1, 1.5, −1, 0.5. */
const EDGE = cycle([2, -1, 1.5, -1, 0.5]);
const trials = { trials: 50, sharpeVariance: 0.005, withSharpe: 50, lines: 50 };

describe('R statistics', () => {
  it('win rate, PF and drawdown in R, median, SQN, exit shares, hold', () => {
    const ts = [2, -1, -1, 1.5, -1, 0.5].map((r, i) => trade('BTCUSDT', t0 + i * D, r, (i + 1) * H));
    const s = rStats(ts);
    expect(s).toMatchObject({ trades: 6, winRate: 0.5, profitFactor: 1.333, avgR: 0.1667, medianR: -0.25, maxDrawdownR: 2 });
    // exits: 2 and 1.5 at target, three −1 at stop, 0.5 on time.
    expect(s.exits).toEqual({ target: 0.3333, stop: 0.5, time: 0.1667, reversal: 0 });
    expect(s.avgHoldHours).toBe(3.5);
    // sd = √(9.3333 / 5) = 1.36626, SQN = √6 · (1/6) / sd, per-trade Sharpe = (1/6) / sd.
    expect(s.sqn).toBeCloseTo(0.299, 3);
    expect(s.sharpe).toBeCloseTo(0.122, 3);
    expect(rStats([])).toMatchObject({ trades: 0, winRate: 0, profitFactor: 0, avgR: 0, maxDrawdownR: 0 });
    expect(rStats([trade('BTCUSDT', t0, 1)]).profitFactor).toBe(99);
  });
});

describe('clean splits', () => {
  it('in-sample trades closed before the first split, out-of-sample opened after it; the straddler is in neither', () => {
    const s = plan.splits[0];
    const ts = [trade('BTCUSDT', s - 3 * H, 1), trade('BTCUSDT', s - H, 1), trade('BTCUSDT', s, 1)];
    const f = family('f', [ts]);
    expect(inSampleOf(f.folders[0])).toEqual([ts[0]]);
    expect(outOfSampleOf(f.folders[0])).toEqual([ts[2]]);
  });
});

describe('the gate', () => {
  it('validates a family with a planted edge of +0.4 R per trade pooled over instruments and folders', () => {
    const f = family('edge', [tradesOf(0, 200, 2, EDGE), tradesOf(0, 200, 1, EDGE)]);
    const v = judgeFamily(measure(f), th, trials);
    expect(v.outOfSample.trades).toBe(300);
    expect(v.outOfSample.avgR).toBeCloseTo(0.4, 2);
    expect(v.interval.lower).toBeGreaterThan(0.2);
    expect(v.dsr).toBeGreaterThan(0.95);
    expect(v.perFolder.map((p) => p.trades)).toEqual([200, 100]);
    expect(v.failures).toEqual([]);
    expect(v.pass).toBe(true);
  });

  it('rejects a zero-edge family (2, −1, −1: mean 0) and says why', () => {
    const v = judgeFamily(measure(family('zero', [tradesOf(0, 200, 3, cycle([2, -1, -1]))])), th, trials);
    expect(v.pass).toBe(false);
    expect(v.failures[0]).toBe('mean R 0.000 ≤ 0');
    expect(v.failures.some((x) => x.startsWith('DSR'))).toBe(true);
  });

  it('no zero-edge family out of 100 noisy ones passes, though the luckiest shows a positive mean', () => {
    const rnd = mulberry32(2024);
    // Each R: +2 with probability 1/3, −1 otherwise — expectancy exactly 0.
    const fams = Array.from({ length: 100 }, (_, k) => family(`noise${k}`, [tradesOf(0, 200, 2, () => (rnd() < 1 / 3 ? 2 : -1))]));
    const measured = fams.map(measure);
    const all = summarizeTrials(measured.map((e) => trialOf(e, '2025-01-01T00:00:00.000Z', 'c', 'd')));
    expect(all.trials).toBe(100);
    const verdicts = measured.map((e) => judgeFamily(e, th, all));
    expect(Math.max(...verdicts.map((v) => v.outOfSample.avgR))).toBeGreaterThan(0.15);
    expect(verdicts.filter((v) => v.pass)).toEqual([]);
    // Selecting the best of 100 pure-noise paths is overfitting by construction: CSCV says so.
    const pbo = familiesPbo(measured)!;
    expect(pbo.strategies).toBe(100);
    expect(pbo.pbo).toBeGreaterThan(0.3);
  });

  it('the same edge fails once enough trials were run to find it by luck', () => {
    const e = measure(family('edge', [tradesOf(0, 200, 3, EDGE)]));
    expect(judgeFamily(e, th, trials).pass).toBe(true);
    const many = judgeFamily(e, th, { trials: 1_000_000, sharpeVariance: 0.02, withSharpe: 1_000_000, lines: 1_000_000 });
    expect(many.pass).toBe(false);
    expect(many.failures).toEqual([`DSR ${many.dsr.toFixed(3)} < 0.95 (N = 1000000)`]);
  });

  it('a family must earn in every data folder separately and reach the minimum trades', () => {
    const v = judgeFamily(measure(family('split', [tradesOf(0, 200, 3, EDGE), tradesOf(0, 200, 1, cycle([2, -1, -1, -1]))])), th, trials);
    expect(v.failures).toContain('mean R -0.250 ≤ 0 in data/set1');
    const few = judgeFamily(measure(family('few', [tradesOf(0, 200, 1, EDGE).filter((_, i) => i % 5 === 0)])), th, trials);
    expect(few.failures[0]).toBe('20 OOS trades < 40');
    const none = judgeFamily(measure(family('none', [tradesOf(0, 200, 3, EDGE), []])), th, trials);
    expect(none.failures).toContain('no OOS trades in data/set1');
  });
});

describe('walk-forward parameter choice', () => {
  const wf = planWalkForward(t0, t0 + 120 * D, 0.5, 3);
  const one = (from: number, days: number, rs: number[]) => tradesOf(from, days, 1, cycle(rs));
  const mk = (id: string, trades: TradeRecord[]): Family => ({ ...family(id, []), folders: [{ dir: 'd', hash: 'a'.repeat(64), plan: wf, instruments: SYMBOLS, trades }] });
  it('chooses on earlier data only: a, good early, is kept until b’s record overtakes it', () => {
    const a = mk('a', [...one(0, 60, [2, -1, 2, -1, -1]), ...one(60, 60, [2, -1, -1, -1])]);
    const b = mk('b', [...one(0, 60, [-1, -1, 2, -1, -1]), ...one(60, 60, [2, 2, -1])]);
    const [s] = walkForwardSelections([a, b], { '5m': { ...th['5m'], minTrades: 20 } });
    expect(s.folds.map((f) => f.chosen)).toEqual(['a', 'a', 'b']);
    expect(s.folds.map((f) => f.trades)).toEqual([20, 20, 20]);
  });
});

describe('trial log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgebot-trials-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const t = (family: string, data: string, sharpe: number, run = '2025-01-01T00:00:00.000Z') => ({ run, catalogue: 'v1-x', data, family, rule: 'r', timeframe: '5m', trades: 10, sharpe });

  it('counts distinct (catalogue, data, family): a re-run is the same trial, new data is a new one', () => {
    const p = join(dir, 'trials.jsonl');
    appendTrials(p, [t('a', 'd1', 0.1), t('b', 'd1', -0.1)]);
    appendTrials(p, [t('a', 'd1', 0.1, '2025-01-02T00:00:00.000Z'), t('b', 'd1', -0.1, '2025-01-02T00:00:00.000Z')]);
    expect(summarizeTrials(readTrials(p))).toMatchObject({ trials: 2, lines: 4, withSharpe: 2 });
    appendTrials(p, [t('a', 'd2', 0.3)]);
    const s = summarizeTrials(readTrials(p));
    expect(s.trials).toBe(3);
    // Sample variance of 0.1, −0.1, 0.3: mean 0.1, (0 + 0.04 + 0.04) / 2.
    expect(s.sharpeVariance).toBeCloseTo(0.04, 12);
    expect(readFileSync(p, 'utf8').trim().split('\n')).toHaveLength(5);
    // V[SR] only over trials with at least the timeframe's minimum trades; N still counts all.
    appendTrials(p, [{ ...t('tiny', 'd2', 9), trades: 3 }]);
    const v = summarizeTrials(readTrials(p), () => 10);
    expect(v).toMatchObject({ trials: 4, withSharpe: 3 });
    expect(v.sharpeVariance).toBeCloseTo(0.04, 12);
  });

  it('refuses a corrupt log instead of silently counting fewer trials', () => {
    const p = join(dir, 'bad.jsonl');
    writeFileSync(p, JSON.stringify(t('a', 'd', 0)) + '\n{"run": 1}\n');
    expect(() => readTrials(p)).toThrow(SignalError);
    expect(() => readTrials(p)).toThrow(/bad\.jsonl:2 is not a trial record/);
    expect(readTrials(join(dir, 'missing.jsonl'))).toEqual([]);
  });

  it('the catalogue version names the logic version and hashes the grids', () => {
    expect(catalogueVersion()).toMatch(/^v1-[0-9a-f]{8}$/);
    expect(catalogueVersion()).toBe(catalogueVersion());
  });
});

describe('trade list CSV', () => {
  it('one row per out-of-sample trade with ISO UTC times', () => {
    const f = family('csv', [[trade('BTCUSDT', plan.splits[0] - 5 * H, 1), trade('ETHUSDT', plan.splits[0] + H, -1)]]);
    const csv = tradesCsv([measure(f)]).trim().split('\n');
    expect(csv[0]).toBe(TRADES_CSV_HEADER);
    expect(csv[0]).toBe('signalId,rule,symbol,timeframe,entryTime,exitTime,entry,exit,qty,fees,pnl,r,exitReason');
    const at = new Date(plan.splits[0] + H).toISOString();
    const out = new Date(plan.splits[0] + 3 * H).toISOString();
    expect(csv.slice(1)).toEqual([`x:ETHUSDT:5m:00000000,rsi_mean_reversion,ETHUSDT,5m,${at},${out},100,99,2,0.3,-2,-1,stop`]);
  });
});
