import { renderEvent } from '../../src/notifier/render.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/kernel/kernel.js';
import { ReplayClock } from '../../src/core/clock.js';
import { loadConfig, loadLiveParams } from '../../src/config/load.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { ReplayFeed } from '../../src/feed/replay.js';
import { createLogger } from '../../src/core/log.js';
import { StateStore } from '../../src/store/state-store.js';
import { DATA_2021_1M, MINUTE } from '../fakes/binance/harness.js';

// Issue #8, seen live: after a restart the warm-up ran through the engine, and a bearish MA-z
// crossing in that history — even one days before the entry — sold an open position. Here a
// z-score long is open when the bot restarts; its warm-up is full of reversal conditions.
const T0 = Date.UTC(2021, 3, 6, 0, 0);
const COINS = ['BNB', 'BTC', 'DOGE', 'ETH', 'SOL'];

describe('history never acts on a position', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgebot-history-'));
  const params: Record<string, unknown> = {};
  // A low threshold and a short MA: reversal conditions (MA-z ≤ −0.2) come often.
  for (const c of COINS) params[`${c}USDT`] = { zScoreThreshold: 0.2, movingAverages: 2, profitPercent: 50, stopLossPercent: 50, allocationPercent: 10 };
  writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
  const config = loadConfig({
    overrides: { baseCoins: COINS, timeframes: ['5m'], paths: { liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') } },
  });

  /** A runtime whose paper account holds a BTC z-score long entered at `entryTime`. */
  const withPosition = async (name: string, entryTime: number): Promise<Runtime> => {
    const store = await StateStore.open(join(dir, name), config.broker.startingBalance, { durable: false });
    store.data.paper.positions.push({
      id: 'P1', cardId: 'card-btc', signalId: 'glicko_zscore:BTCUSDT', rule: 'glicko_zscore', symbol: 'BTCUSDT', timeframe: '5m',
      mode: 'paper', qty: 0.01, entryPrice: 58_000, entryTime, entryFee: 0.58, stop: 29_000, target: 87_000,
    });
    store.data.paper.cash -= 580.58;
    return createRuntime({ notice: renderEvent, mode: 'paper', config, liveParams: loadLiveParams(config.paths.liveParams), clock: new ReplayClock(), store, log: createLogger(), baseTimeframe: '1m' });
  };
  const entry = T0 - 500 * MINUTE;
  const restart = T0;

  it('a restart\'s warm-up neither exits the position nor trades, however many reversals it holds', async () => {
    // Without the history boundary (the old behaviour) the same warm-up exits the position.
    const old = await withPosition('old.json', entry);
    await new ReplayFeed(loadCandleDir(DATA_2021_1M, { from: restart - 600 * MINUTE, to: restart }), old.pipeline).run();
    expect(old.broker.account.trades.map((t) => t.reason)).toEqual(['zscore-reversal']);

    const rt = await withPosition('new.json', entry);
    rt.resumeAfterHistory(restart);
    await new ReplayFeed(loadCandleDir(DATA_2021_1M, { from: restart - 600 * MINUTE, to: restart }), rt.pipeline).run();
    expect(rt.broker.account.positions.map((p) => [p.id, p.exitRequested])).toEqual([['P1', undefined]]);
    expect(rt.broker.account.trades).toEqual([]);
    expect(rt.engine.stats.cards).toBe(0);
    expect(rt.engine.suppressed).toBeGreaterThan(0);
  });

  it('after the restart, a live reversal exits it — at the next open after that close', async () => {
    const rt = await withPosition('live.json', entry);
    rt.resumeAfterHistory(restart);
    await new ReplayFeed(loadCandleDir(DATA_2021_1M, { from: restart - 600 * MINUTE, to: restart + 240 * MINUTE }), rt.pipeline).run();
    const [t] = rt.broker.account.trades;
    expect(t.reason).toBe('zscore-reversal');
    expect(t.exitTime).toBeGreaterThanOrEqual(restart);
  });

  it('a crossing before the entry never exits it, even live', async () => {
    // The position was entered "after" every candle here: no step may exit it.
    const rt = await withPosition('future.json', restart + 1000 * MINUTE);
    await new ReplayFeed(loadCandleDir(DATA_2021_1M, { from: restart - 600 * MINUTE, to: restart + 240 * MINUTE }), rt.pipeline).run();
    expect(rt.broker.account.positions.map((p) => p.exitRequested)).toEqual([undefined]);
  });
});
