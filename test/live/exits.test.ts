import { liveAlertText, liveText } from '../../src/notifier/render-live.js';
import { renderEvent } from '../../src/notifier/render.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/kernel/kernel.js';
import { parseConfig } from '../../src/config/load.js';
import type { BotEvent } from '../../src/kernel/events.js';
import type { Card } from '../../src/kernel/card.js';
import type { LiveTrader } from '../../src/execution/live/live-trader.js';
import { createLiveTrader } from '../../src/execution/live/setup.js';
import { createLogger } from '../../src/core/log.js';
import type { Trade } from '../../src/portfolio/types.js';
import { StateStore } from '../../src/store/state-store.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, MINUTE } from '../fakes/binance/harness.js';
import { installTrading, type FakeTrading } from '../fakes/binance/trading.js';
import { API_KEY, API_SECRET, T0 } from './harness.js';

/** A card as the engine makes them: long, stop −1 %, target +2 % of the price now. */
function cardFor(rt: Runtime, fake: FakeBinance, id: string, symbol: string, extra: Partial<Card> = {}): Card {
  const px = fake.markets.get(symbol)!.priceAt(fake.now());
  const card: Card = {
    id, createdAt: fake.now(), expiresAt: fake.now() + 3 * MINUTE, signalId: `test:${symbol}`, rule: 'test', name: 'Test', symbol,
    timeframe: '1m', direction: 'long', entry: px, stop: px * 0.99, target: px * 1.02, stopPercent: 1, targetPercent: 2, rr: 2,
    qty: 0.01, notional: px * 0.01, riskQuote: px * 0.0001, riskPercent: 0.1, reason: 'test', status: 'open', ...extra,
  };
  rt.engine.cards.set(id, card);
  return card;
}

// Live execution without a chat: venue-side protection failures and the exits edgebot manages.
describe('live exits and protection edge cases (ccxt ↔ fake Binance)', () => {
  let fake: FakeBinance;
  let trading: FakeTrading;
  let rt: Runtime;
  let live: LiveTrader;
  const events: BotEvent[] = [];
  const exits = () => events.filter((e): e is { type: 'exit'; trade: Trade } => e.type === 'exit').map((e) => e.trade);

  beforeAll(async () => {
    const series = loadCandleDir(DATA_2021_1M, { from: T0 - 10 * MINUTE, to: T0 + 60 * MINUTE });
    fake = await FakeBinance.start({ series, now: T0 + 1000 });
    trading = installTrading(fake, { apiKey: API_KEY, secret: API_SECRET, balances: { USDT: 10_000 } });
    const config = parseConfig({
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl },
      execution: { orderTimeoutSeconds: 5 },
      paths: { state: join(mkdtempSync(join(tmpdir(), 'edgebot-exits-')), 'state.json') },
    });
    const store = await StateStore.open(config.paths.state, config.broker.startingBalance);
    live = await createLiveTrader(config, { apiKey: API_KEY, secret: API_SECRET }, 300);
    rt = createRuntime({ notice: renderEvent,
      mode: 'live', config, liveParams: {}, clock: fake.clock, store, log: createLogger(), baseTimeframe: '1m',
      coinSymbols: ['BTCUSDT', 'ETHUSDT'], live,
    });
    live.attach(rt);
    rt.bus.subscribe((e) => events.push(e));
    await live.connect();
  });
  afterAll(async () => {
    live?.stop();
    await fake?.close();
  });

  it('an OCO the venue refuses leaves the position watched by edgebot, which sells at market when the stop is crossed', async () => {
    const card = cardFor(rt, fake, 'ExitsCard001', 'BTCUSDT');
    expect((await live.request(card)).ok).toBe(true);
    trading.failNext('/api/v3/orderList/oco', -2010, 'Stop price would trigger immediately.');
    const r = await live.confirm(card.id);
    expect(liveText(r.outcome, 'USDT')).toMatch(/^✅ Bought .* ⚠️ Protective orders refused; edgebot watches stop and target itself\.$/);
    const t = rt.store.data.live.trades.find((x) => x.cardId === card.id)!;
    expect(t.protection).toMatchObject({ kind: 'engine', lastError: 'Stop price would trigger immediately.' });
    expect(events.some((e) => e.type === 'live-alert' && /refused the protective orders .* watches stop .* itself/.test(liveAlertText(e.alert, 'USDT')))).toBe(true);

    await live.reconcile();
    expect(t.phase).toBe('open');
    trading.shiftPrice('BTCUSDT', 0.985);
    await live.reconcile();
    trading.shiftPrice('BTCUSDT', 1);
    expect(t.phase).toBe('closed');
    const trade = exits().at(-1)!;
    expect(trade).toMatchObject({ symbol: 'BTCUSDT', mode: 'live', reason: 'stop' });
    expect(trade.pnl).toBeLessThan(0);
    expect(trading.marketOrders(`eb-${card.id}-x`)).toHaveLength(1);
    // A loss starts the symbol's cooldown.
    expect(rt.risk.state.cooldowns.BTCUSDT).toBeGreaterThan(fake.now());
  });

  it('an OCO placement that times out is found by its list client id, not placed twice; a time exit cancels it and sells', async () => {
    const card = cardFor(rt, fake, 'ExitsCard002', 'ETHUSDT', { maxHoldBars: 2 });
    await live.request(card);
    trading.delayNext('/api/v3/orderList/oco', 800);
    const r = await live.confirm(card.id);
    expect(liveText(r.outcome, 'USDT')).toMatch(/No answer from the exchange .* edgebot checks for eb-ExitsCard002-o at the next reconcile/);
    const t = rt.store.data.live.trades.find((x) => x.cardId === card.id)!;
    expect(t.protection?.order?.status).toBe('unknown');
    await new Promise((res) => setTimeout(res, 900));
    await live.reconcile();
    expect(t.protection?.order?.status).toBe('open');
    expect(fake.router.requests.get('POST /api/v3/orderList/oco')).toBe(2);
    expect(trading.lists.filter((l) => l.listClientOrderId === 'eb-ExitsCard002-o')).toHaveLength(1);
    // Open orders unreadable: the list is asked about directly, and stays as it is.
    trading.failNext('/api/v3/openOrders', -1001, 'Internal error; unable to process your request. Please try again.', 503);
    await live.reconcile();
    expect(t.protection?.order?.status).toBe('open');
    expect(fake.router.requests.get('POST /api/v3/orderList/oco')).toBe(2);

    fake.advance(3 * MINUTE);
    await live.reconcile();
    expect(t.phase).toBe('closed');
    expect(exits().at(-1)).toMatchObject({ symbol: 'ETHUSDT', reason: 'time' });
    expect(trading.lists.find((l) => l.listClientOrderId === 'eb-ExitsCard002-o')!.status).toBe('ALL_DONE');
    expect(trading.marketOrders('eb-ExitsCard002-x')).toHaveLength(1);
  });
});
