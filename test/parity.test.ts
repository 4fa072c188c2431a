import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runDataset } from '../src/backtest/dataset.js';
import type { Candidate } from '../src/backtest/candidates.js';
import { prepareReplay } from '../src/app/replay.js';
import { loadConfig } from '../src/config/load.js';
import { signals as signalsView } from '../src/commands/index.js';
import { asSignal, candidate, validatedFile } from './helpers/signals.js';

/**
 * SPEC §1: a signal that fires in `backtest` on some candle must fire — and trade — identically in
 * replay. The backtest drives each candidate through its own engine from a fanned-out pipeline;
 * replay runs the whole bot with only that signal loaded (z-score rule monitor-only: no
 * parameter sets). Trades must match exactly: entry time and price, exit time, price and reason.
 */
const dir = mkdtempSync(join(tmpdir(), 'edgebot-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const pick = (t: { entryTime: number; entryPrice: number; exitTime: number; exitPrice: number; reason: string }) =>
  ({ entryTime: t.entryTime, entryPrice: t.entryPrice, exitTime: t.exitTime, exitPrice: t.exitPrice, reason: t.reason });

async function replayTrades(data: string, c: Candidate, from: number, to: number) {
  const tag = c.id.replace(/[^a-z0-9]/gi, '_');
  const validated = join(dir, `${tag}.json`);
  writeFileSync(validated, JSON.stringify(validatedFile([asSignal(c)])));
  writeFileSync(join(dir, 'live-params.json'), '{}');
  const cfg = join(dir, `${tag}.config.json`);
  writeFileSync(cfg, JSON.stringify({
    chat: 'console',
    execution: { autoTrade: 'paper' },
    paths: { validatedSignals: validated, liveParams: join(dir, 'live-params.json'), state: join(dir, 'state.json'), logDir: join(dir, 'logs') },
    log: { level: 'warn' },
  }));
  const session = await prepareReplay({ data, config: cfg, from, to, statePath: join(dir, `${tag}.state.json`), input: null, output: sink() });
  await session.run();
  // `/signals` lists exactly the loaded signal.
  expect(signalsView(session.rt).signals.map((s) => s.signalId)).toEqual([c.id]);
  return { trades: session.rt.broker.account.trades.map(pick), config: cfg };
}

const CASES: { data: string; from: string; to: string; candidates: Candidate[] }[] = [
  {
    data: 'data/binance-2025-5m', from: '2025-01-01', to: '2025-02-15',
    candidates: [
      candidate('ema_trend_pullback', 0, 'BTCUSDT', '5m'),
      candidate('seller_exhaustion', 12, 'SOLUSDT', '5m'), // Fibonacci target
      candidate('donchian_breakout', 3, 'SOLUSDT', '15m'),
      candidate('rsi_mean_reversion', 0, 'DOGEUSDT', '15m'),
    ],
  },
  {
    data: 'data/binance-2021-1m', from: '2021-04-02', to: '2021-04-20',
    candidates: [
      candidate('seller_exhaustion', 13, 'ETHUSDT', '1m'),
      candidate('ema_trend_pullback', 6, 'BNBUSDT', '2m'),
      candidate('rsi_mean_reversion', 5, 'DOGEUSDT', '1m'),
    ],
  },
];

describe('backtest ↔ replay parity', () => {
  for (const k of CASES) {
    it(`${k.data} ${k.from} → ${k.to}: every candidate trades identically`, async () => {
      const from = Date.parse(k.from);
      const to = Date.parse(k.to);
      const replays: Awaited<ReturnType<typeof replayTrades>>[] = [];
      for (const c of k.candidates) replays.push(await replayTrades(k.data, c, from, to));
      // The same config file as replay (default.json + the overrides), so fees, slippage and risk match.
      const config = loadConfig({ file: replays[0].config });
      const bt = await runDataset(k.data, { config, liveParams: {}, from, to, candidates: k.candidates, zscore: false });
      k.candidates.forEach((c, i) => {
        const backtest = bt.candidates[i].trades.map(pick);
        expect(bt.candidates[i].candidate.id).toBe(c.id);
        expect(backtest.length, `${c.id} should trade enough to make parity meaningful`).toBeGreaterThanOrEqual(5);
        expect(backtest, c.id).toEqual(replays[i].trades);
      });
    });
  }
});
