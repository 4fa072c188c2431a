import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/app/cli.js';

// `replay --trades FILE.csv`: one row per closed trade, in the backtest's columns; the JSON
// summary adds the traded statistic in R.
describe('replay --trades', () => {
  it('writes every closed trade, and the summary R figures come from the same trades', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'edgebot-trades-')), 'trades.csv');
    let out = '';
    const stdout = new PassThrough();
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await main(['replay', '--data', 'data/binance-2025-5m', '--trades', file], { stdout, stderr: new PassThrough(), env: {} });
    expect(code).toBe(0);
    const summary = JSON.parse(out.trim().split('\n').pop()!);
    const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
    expect(header).toBe('signalId,rule,symbol,timeframe,entryTime,exitTime,entry,exit,qty,fees,pnl,r,exitReason');
    expect(rows).toHaveLength(summary.trades);
    expect(summary.trades).toBeGreaterThan(0);
    const cols = rows.map((r) => r.split(','));
    const rs = cols.map((c) => Number(c[11]));
    const gp = rs.filter((r) => r > 0).reduce((a, b) => a + b, 0);
    const gl = -rs.filter((r) => r <= 0).reduce((a, b) => a + b, 0);
    expect(summary.profitFactorR).toBeCloseTo(gp / gl, 3);
    expect(summary.meanR).toBeCloseTo(rs.reduce((a, b) => a + b, 0) / rs.length, 4);
    // Realized P&L of the rows is the account's, within rounding of the summary's 2 decimals.
    const pnl = cols.reduce((a, c) => a + Number(c[10]), 0);
    expect(Math.abs(pnl - summary.pnl)).toBeLessThan(0.01 + 1e-9);
    expect(cols.every((c) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/.test(c[4]) && ['target', 'stop', 'time', 'zscore-reversal'].includes(c[12]))).toBe(true);
  });
});
