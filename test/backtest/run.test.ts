import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evidenceConfig, runBacktest } from '../../src/app/backtest.js';
import { TRADES_CSV_HEADER } from '../../src/portfolio/trades-csv.js';
import { loadConfig } from '../../src/config/load.js';
import { parseValidated } from '../../src/signal/validated.js';

const dir = mkdtempSync(join(tmpdir(), 'edgebot-backtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evidence config', () => {
  it('turns off only the stops that truncate a record', () => {
    const c = loadConfig();
    const e = evidenceConfig(c);
    expect(e.risk).toMatchObject({ maxDrawdownPercent: 100, maxDailyLossPercent: 100, maxDailyTrades: Number.MAX_SAFE_INTEGER });
    expect(e.risk.cooldownMinutes).toBe(c.risk.cooldownMinutes);
    expect(e.risk.riskPerTradePercent).toBe(c.risk.riskPerTradePercent);
    expect(e.broker).toEqual(c.broker);
  });
});

describe('edgebot backtest end to end (14 coins, 1h, 3.5 months)', () => {
  const paths = { out: join(dir, 'validated.json'), report: join(dir, 'report.md'), trials: join(dir, 'trials.jsonl'), trades: join(dir, 'trades.csv') };
  const run = (to: string) => runBacktest({
    data: ['data/binance-2021-2022-1h'], from: Date.parse('2021-05-14'), to: Date.parse(to), ...paths, command: 'test',
  });

  it('writes a schema-valid validated.json, the report, the trade list and the trial log; a re-run adds no trials', async () => {
    const s = await run('2021-09-01');
    // 20 candle families on 1h (grid points with R:R ≥ 3) + 4 distinct live-params z-score sets.
    expect(s.families).toBe(24);
    expect(s.trials).toBe(24);
    const file = parseValidated(JSON.parse(readFileSync(paths.out, 'utf8')));
    expect(file.version).toBe(2);
    expect(file.gate).toMatchObject({ trials: 24, families: 24, minDsr: 0.95 });
    expect(file.zscore.map((z) => z.timeframe)).toEqual(['1h', '1h', '1h', '1h']);
    expect(file.families.length).toBe(s.validated);

    const report = readFileSync(paths.report, 'utf8');
    expect(report).toContain('base 1h is coarser than rating.timeframe 5m: z-score families rated on 1h here');
    expect(report).toContain('N = 24** trials');

    const csv = readFileSync(paths.trades, 'utf8').trim().split('\n');
    expect(csv[0]).toBe(TRADES_CSV_HEADER);
    expect(csv.length).toBeGreaterThan(100);
    const split = Date.parse(file.data[0].from) + (Date.parse(file.data[0].to) - Date.parse(file.data[0].from)) * 0.5;
    for (const line of csv.slice(1)) {
      const [, , , tf, entry, exit] = line.split(',');
      expect(tf).toBe('1h');
      expect(Date.parse(entry)).toBeGreaterThanOrEqual(split - 3_600_000);
      expect(Date.parse(exit)).toBeGreaterThan(Date.parse(entry));
    }

    // The same search on the same data is the same trial; a different window is new trials.
    expect((await run('2021-09-01')).trials).toBe(24);
    expect(readFileSync(paths.trials, 'utf8').trim().split('\n')).toHaveLength(48);
    expect((await run('2021-08-01')).trials).toBe(48);
  }, 60_000);
});
