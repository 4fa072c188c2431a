import { renderEvent } from '../../src/notifier/render.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/kernel/kernel.js';
import { ReplayClock } from '../../src/core/clock.js';
import { loadConfig, loadLiveParams } from '../../src/config/load.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import { ReplayFeed } from '../../src/feed/replay.js';
import { createLogger } from '../../src/core/log.js';
import { StateStore } from '../../src/store/state-store.js';
import { DATA_2021_1M, MINUTE } from '../fakes/binance/harness.js';

// The kernel half of "a restart changes nothing": a run stopped at any candle and resumed from
// its state file, with a fresh warm-up of a different length, ends exactly like a run that was
// never stopped — same ratings, cards and trades. History (warm-up) never acts.
const T0 = Date.UTC(2021, 3, 5, 0, 0);
const COINS = ['BNB', 'BTC', 'DOGE', 'ETH', 'SOL'];

describe('restart from the state file (kernel)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgebot-restart-'));
  const params: Record<string, unknown> = {};
  for (const c of COINS) params[`${c}USDT`] = { zScoreThreshold: 1.0, movingAverages: 6, profitPercent: 1, stopLossPercent: 0.5, allocationPercent: 10 };
  writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
  const config = loadConfig({
    overrides: {
      baseCoins: COINS, timeframes: ['5m'], execution: { autoTrade: 'paper', cardExpiryBars: 50 },
      paths: { liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
    },
  });
  const all = loadCandleDir(DATA_2021_1M, { from: T0 - 400 * MINUTE, to: T0 + 300 * MINUTE });
  const clip = (from: number, to: number): CandleSeries[] => all.map((s) => {
    let a = 0;
    while (a < s.length && s.openTime[a] < from) a++;
    let b = a;
    while (b < s.length && s.openTime[b] + MINUTE <= to) b++;
    const sub = (x: Float64Array) => x.subarray(a, b);
    return { ...s, length: b - a, openTime: sub(s.openTime), open: sub(s.open), high: sub(s.high), low: sub(s.low), close: sub(s.close), volume: sub(s.volume) };
  });
  const runtime = async (path: string): Promise<Runtime> => {
    const store = await StateStore.open(path, config.broker.startingBalance, { durable: false });
    return createRuntime({ notice: renderEvent, mode: 'paper', config, liveParams: loadLiveParams(config.paths.liveParams), clock: new ReplayClock(), store, log: createLogger(), baseTimeframe: '1m' });
  };
  const summary = (rt: Runtime) => ({
    trades: rt.broker.account.trades.map((t) => [t.cardId, t.entryTime, t.entryPrice, t.qty, t.exitTime, t.exitPrice, t.reason]),
    positions: rt.broker.account.positions.map((p) => [p.cardId, p.entryTime, p.qty]),
    cards: [...rt.engine.cards.values()].map((c) => [c.id, c.createdAt, c.status]),
    ratings: rt.engine.ratingsSnapshot(),
  });
  const start = T0; // the first run starts here: everything closed before is history
  const end = T0 + 240 * MINUTE;

  it.each([17, 33, 68, 101, 150])('stopped after %i minutes and resumed with a different warm-up: identical', async (stopAfter) => {
    const ref = await runtime(join(dir, `ref-${stopAfter}.json`));
    ref.resumeAfterHistory(start);
    await new ReplayFeed(clip(start - 240 * MINUTE, end), ref.pipeline).run();
    const want = summary(ref);
    expect(want.trades.length).toBeGreaterThan(0);

    const path = join(dir, `run-${stopAfter}.json`);
    const a = await runtime(path);
    a.resumeAfterHistory(start);
    const stopAt = start + stopAfter * MINUTE;
    await new ReplayFeed(clip(start - 240 * MINUTE, stopAt), a.pipeline).run();
    await a.store.close();
    // The restart: its warm-up begins elsewhere (300 bars back) and overlaps what was acted on.
    const b = await runtime(path);
    b.resumeAfterHistory(stopAt + 7 * MINUTE);
    await new ReplayFeed(clip(stopAt - 300 * MINUTE, end), b.pipeline).run();
    expect(summary(b)).toEqual(want);
  });
});
