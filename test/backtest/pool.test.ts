import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evidenceConfig, runBacktest } from '../../src/app/backtest.js';
import { runDataset } from '../../src/backtest/dataset.js';
import { BacktestPool } from '../../src/backtest/pool.js';
import { loadConfig, loadLiveParams } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'edgebot-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backtest on worker threads', () => {
  const config = evidenceConfig(loadConfig());
  const liveParams = loadLiveParams(config.paths.liveParams);
  const o = { config, liveParams, from: Date.parse('2021-05-14'), to: Date.parse('2021-09-01') };

  it('3 shards on worker threads give exactly the one-thread run: every candidate, every trade, in order', async () => {
    const one = await runDataset('data/binance-2021-2022-1h', o);
    const pool = new BacktestPool({ workers: 3 });
    try {
      const many = await pool.run('data/binance-2021-2022-1h', o);
      expect(one.candidates.length).toBe(280); // 20 families × 14 symbols
      expect(one.zscore.length).toBe(6);
      expect(one.candidates.reduce((n, c) => n + c.trades.length, 0)).toBeGreaterThan(100);
      expect(many.candidates).toEqual(one.candidates);
      expect(many.zscore).toEqual(one.zscore);
      expect({ ...many, elapsedMs: 0 }).toEqual({ ...one, elapsedMs: 0 });
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('runBacktest writes the same validated.json and trade list with 2 workers as with 1, and reports its workers and peak memory', async () => {
    const out = (w: number) => ({ out: join(dir, `v${w}.json`), report: join(dir, `r${w}.md`), trials: join(dir, `t${w}.jsonl`), trades: join(dir, `trades${w}.csv`) });
    const run = (w: number) => runBacktest({ data: ['data/binance-2021-2022-1h'], from: o.from, to: o.to, ...out(w), command: 'test', workers: w });
    const [a, b] = [await run(1), await run(2)];
    expect([a.workers, b.workers]).toEqual([1, 2]);
    expect(b.peakRssMb).toBeGreaterThan(10);
    expect({ ...b, elapsedMs: 0, out: '', report: '', workers: 0, peakRssMb: 0 }).toEqual({ ...a, elapsedMs: 0, out: '', report: '', workers: 0, peakRssMb: 0 });
    const strip = (f: string) => { const j = JSON.parse(readFileSync(f, 'utf8')); delete j.generatedAt; return j; };
    expect(strip(out(2).out)).toEqual(strip(out(1).out));
    expect(readFileSync(out(2).trades, 'utf8')).toBe(readFileSync(out(1).trades, 'utf8'));
  }, 120_000);
});
