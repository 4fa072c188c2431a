import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareReplay } from '../../src/app/replay.js';
import { runDataset } from '../../src/backtest/dataset.js';
import { loadConfig, loadLiveParams } from '../../src/config/load.js';
import type { Card } from '../../src/kernel/card.js';
import type { CrossCoinRatings } from '../../src/rating/cross-coin.js';
import { ZScoreRule } from '../../src/signal/zscore-rule.js';

/**
 * SPEC §1 for shorts: on a swap market the z-score rule's bearish crossings trade short, and the
 * backtest (one engine per parameter set) and replay (the whole bot) make the same trades on the
 * same candles — entry and exit times and prices, reason and side. On spot the same crossings
 * stay informational cards.
 */
const dir = mkdtempSync(join(tmpdir(), 'edgebot-short-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DATA = 'data/binance-2025-5m';
const FROM = Date.parse('2025-02-01');
const TO = Date.parse('2025-02-08');
const SET = { zScoreThreshold: 1.2, movingAverages: 6, profitPercent: 1, stopLossPercent: 0.6, allocationPercent: 10 };
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const pick = (t: { entryTime: number; entryPrice: number; exitTime: number; exitPrice: number; reason: string; side?: string }) =>
  ({ entryTime: t.entryTime, entryPrice: t.entryPrice, exitTime: t.exitTime, exitPrice: t.exitPrice, reason: t.reason, side: t.side ?? 'long' });

async function replay(marketType: 'spot' | 'swap') {
  writeFileSync(join(dir, 'params.json'), JSON.stringify({ ETHUSDT: SET }));
  const cfg = join(dir, `${marketType}.config.json`);
  writeFileSync(cfg, JSON.stringify({
    chat: 'console',
    execution: { autoTrade: 'paper' },
    exchange: { marketType },
    paths: { validatedSignals: join(dir, 'none.json'), liveParams: join(dir, 'params.json'), state: join(dir, 'state.json'), logDir: join(dir, 'logs') },
    log: { level: 'warn' },
  }));
  const session = await prepareReplay({ data: DATA, config: cfg, from: FROM, to: TO, statePath: join(dir, `${marketType}.state.json`), input: null, output: sink() });
  const cards: Card[] = [];
  session.rt.bus.subscribe((e) => e.type === 'card' && cards.push(e.card));
  await session.run();
  return { cfg, cards, trades: session.rt.broker.account.trades };
}

describe('shorts: backtest ↔ replay parity on a swap market, informational on spot', () => {
  it('swap: the z-score rule trades both ways, identically in backtest and replay', async () => {
    const r = await replay('swap');
    const shorts = r.trades.filter((t) => t.side === 'short');
    expect(shorts.length, 'enough shorts to make parity meaningful').toBeGreaterThanOrEqual(5);
    expect(r.trades.length - shorts.length, 'and longs').toBeGreaterThanOrEqual(5);
    for (const t of shorts) {
      expect(t.stop).toBeGreaterThan(t.entryPrice);
      expect(t.target).toBeLessThan(t.entryPrice);
      if (t.reason === 'target') expect(t.pnl).toBeGreaterThan(0);
      if (t.reason === 'stop') expect(t.exitPrice).toBeGreaterThan(t.entryPrice);
    }
    const config = loadConfig({ file: r.cfg });
    const bt = await runDataset(DATA, { config, liveParams: loadLiveParams(config.paths.liveParams), from: FROM, to: TO, candidates: [], zscore: true });
    expect(bt.zscore.map((z) => z.symbol)).toEqual(['ETHUSDT']);
    expect(bt.zscore[0].trades.map(pick)).toEqual(r.trades.map(pick));
    expect(bt.zscore[0].trades.map((t) => t.r)).toEqual(r.trades.map((t) => t.r));
  });

  it('spot: the same bearish crossings are informational cards and nothing is shorted', async () => {
    const swap = await replay('swap');
    const spot = await replay('spot');
    const bearish = (cards: Card[]) => cards.filter((c) => c.direction === 'short');
    expect(bearish(spot.cards).map((c) => c.createdAt)).toEqual(bearish(swap.cards).map((c) => c.createdAt));
    expect(bearish(spot.cards).length).toBeGreaterThan(0);
    expect(bearish(spot.cards).every((c) => c.status === 'info' && c.blockedReason === 'informational: spot cannot short' && c.marketType === undefined)).toBe(true);
    expect(bearish(swap.cards).every((c) => c.status !== 'info' && c.marketType === 'swap')).toBe(true);
    expect(spot.trades.some((t) => t.side === 'short')).toBe(false);
    expect(spot.trades.length).toBeGreaterThan(0);
  });
});

describe('z-score rule: shorts only with `shorts`, and a short is exited by an MA-z reversal up', () => {
  /** Ratings whose MA-z of coin 0 follows `path`, one value per evaluate call. */
  function ratings(path: number[]): CrossCoinRatings {
    let i = -1;
    return { maZ: () => path[++i], maZStable: () => true, rating: () => ({ rating: 1500, rd: 50, volatility: 0.06 }) } as unknown as CrossCoinRatings;
  }
  const set = { ...SET, zScoreThreshold: 1, enabled: true };
  const coins = ['ETHUSD.P', 'BTCUSD.P'];

  it('a crossing down is a tradable short entry with stop above and target below on swap, info on spot', () => {
    const swap = new ZScoreRule(ratings([0, -1.1]), coins, [set, undefined], '5m', 'absolute', true);
    expect(swap.evaluate(0, 3000, 0, null)).toBeNull();
    const a = swap.evaluate(0, 3000, 1, null);
    expect(a?.kind).toBe('entry');
    if (a?.kind !== 'entry') return;
    expect(a.setup).toMatchObject({ direction: 'short', tradable: true, symbol: 'ETHUSD.P' });
    expect(a.setup.stop).toBeCloseTo(3000 * 1.006, 9);
    expect(a.setup.target).toBeCloseTo(3000 * 0.99, 9);
    const spot = new ZScoreRule(ratings([0, -1.1]), coins, [set, undefined], '5m');
    spot.evaluate(0, 3000, 0, null);
    expect(spot.evaluate(0, 3000, 1, null)).toMatchObject({ kind: 'info', setup: { tradable: false } });
  });

  it('an open short is exited when MA-z reaches +threshold; an open long when it reaches −threshold', () => {
    const rule = new ZScoreRule(ratings([0, 0.5, 1.05, -1.2]), coins, [set, undefined], '5m', 'absolute', true);
    expect(rule.evaluate(0, 3000, 0, 'short')).toBeNull();
    expect(rule.evaluate(0, 3000, 1, 'short')).toBeNull();
    expect(rule.evaluate(0, 3000, 2, 'short')).toEqual({ kind: 'reversal', symbol: 'ETHUSD.P', maZ: 1.05 });
    expect(rule.evaluate(0, 3000, 3, 'long')).toEqual({ kind: 'reversal', symbol: 'ETHUSD.P', maZ: -1.2 });
  });
});
