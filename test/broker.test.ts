import { describe, expect, it } from 'vitest';
import type { Candle } from '../src/core/candle.js';
import { SimulatedBroker, type BrokerEvent } from '../src/kernel/simulated-broker.js';
import type { PendingEntry } from '../src/portfolio/types.js';

const M5 = 300_000;
const bar = (i: number, o: number, h: number, l: number, c: number): Candle => ({ openTime: i * M5, closeTime: (i + 1) * M5, open: o, high: h, low: l, close: c, volume: 1 });
const entry = (over: Partial<PendingEntry> = {}): PendingEntry => ({
  cardId: 'card1', signalId: 's', rule: 'r', symbol: 'BTCUSDT', timeframe: '5m', mode: 'paper', qty: 1,
  stop: 95, target: 110, submittedAt: 0, ...over,
});

function run(candles: Candle[], req = entry(), opts = { startingBalance: 10_000, feeBps: 10, slippageBps: 5 }) {
  const b = new SimulatedBroker(opts);
  const events: BrokerEvent[] = [];
  b.submitEntry(req);
  for (const c of candles) b.onBaseCandle('BTCUSDT', c, (e) => events.push(e));
  return { b, events, trade: b.account.trades[0] };
}

describe('simulated broker exits', () => {
  it('fills at the next open plus slippage, with fees on both sides', () => {
    const { events, trade, b } = run([bar(1, 100, 101, 99, 100.5), bar(2, 100.5, 111, 100, 110)]);
    expect(events.map((e) => e.type)).toEqual(['entry', 'exit']);
    expect(trade.entryPrice).toBeCloseTo(100.05, 10); // 100 × (1 + 5 bps)
    expect(trade.entryFee).toBeCloseTo(100.05 * 0.001, 10);
    expect(trade.reason).toBe('target');
    expect(trade.exitPrice).toBe(110); // resting limit: no slippage
    expect(trade.exitTime).toBe(3 * M5);
    const pnl = 110 - 110 * 0.001 - 100.05 - 100.05 * 0.001;
    expect(trade.pnl).toBeCloseTo(pnl, 10);
    expect(trade.r).toBeCloseTo(pnl / (100.05 - 95), 10);
    expect(b.account.cash).toBeCloseTo(10_000 + pnl, 8);
  });

  it('takes the stop at the stop price minus slippage', () => {
    const { trade } = run([bar(1, 100, 101, 99, 100), bar(2, 99, 99.5, 94, 96)]);
    expect(trade.reason).toBe('stop');
    expect(trade.exitPrice).toBeCloseTo(95 * (1 - 0.0005), 10);
  });

  it('when one candle spans both stop and target, the stop is taken first', () => {
    const { trade } = run([bar(1, 100, 101, 99, 100), bar(2, 100, 112, 94, 105)]);
    expect(trade.reason).toBe('stop');
  });

  it('a gap through the stop fills at the open, not the stop', () => {
    const { trade } = run([bar(1, 100, 101, 99, 100), bar(2, 90, 92, 89, 91)]);
    expect(trade.reason).toBe('stop');
    expect(trade.exitPrice).toBeCloseTo(90 * (1 - 0.0005), 10);
  });

  it('checks exits on the fill candle itself', () => {
    const { trade } = run([bar(1, 100, 111, 99, 108)]);
    expect(trade.reason).toBe('target');
    expect(trade.entryTime).toBe(M5);
  });

  it('z-score reversal exits at the next open minus slippage', () => {
    const b = new SimulatedBroker({ startingBalance: 10_000, feeBps: 0, slippageBps: 10 });
    const events: BrokerEvent[] = [];
    b.submitEntry(entry());
    b.onBaseCandle('BTCUSDT', bar(1, 100, 101, 99, 100), (e) => events.push(e));
    expect(b.requestExit(b.account.positions[0].id, 'zscore-reversal')).toBe(true);
    b.onBaseCandle('BTCUSDT', bar(2, 102, 103, 101, 102), (e) => events.push(e));
    const t = b.account.trades[0];
    expect(t.reason).toBe('zscore-reversal');
    expect(t.exitPrice).toBeCloseTo(102 * 0.999, 10);
    expect(t.exitTime).toBe(2 * M5);
  });

  it('time exit closes at the close of the candle reaching the holding limit', () => {
    const { trade } = run([bar(1, 100, 101, 99, 100), bar(2, 100, 101, 99, 100.7), bar(3, 100, 101, 99, 100.3)], entry({ maxHoldMs: 2 * M5 }));
    expect(trade.reason).toBe('time');
    expect(trade.exitTime).toBe(3 * M5);
    expect(trade.exitPrice).toBeCloseTo(100.7 * (1 - 0.0005), 10);
  });

  it('never orders twice for one card', () => {
    const b = new SimulatedBroker({ startingBalance: 10_000, feeBps: 0, slippageBps: 0 });
    b.submitEntry(entry());
    expect(() => b.submitEntry(entry())).toThrow(/already has an order/);
  });
});
