import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/candle.js';
import { OrderError } from '../../src/core/errors.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { SimulatedBroker, type BrokerEvent } from '../../src/kernel/simulated-broker.js';
import type { PendingEntry } from '../../src/portfolio/types.js';
import { RiskManager, newRiskState } from '../../src/risk/risk.js';
import { ConfigSchema } from '../../src/config/schema.js';

// The simulated broker's short side on real BTC candles (data/binance-2025-5m, 2025-02-01): the
// levels are placed relative to those candles so each exit path is taken for a known reason.
const DATA = fileURLToPath(new URL('../../data/binance-2025-5m', import.meta.url));
const T0 = Date.UTC(2025, 1, 1);
const M5 = 300_000;
const OPTS = { startingBalance: 10_000, feeBps: 10, slippageBps: 5 };
const SLIP = 5 / 1e4;
const FEE = 10 / 1e4;

let c: Candle[];
beforeAll(() => {
  const s = loadCandleDir(DATA, { from: T0, to: T0 + 40 * M5 }).find((x) => x.symbol === 'BTCUSDT')!;
  c = Array.from({ length: s.length }, (_, i) => ({
    openTime: s.openTime[i], closeTime: s.openTime[i] + M5, open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i],
  }));
});

const short = (stop: number, target: number, over: Partial<PendingEntry> = {}): PendingEntry => ({
  side: 'short', cardId: 'k1', signalId: 'glicko_zscore:BTCUSD.P', rule: 'glicko_zscore', symbol: 'BTCUSD.P', timeframe: '5m',
  mode: 'paper', qty: 0.01, stop, target, submittedAt: T0, ...over,
});

function run(req: PendingEntry, candles: Candle[], opts: ConstructorParameters<typeof SimulatedBroker>[0] = OPTS) {
  const b = new SimulatedBroker(opts);
  const events: BrokerEvent[] = [];
  b.submitEntry(req);
  for (const x of candles) b.onBaseCandle('BTCUSD.P', x, (e) => events.push(e));
  return { b, events, trade: b.account.trades[0], position: b.account.positions[0] };
}

describe('simulated broker: shorts on real candles', () => {
  it('sells at the next open less slippage and locks entry value + fee as collateral', () => {
    const { b, position } = run(short(c[0].open * 1.5, c[0].open * 0.5), [c[0]]);
    expect(position.side).toBe('short');
    expect(position.entryPrice).toBeCloseTo(c[0].open * (1 - SLIP), 8);
    expect(position.entryFee).toBeCloseTo(0.01 * position.entryPrice * FEE, 10);
    expect(b.account.cash).toBeCloseTo(10_000 - 0.01 * position.entryPrice - position.entryFee, 8);
    // Equity marks a short up when the price falls: collateral + (entry − mark) × qty.
    expect(b.equity()).toBeCloseTo(b.account.cash + 0.01 * (2 * position.entryPrice - c[0].close), 8);
    expect(b.unrealizedPnl()).toBeCloseTo(0.01 * (position.entryPrice - c[0].close) - position.entryFee, 8);
  });

  it('the stop is above the entry and is hit by a high, bought back at the stop plus slippage', () => {
    // First candle after the fill whose high rises above the fill candle's high: the stop sits just under it.
    const j = c.findIndex((x, i) => i > 0 && x.high > c[0].high && x.open < c[0].high);
    expect(j).toBeGreaterThan(0);
    const stop = c[0].high + (c[j].high - c[0].high) / 2;
    const target = Math.min(...c.slice(0, j + 1).map((x) => x.low)) - 1; // never reached
    const { trade } = run(short(stop, target), c.slice(0, j + 1));
    expect(trade.reason).toBe('stop');
    expect(trade.exitTime).toBe(c[j].closeTime);
    expect(trade.exitPrice).toBeCloseTo(Math.max(c[j].open, stop) * (1 + SLIP), 8);
    const pnl = (trade.entryPrice - trade.exitPrice) * 0.01 - trade.entryFee - trade.exitFee;
    expect(trade.pnl).toBeCloseTo(pnl, 10);
    expect(trade.r).toBeCloseTo(pnl / ((stop - trade.entryPrice) * 0.01), 10);
    expect(trade.r).toBeLessThan(-1); // the stop's loss plus costs
  });

  it('the target is below the entry and is hit by a low, a resting buy limit with no slippage', () => {
    const j = c.findIndex((x, i) => i > 0 && x.low < c[0].low && x.open > c[0].low);
    expect(j).toBeGreaterThan(0);
    const target = c[0].low - (c[0].low - c[j].low) / 2;
    const stop = Math.max(...c.slice(0, j + 1).map((x) => x.high)) + 1;
    const { trade, b } = run(short(stop, target), c.slice(0, j + 1));
    expect(trade.reason).toBe('target');
    expect(trade.exitPrice).toBe(target);
    expect(trade.exitPrice).toBeLessThan(trade.entryPrice);
    expect(trade.pnl).toBeCloseTo((trade.entryPrice - target) * 0.01 - trade.entryFee - trade.exitFee, 10);
    expect(b.account.cash).toBeCloseTo(10_000 + trade.pnl, 8);
  });

  it('a candle that spans both levels takes the stop first (the pessimistic assumption)', () => {
    // The fill candle is checked too: with the stop just under its high and the target just over its low, both are touched.
    const both = run(short(c[1].high - 0.01, c[1].low + 0.01), [c[1]]);
    expect(both.trade.reason).toBe('stop');
    expect(both.trade.exitPrice).toBeCloseTo((c[1].high - 0.01) * (1 + SLIP), 8);
  });

  it('requested and time exits buy back with slippage against the short', () => {
    const far = [c[0].open * 1.5, c[0].open * 0.5] as const;
    const { b } = run(short(...far), [c[0]]);
    b.requestExit(b.account.positions[0].id, 'manual');
    b.onBaseCandle('BTCUSD.P', c[1], () => {});
    expect(b.account.trades[0].exitPrice).toBeCloseTo(c[1].open * (1 + SLIP), 8);
    const timed = run(short(...far, { maxHoldMs: 2 * M5 }), c.slice(0, 4));
    expect(timed.trade.reason).toBe('time');
    expect(timed.trade.exitPrice).toBeCloseTo(c[1].close * (1 + SLIP), 8);
  });

  it('pays the venue fee of the symbol when one is given', () => {
    const { position } = run(short(c[0].open * 1.5, c[0].open * 0.5), [c[0]], { ...OPTS, feeBpsBySymbol: { 'BTCUSD.P': 5 } });
    expect(position.entryFee).toBeCloseTo(0.01 * position.entryPrice * 5e-4, 10);
  });

  it('refuses a short whose stop is not above its target, and a long whose stop is not below', () => {
    const b = new SimulatedBroker(OPTS);
    expect(() => b.submitEntry(short(c[0].open * 0.99, c[0].open * 1.01))).toThrow(OrderError);
    expect(() => b.submitEntry({ ...short(c[0].open * 1.01, c[0].open * 0.99), side: 'long', cardId: 'k2' })).toThrow(/stop must be below/);
  });

  it('risk sizing uses the distance to a stop above the entry', () => {
    const risk = new RiskManager(ConfigSchema.parse({}).risk, newRiskState(10_000));
    const entry = c[0].close;
    const up = risk.size(entry, entry * 1.004, 10_000);
    const down = risk.size(entry, entry * 0.996, 10_000);
    expect(up.qty).toBeGreaterThan(0);
    expect(up).toEqual(down);
  });
});
