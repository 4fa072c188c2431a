import { Portfolio } from '../../src/kernel/portfolio.js';
import { PaperClient } from '../../src/kernel/paper-client.js';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Candle } from '../../src/core/candle.js';
import { ReplayClock } from '../../src/core/clock.js';
import type { BotEvent, RiskLimitHit } from '../../src/kernel/events.js';
import type { Timeframe } from '../../src/core/timeframe.js';
import { crossCoinSetup } from '../../src/kernel/cross-coin-setup.js';
import { Engine } from '../../src/kernel/engine.js';
import { SimulatedBroker } from '../../src/kernel/simulated-broker.js';
import { htmlToText } from '../../src/notifier/format.js';
import { renderCard, renderRiskLimit } from '../../src/notifier/render.js';
import { newRiskState, RiskManager } from '../../src/risk/risk.js';
import type { CandleRule } from '../../src/signal/rule.js';
import type { Setup } from '../../src/signal/types.js';
import { htmlProblem } from '../fakes/telegram-api.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 4, 5, 8, 0);
const TF = 300_000;

/** A rule that fires a BUY setup on SOLUSDT at the close times it is given. */
class FireAt implements CandleRule {
  constructor(readonly times: Set<number>) {}
  onCandle(symbol: string, timeframe: Timeframe, c: Candle, out: Setup[]): void {
    if (symbol !== 'SOLUSDT' || timeframe !== '5m' || !this.times.has(c.closeTime)) return;
    out.push({
      signalId: 'test:SOLUSDT', rule: 'test', name: 'Test', symbol, timeframe, direction: 'long', time: c.closeTime,
      entry: c.close, stop: c.close * 0.99, target: c.close * 1.015, reason: 'fires on schedule', tradable: true,
    });
  }
}

function rig(risk: Record<string, unknown>, fireAt: number[]) {
  const config = parseConfig({ risk: { maxDailyLossPercent: 5, maxDrawdownPercent: 25, maxOpenPositions: 5, cooldownMinutes: 0, ...risk } });
  const coins = ['BTCUSDT', 'ETHUSDT'];
  const { ratings, zRule } = crossCoinSetup(config, coins, {});
  const broker = new SimulatedBroker({ startingBalance: 10_000, feeBps: 0, slippageBps: 0 });
  const riskManager = new RiskManager(config.risk, newRiskState(10_000));
  const events: BotEvent[] = [];
  const engine = new Engine({
    clock: new ReplayClock(), baseTimeframe: '5m', ratingTimeframe: '5m', coinSymbols: coins, ratings, zRule,
    rules: [new FireAt(new Set(fireAt))], broker, portfolio: new Portfolio(broker, new PaperClient(broker, 'USDT', () => {})), risk: riskManager, emit: (e) => events.push(e), cardExpiryBars: 3,
  });
  /** 5m candles closing at `closeTime` (ms UTC): DOTUSDT (the held coin) at `price` (open = close), then SOLUSDT (where setups fire) at 20. */
  const candle = (closeTime: number, price: number) => {
    for (const [symbol, p] of [['DOTUSDT', price], ['SOLUSDT', 20]] as const) {
      engine.onCandle(symbol, '5m', { openTime: closeTime - TF, closeTime, open: p, high: p, low: p, close: p, volume: 1 });
    }
  };
  return { engine, broker, risk: riskManager, events, candle, config };
}

/** 50 DOT bought at 100 at T0's candle (5,000 USDT of 10,000; stop far away). */
function holdDot(r: ReturnType<typeof rig>) {
  r.broker.submitEntry({ cardId: 'c0', signalId: 'x', rule: 'x', symbol: 'DOTUSDT', timeframe: '5m', mode: 'paper', qty: 50, stop: 10, target: 1000, submittedAt: T0 - TF });
  r.candle(T0, 100);
  expect(r.broker.account.positions).toHaveLength(1);
}

const hits = (events: BotEvent[]): RiskLimitHit[] => events.flatMap((e) => (e.type === 'risk-limit' ? [e.hit] : []));
const cards = (events: BotEvent[]) => events.flatMap((e) => (e.type === 'card' ? [{ card: e.card, quiet: !!e.quiet }] : []));

describe('risk alerts: one typed alert per limit per UTC day, with the numbers', () => {
  it('daily loss: alerts once when first hit, again only on a later day it is hit again', () => {
    const r = rig({}, []);
    holdDot(r);
    r.candle(T0 + TF, 96); // −200 = −2 %: nothing
    expect(hits(r.events)).toEqual([]);
    r.candle(T0 + 2 * TF, 88); // −600 = −6 % ≥ 5 %
    r.candle(T0 + 3 * TF, 85); // still over: no second alert
    expect(hits(r.events)).toEqual([{ limit: 'daily-loss', value: 6, threshold: 5, equity: 9400, reference: 10_000, time: T0 + 2 * TF }]);
    // Next UTC day: the day starts at the new equity (9,250); a further −5 % alerts again.
    const next = Math.ceil((T0 + 3 * TF) / DAY) * DAY + TF;
    r.candle(next, 85);
    expect(hits(r.events)).toHaveLength(1);
    r.candle(next + TF, 75); // 9,250 → 8,750: −5.41 %
    expect(hits(r.events).at(-1)).toMatchObject({ limit: 'daily-loss', threshold: 5, equity: 8750, reference: 9250 });
    expect(hits(r.events).at(-1)!.value).toBeCloseTo(5.405, 2);
  });

  it('drawdown, daily trades and the circuit breaker alert once each; a reopened breaker alerts again', () => {
    const risk = new RiskManager(parseConfig({ risk: { maxDailyLossPercent: 50, maxDrawdownPercent: 10, maxDailyTrades: 2, circuitBreakerErrors: 2 } }).risk, newRiskState(10_000));
    const t = T0;
    expect(risk.watch({ equity: 10_000, equityPeak: 12_000 }, t).map((h) => [h.limit, h.value])).toEqual([['drawdown', (2000 / 12000) * 100]]);
    expect(risk.watch({ equity: 9_000, equityPeak: 12_000 }, t + 1)).toEqual([]);
    risk.onEntry(t, 10_000);
    expect(risk.watch({ equity: 10_000, equityPeak: 10_000 }, t + 2)).toEqual([]);
    risk.onEntry(t, 10_000);
    expect(risk.watch({ equity: 10_000, equityPeak: 10_000 }, t + 3)).toEqual([{ limit: 'daily-trades', value: 2, threshold: 2, time: t + 3 }]);
    expect(risk.onExchangeError('BTCUSDT', t)).toBe(false);
    expect(risk.onExchangeError('BTCUSDT', t)).toBe(true);
    expect(risk.circuitHit(t, { kind: 'network', detail: 'no answer' })).toEqual({ limit: 'circuit-breaker', value: 2, threshold: 2, time: t, lastError: { kind: 'network', detail: 'no answer' } });
    expect(risk.watch({ equity: 10_000, equityPeak: 10_000 }, t + 4)).toEqual([]);
    // /resume closes it; the next opening is a new hit.
    Object.assign(risk.state, { circuitOpen: false, exchangeErrors: 0 });
    risk.onExchangeError('BTCUSDT', t + 5);
    risk.onExchangeError('BTCUSDT', t + 6);
    expect(risk.watch({ equity: 10_000, equityPeak: 10_000 }, t + 7).map((h) => h.limit)).toEqual(['circuit-breaker']);
  });

  it('renders each limit with its numbers, as valid Telegram HTML', () => {
    const texts = ([
      { limit: 'daily-loss', value: 6, threshold: 5, equity: 9400, reference: 10_000, time: T0 },
      { limit: 'daily-loss', value: 6, threshold: 5, equity: 9400, reference: 10_000, time: T0, flatten: { positions: 2, cancelledEntries: 1 } },
      { limit: 'drawdown', value: 25.5, threshold: 25, equity: 8940, reference: 12_000, time: T0 },
      { limit: 'daily-trades', value: 20, threshold: 20, time: T0 },
      { limit: 'circuit-breaker', value: 3, threshold: 3, time: T0, lastError: { kind: 'exchange', detail: 'no answer <in time>' } },
    ] as RiskLimitHit[]).map((h) => {
      const r = renderRiskLimit(h);
      expect(htmlProblem(r.html)).toBeUndefined();
      return htmlToText(r.html);
    });
    expect(texts[0]).toBe('🚨 Daily loss limit hit: −6.00% today (limit −5.00%): equity 9,400.00 USDT vs 10,000.00 USDT at 00:00 UTC.\n' +
      'New entries are blocked until 00:00 UTC; open positions keep their stops and targets.');
    expect(texts[1]).toContain('Closing all 2 open positions at market now and cancelling 1 queued entry (risk.onDailyLossLimit: flatten). Trading is stopped until you /resume.');
    expect(texts[2]).toBe('🚨 Drawdown limit hit: 25.50% below the equity peak (limit 25.00%): equity 8,940.00 USDT vs peak 12,000.00 USDT.\n' +
      'New entries are blocked while the drawdown is over the limit; open positions keep their stops and targets.');
    expect(texts[3]).toBe('⚠️ Daily trade limit reached: 20 of 20 entries today.\nNew entries are blocked until 00:00 UTC.');
    expect(texts[4]).toBe('🚨 Circuit breaker open: 3 exchange errors in a row (limit 3; last: The exchange reported an error: no answer <in time>.).\n' +
      'Live trading is paused; check the exchange and the keys, then /resume.');
  });
});

describe('blocked cards collapse into one notice per limit per UTC day', () => {
  it('the first card the daily loss limit blocks is posted as its notice; later ones are recorded, not posted', () => {
    const fire = [T0 + 3 * TF, T0 + 4 * TF, T0 + 5 * TF];
    const r = rig({}, fire);
    holdDot(r);
    r.candle(T0 + TF, 100);
    r.candle(T0 + 2 * TF, 88); // −6 %: alert
    for (const t of fire) r.candle(t, 88);
    const cs = cards(r.events);
    expect(cs.map((c) => [c.card.status, c.card.blockedLimit, c.card.limitNotice ?? false, c.quiet])).toEqual([
      ['blocked', 'daily-loss', true, false],
      ['blocked', 'daily-loss', false, true],
      ['blocked', 'daily-loss', false, true],
    ]);
    // The alert came first, then the notice card.
    expect(r.events.findIndex((e) => e.type === 'risk-limit')).toBeLessThan(r.events.findIndex((e) => e.type === 'card'));
    expect(hits(r.events)).toHaveLength(1);
    const notice = htmlToText(renderCard(cs[0].card).html);
    expect(notice).toContain('⛔ Not tradable: daily loss 6.0% ≥ 5%');
    expect(notice).toContain('Later signals blocked by the daily loss limit are not posted until 00:00 UTC.');
    expect(renderCard(cs[0].card).buttons).toEqual([]);
  });

  it('a limit first met when a card is made alerts before that card; other refusals still post every card', () => {
    const fire = [T0 + 2 * TF, T0 + 3 * TF];
    const r = rig({ maxDailyTrades: 1 }, fire);
    r.risk.onEntry(T0, 10_000); // the day's one trade, tapped between closes
    r.candle(T0 + 2 * TF, 100);
    r.candle(T0 + 3 * TF, 100);
    expect(r.events.map((e) => e.type)).toEqual(['risk-limit', 'card', 'card']);
    expect(cards(r.events).map((c) => c.quiet)).toEqual([false, true]);
    // The kill switch is not an alerting limit: each blocked card is posted.
    const s = rig({}, fire);
    s.risk.state.killSwitch = true;
    s.candle(T0 + 2 * TF, 100);
    s.candle(T0 + 3 * TF, 100);
    expect(cards(s.events).map((c) => [c.card.blockedReason, c.quiet])).toEqual([
      ['trading is stopped (/resume to allow entries)', false],
      ['trading is stopped (/resume to allow entries)', false],
    ]);
  });
});

describe('risk.onDailyLossLimit: "flatten"', () => {
  it('closes every position at market without a tap, cancels queued entries and stays stopped until /resume', () => {
    const r = rig({ onDailyLossLimit: 'flatten' }, [T0 + 4 * TF]);
    holdDot(r);
    r.broker.submitEntry({ cardId: 'c1', signalId: 'y', rule: 'y', symbol: 'BTCUSDT', timeframe: '5m', mode: 'paper', qty: 0.01, stop: 1, target: 1e6, submittedAt: T0 });
    r.candle(T0 + TF, 88);
    const [hit] = hits(r.events);
    expect(hit).toMatchObject({ limit: 'daily-loss', value: 6, flatten: { positions: 1, cancelledEntries: 1 } });
    expect(r.risk.state.killSwitch).toBe(true);
    expect(r.broker.account.pending).toEqual([]);
    expect(htmlToText(renderRiskLimit(hit).html)).toContain('Trading is stopped until you /resume.');
    // The next candle's open closes it.
    r.candle(T0 + 2 * TF, 87);
    const exit = r.events.find((e) => e.type === 'exit');
    expect(exit?.type === 'exit' && [exit.trade.reason, exit.trade.exitPrice, exit.trade.qty]).toEqual(['risk', 87, 50]);
    expect(r.broker.account.positions).toEqual([]);
    // Still stopped the next day (no new entry) until /resume.
    r.candle(T0 + DAY, 90);
    expect(r.risk.state.killSwitch).toBe(true);
  });

  it('"block" (the default) closes nothing', () => {
    const r = rig({}, []);
    expect(r.config.risk.onDailyLossLimit).toBe('block');
    holdDot(r);
    r.candle(T0 + TF, 88);
    r.candle(T0 + 2 * TF, 87);
    expect(hits(r.events)[0].flatten).toBeUndefined();
    expect(r.risk.state.killSwitch).toBe(false);
    expect(r.broker.account.positions).toHaveLength(1);
  });
});


