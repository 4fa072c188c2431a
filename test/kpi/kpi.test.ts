import { renderEvent } from '../../src/notifier/render.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChat } from '../../src/app/chat.js';
import { scheduleJobs, standardJobs } from '../../src/app/jobs.js';
import { prepareReplay, type ReplaySession } from '../../src/app/replay.js';
import { createRuntime } from '../../src/kernel/kernel.js';
import { loadConfig } from '../../src/config/load.js';
import { ReplayClock } from '../../src/core/clock.js';
import type { BotEvent } from '../../src/kernel/events.js';
import type { Card } from '../../src/kernel/card.js';
import { emptyKpiState, KpiService } from '../../src/kernel/kpi.js';
import { createLogger } from '../../src/core/log.js';
import { renderView } from '../../src/notifier/features/index.js';
import { htmlToText } from '../../src/notifier/format.js';
import { ChatRouter } from '../../src/notifier/router.js';
import { StateStore } from '../../src/store/state-store.js';

const MIN = 60_000;

// The demo replay (5.5 months, 14 coins, every tradable card paper-traded): execution rate and
// slippage from the real fills, checked against the broker's own trade list.
describe('KPIs from the demo replay', () => {
  let dir: string;
  let s: ReplaySession;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-kpi-'));
    s = await prepareReplay({ data: 'data/binance-2025-5m', statePath: join(dir, 'state.json'), input: null, output: new Writable({ write: (_c, _e, cb) => cb() }) });
    await s.run();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts tradable and acted cards, and measures each fill against its card\'s entry', () => {
    const { rt } = s;
    const k = rt.kpi.snapshot();
    const trades = rt.broker.account.trades;
    const positions = rt.broker.account.positions;
    // Every fill is a trade now or an open position; every acted card filled.
    expect(k.slippage.samples).toBe(trades.length + positions.length);
    expect(k.execution.acted).toBe(k.slippage.samples);
    // Cards refused at the tap by a risk limit stay tradable-but-not-acted.
    expect(k.execution.tradable).toBeGreaterThanOrEqual(k.execution.acted);
    expect(k.execution.tradable).toBeLessThanOrEqual(rt.engine.stats.cards);
    expect(k.execution.percent).toBeCloseTo((k.execution.acted / k.execution.tradable) * 100, 10);
    // The first fill: SOLUSDT card at 206.49, filled at the next open 206.49 + 5 bps = 206.5932.
    const first = rt.store.data.kpi!.fills[0];
    expect(first).toMatchObject({ symbol: 'SOLUSDT', quote: 206.49, mode: 'paper', fillMs: 0 });
    expect(first.price).toBeCloseTo(206.5932, 4);
    expect(first.slippagePercent).toBeCloseTo(0.05, 4);
    // The mean over every fill, recomputed from the trade list (entry price vs the card's entry).
    const fills = [...trades, ...positions].slice(-100);
    const want = fills.reduce((sum, t) => {
      const card = rt.engine.cards.get(t.cardId)!;
      return sum + ((t.entryPrice - card.entry) / card.entry) * 100;
    }, 0) / fills.length;
    expect(k.slippage.meanPercent).toBeCloseTo(want, 10);
    // Gaps between a close and the next open are small on these coins: 5 bps plus a little.
    expect(k.slippage.meanPercent!).toBeGreaterThan(0.03);
    expect(k.slippage.meanPercent!).toBeLessThan(0.08);
    // A replay has no feed and no wall-clock latency.
    expect(k.uptime.percent).toBeNull();
    expect(k.latency).toMatchObject({ measured: false, samples: 0 });
    expect(k.breaching).toEqual([]);
  });

  it('/kpi and the /status line show the numbers', () => {
    const kpi = htmlToText(renderView({ kind: 'kpi', ...s.rt.kpi.snapshot() }).html);
    const k = s.rt.kpi.snapshot();
    expect(kpi).toContain(`Execution rate: ${k.execution.percent!.toFixed(1)} % — ${k.execution.acted} of ${k.execution.tradable} tradable cards`);
    expect(kpi).toMatch(new RegExp(`Slippage: mean \\+${k.slippage.meanPercent!.toFixed(2)} %, worst \\+\\d\\.\\d\\d % over the last ${k.slippage.samples} fills`));
    expect(kpi).toContain('Signal latency: not measured in a replay');
  });
});

/** A real card of the demo: SOLUSDT 2025-01-02 08:15 UTC, entry 206.49. */
function solCard(over: Partial<Card> = {}): Card {
  const t = Date.UTC(2025, 0, 2, 8, 15);
  return {
    id: '5VSKY6ChtbOs', createdAt: t, expiresAt: t + 15 * MIN, signalId: 'glicko_zscore:SOLUSDT', rule: 'glicko_zscore', name: 'Glicko-2 z-score',
    symbol: 'SOLUSDT', timeframe: '5m', direction: 'long', entry: 206.49, stop: 202.3602, target: 214.7496, stopPercent: 2, targetPercent: 4,
    rr: 2, qty: 4.8428, notional: 1000, riskQuote: 20, riskPercent: 0.2, reason: 'MA-z', status: 'open', ...over,
  };
}

describe('KpiService thresholds and alerts', () => {
  const thresholds = { slippagePercent: 0.5, fillTimeSeconds: 30, uptimePercent: 95, latencySeconds: 5 };
  const make = (clock: ReplayClock, cards: Map<string, Card>, events: BotEvent[]) => new KpiService({
    state: emptyKpiState(), clock, cards, thresholds, measureLatency: true, startedAt: clock.now(), emit: (e) => events.push(e), persist: () => {},
  });

  it('fill time (tap → fill) and slippage alert once when their means cross, and re-arm after recovering', () => {
    const clock = new ReplayClock(Date.UTC(2025, 0, 2, 8, 15));
    const cards = new Map<string, Card>();
    const events: BotEvent[] = [];
    const k = make(clock, cards, events);
    const fill = (id: string, afterMs: number, price: number) => {
      const card = solCard({ id });
      cards.set(id, card);
      k.onEvent({ type: 'card', card });
      card.status = 'paper';
      k.onEvent({ type: 'card-update', card });
      const t = clock.now();
      clock.advance(t + afterMs);
      k.onEvent({ type: 'entry', position: { id: `P${id}`, cardId: id, signalId: card.signalId, rule: card.rule, symbol: 'SOLUSDT', timeframe: '5m', mode: 'paper', qty: 1, entryPrice: price, entryTime: t + afterMs, entryFee: 0, stop: card.stop, target: card.target } });
    };
    fill('a', 40_000, 207.8); // +0.634 %, 40 s
    fill('b', 35_000, 207.5); // +0.489 %, 35 s
    expect(events).toEqual([]); // fewer than 3 fills: no alert yet
    fill('c', 1_000, 206.49); // 0 %; means: +0.374 %, 25.3 s — both within
    expect(events).toEqual([]);
    fill('d', 120_000, 208.5); // +0.973 %, 120 s → means +0.524 %, 49 s
    const alerts = events.flatMap((e) => (e.type === 'kpi-alert' ? [e.alert] : []));
    expect(alerts.map((a) => a.kpi).sort()).toEqual(['fill-time', 'slippage']);
    const slip = alerts.find((a) => a.kpi === 'slippage')!;
    expect(slip.value).toBeCloseTo(((207.8 + 207.5 + 206.49 + 208.5) / 4 / 206.49 - 1) * 100, 10);
    expect(slip).toMatchObject({ threshold: 0.5, unit: '%', direction: 'above', samples: 4 });
    expect(alerts.find((a) => a.kpi === 'fill-time')!.value).toBeCloseTo((40 + 35 + 1 + 120) / 4, 10);
    fill('e', 2_000, 208); // still past both: no second alert
    expect(events.filter((e) => e.type === 'kpi-alert')).toHaveLength(2);
    // Two clean fills bring both means back within their thresholds; the next bad fill alerts again.
    fill('f', 1_000, 206.49);
    fill('g', 1_000, 206.49);
    expect(k.snapshot().breaching).toEqual([]);
    fill('h', 1_000, 206.49 * 1.03);
    expect(events.filter((e) => e.type === 'kpi-alert').map((e) => e.type === 'kpi-alert' && e.alert.kpi)).toEqual(
      [...alerts.map((a) => a.kpi), 'slippage'],
    );
    expect(k.snapshot().execution).toEqual({ tradable: 8, acted: 8, percent: 100 });
  });

  it('latency p99 over delivered cards, and uptime from per-minute feed samples', () => {
    const clock = new ReplayClock(Date.UTC(2025, 0, 2, 8, 15));
    const cards = new Map<string, Card>();
    const events: BotEvent[] = [];
    const k = make(clock, cards, events);
    const delays = [400, 600, 800, 1200, 900, 700, 9_000];
    delays.forEach((d, i) => {
      const card = solCard({ id: `c${i}`, createdAt: clock.now() });
      cards.set(card.id, card);
      clock.advance(clock.now() + d);
      k.onDelivered([{ id: i + 1, kind: 'card', cardId: card.id }, { id: 100 + i, kind: 'text', html: 'x', buttons: [] }]);
      clock.advance(clock.now() + 5 * MIN);
    });
    const snap = k.snapshot();
    expect(snap.latency).toMatchObject({ measured: true, samples: 7, p50Ms: 800, p99Ms: 9_000 });
    expect(events.map((e) => e.type === 'kpi-alert' && [e.alert.kpi, e.alert.value])).toEqual([['latency', 9]]);
    // Uptime: 19 of 20 minutes connected = 95 % (not below), then one more minute down.
    for (let i = 0; i < 20; i++) k.sampleFeed({ connected: i !== 19 });
    k.sampleFeed(null); // a replay: not a sample
    expect(k.snapshot().uptime).toEqual({ minutes: 20, percent: 95 });
    expect(events).toHaveLength(1);
    k.sampleFeed({ connected: false });
    expect(k.snapshot().uptime.percent).toBeCloseTo((19 / 21) * 100, 10);
    expect(events.at(-1)).toMatchObject({ type: 'kpi-alert', alert: { kpi: 'uptime', direction: 'below', threshold: 95, samples: 21 } });
  });
});

// End to end on the engine's clock: the per-minute feed sample job, the alert event, the console
// chat's words, and /status's KPI line — in paper mode with a feed that drops for 2 minutes.
describe('feed uptime alert through the jobs and the console chat', () => {
  it('alerts once when uptime over the sampled minutes falls below 95 %', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-kpi-up-'));
    try {
      const config = loadConfig({ overrides: { chat: 'console', paths: { state: join(dir, 'state.json'), logDir: join(dir, 'logs') } } });
      const store = await StateStore.open(join(dir, 'state.json'), config.broker.startingBalance, { durable: false });
      const T0 = Date.UTC(2025, 0, 6, 12, 0);
      const clock = new ReplayClock(T0);
      let connected = true;
      const rt = createRuntime({ notice: renderEvent,
        mode: 'paper', config, liveParams: {}, clock, store, log: createLogger(), baseTimeframe: '1m',
        feedStatus: () => ({ connected, details: [] }),
      });
      const out = new PassThrough();
      let text = '';
      out.on('data', (d: Buffer) => (text += d.toString()));
      const chat = await openChat(rt, { input: null, output: out, secrets: [] });
      const stop = scheduleJobs(rt, standardJobs(rt));
      // 30 minutes up, 2 down (12:31, 12:32 samples), then up again.
      for (let m = 1; m <= 40; m++) {
        connected = !(m === 31 || m === 32);
        clock.advance(T0 + m * MIN + 1);
      }
      await new Promise<void>((r) => queueMicrotask(r));
      await chat.flush();
      expect(text.match(/KPI alert/g)).toHaveLength(1);
      // 30 of 32 samples when the second miss came in: 93.75 %.
      expect(text).toContain('⚠️ KPI alert — Feed uptime: 93.8 % of the last 32 minutes, below the threshold of 95 %. /kpi shows the detail.');
      const status = htmlToText(renderView(await new ChatRouter(rt).command('status')).html);
      // 38 of 40 minutes: 95.0 %, back at the threshold (not below): no ⚠️ on the line.
      expect(status).toContain('KPI: exec — · slip — · fill — · uptime 95.0 % · latency — (/kpi)');
      stop();
      await chat.stop();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
