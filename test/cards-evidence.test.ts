import { Portfolio } from '../src/kernel/portfolio.js';
import { PaperClient } from '../src/kernel/paper-client.js';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadLiveParams } from '../src/config/load.js';
import { ReplayClock } from '../src/core/clock.js';
import type { Card } from '../src/kernel/card.js';
import { SimulatedBroker } from '../src/kernel/simulated-broker.js';
import { TradeService, type LiveExecution } from '../src/kernel/trade-service.js';
import { htmlToText } from '../src/notifier/format.js';
import { renderCard, renderEvidence } from '../src/notifier/render.js';
import { renderView } from '../src/notifier/features/index.js';
import { renderDigest } from '../src/notifier/telegram/telegram-chat.js';
import { RiskManager, newRiskState } from '../src/risk/risk.js';
import { outcomeText } from '../src/notifier/render-outcome.js';
import { EvidenceBook, paperOnlyReason, type SignalEvidence } from '../src/signal/evidence.js';
import { loadValidatedSignals } from '../src/signal/validated.js';
import { htmlProblem } from './fakes/telegram-api.js';

const T = Date.UTC(2025, 4, 5, 3, 5);

const VALIDATED: SignalEvidence = {
  validated: true, source: 'family', familyId: 'seller_exhaustion:15m:0a1b2c3d', trades: 52, meanR: 0.31, meanRLower: 0.05,
  meanRUpper: 0.58, sharpe: 0.3, dsr: 0.971, dataFrom: Date.UTC(2021, 3, 2), dataTo: Date.UTC(2025, 5, 17),
};

const card = (id: string, symbol: string, over: Partial<Card> = {}): Card => ({
  id, createdAt: T, expiresAt: T + 15 * 60_000, signalId: `glicko_zscore:${symbol}`,
  rule: 'glicko_zscore', name: 'Glicko-2 z-score', symbol, timeframe: '5m', direction: 'long', entry: 20.5, stop: 20.295,
  target: 20.8075, stopPercent: 1, targetPercent: 1.5, rr: 1.5, qty: 48.78, notional: 1000, riskQuote: 10, riskPercent: 0.1,
  reason: 'MA-z(12 × 5m) 1.52 ≥ 1.5', status: 'open', ...over,
});

describe('evidence from the bundled validated.json v2', () => {
  const file = loadValidatedSignals('signals/validated.json').file!;
  const params = loadLiveParams('config/live-params.json');

  it('z-score signals get their parameter set\'s verdict on the rating timeframe; none is validated', () => {
    const book = new EvidenceBook(file, params, '5m');
    const eth = book.get('glicko_zscore:ETHUSDT')!;
    expect(eth).toMatchObject({ validated: false, source: 'zscore', familyId: 'glicko_zscore:5m:206d1c62', trades: 9, meanR: -0.1826, dsr: 0.0679 });
    expect(eth.meanRLower).toBeUndefined();
    // It ran on the 5m and 1m folders (a 1h folder cannot build 5m candles).
    expect([new Date(eth.dataFrom).toISOString(), new Date(eth.dataTo).toISOString()]).toEqual(['2021-04-02T00:00:00.000Z', '2025-06-17T00:00:00.000Z']);
    expect(renderEvidence(eth)).toBe('Evidence: ⚠️ not validated · OOS 9 trades · mean −0.18R (no interval) · DSR 0.07 · data 2021-04-02→2025-06-16');
    expect(book.rows().every((r) => !r.evidence.validated)).toBe(true);
    expect(book.rows().map((r) => r.signalId).sort()).toEqual(Object.keys(params).map((s) => `glicko_zscore:${s}`).sort());
    // A changed parameter set has no evidence until the next backtest.
    const changed = new EvidenceBook(file, { ...params, ETHUSDT: { ...params.ETHUSDT, zScoreThreshold: 2.2 } }, '5m');
    expect(changed.get('glicko_zscore:ETHUSDT')).toBeUndefined();
    expect(new EvidenceBook(null, params, '5m').rows()).toEqual([]);
  });

  it('the live gate: validated or liveUnvalidated, never paused', () => {
    expect(paperOnlyReason(VALIDATED, false, false)).toBeNull();
    expect(paperOnlyReason({ ...VALIDATED, validated: false }, false, false)).toBe('unvalidated');
    expect(paperOnlyReason(undefined, false, false)).toBe('unvalidated');
    expect(paperOnlyReason(undefined, false, true)).toBeNull();
    expect(paperOnlyReason(VALIDATED, true, true)).toBe('paused');
  });
});

describe('honest cards: the evidence line and the buttons', () => {
  it('a validated card: one evidence line with the interval, DSR and data range; Paper, Live…, Skip', () => {
    const r = renderCard(card('v1', 'BTCUSDT', { evidence: VALIDATED }));
    expect(htmlProblem(r.html)).toBeUndefined();
    const text = htmlToText(r.html);
    expect(text.split('\n')[0]).toBe('🟢 BUY BTCUSDT · 5m · Glicko-2 z-score');
    expect(text).toContain('\nEvidence: ✅ validated · OOS 52 trades · mean +0.31R (95 % +0.05R…+0.58R) · DSR 0.97 · data 2021-04-02→2025-06-16\n');
    expect(r.buttons[0].map((b) => [b.text, b.data])).toEqual([['📝 Paper', 'v1:paper:v1'], ['💰 Live…', 'v1:live:v1'], ['✖ Skip', 'v1:skip:v1']]);
  });

  it('an unvalidated card: badge, evidence, paper-only note; no Live button', () => {
    const r = renderCard(card('u1', 'ETHUSDT', { evidence: { ...VALIDATED, validated: false, source: 'zscore', meanRLower: undefined, meanRUpper: undefined, meanR: -0.1826, trades: 9, dsr: 0.0679 }, paperOnly: 'unvalidated' }));
    const text = htmlToText(r.html);
    expect(text.split('\n')[0]).toBe('🟢 BUY ETHUSDT · 5m · Glicko-2 z-score · ⚠️ unvalidated');
    expect(text).toContain('Evidence: ⚠️ not validated · OOS 9 trades · mean −0.18R (no interval) · DSR 0.07 · data 2021-04-02→2025-06-16');
    expect(text).toContain('📝 Paper only: this signal is not validated by the backtest gate.');
    expect(r.buttons[0].map((b) => b.text)).toEqual(['📝 Paper', '✖ Skip']);
  });

  it('a card without evidence says so; a paused card is paper-only even when validated', () => {
    const none = htmlToText(renderCard(card('n1', 'SOLUSDT', { paperOnly: 'unvalidated' })).html);
    expect(none).toContain('Evidence: ⚠️ no backtest evidence');
    const paused = renderCard(card('p1', 'BTCUSDT', { evidence: VALIDATED, paperOnly: 'paused' }));
    const text = htmlToText(paused.html);
    expect(text.split('\n')[0]).toBe('🟢 BUY BTCUSDT · 5m · Glicko-2 z-score · ⏸ paused');
    expect(text).toContain('Evidence: ✅ validated');
    expect(text).toContain('⏸ Paper only: this signal is paused by the drift monitor');
    expect(paused.buttons[0].map((b) => b.text)).toEqual(['📝 Paper', '✖ Skip']);
    // Informational cards carry no badge and no buttons.
    expect(htmlToText(renderCard(card('i1', 'BTCUSDT', { status: 'info', direction: 'short' })).html).split('\n')[0]).toBe('🔴 BEARISH BTCUSDT · 5m · Glicko-2 z-score');
  });

  it('a digest keeps each card\'s badge and evidence line, and offers Live only on the validated one', () => {
    const d = renderDigest([card('a1', 'AVAXUSDT', { evidence: VALIDATED }), card('b2', 'SOLUSDT', { paperOnly: 'unvalidated' })]);
    expect(htmlProblem(d.html)).toBeUndefined();
    const text = htmlToText(d.html);
    expect(text).toContain('2. 🟢 BUY SOLUSDT · 5m · Glicko-2 z-score · ⚠️ unvalidated');
    expect(text).toContain('Evidence: ✅ validated · OOS 52 trades');
    expect(text).toContain('Evidence: ⚠️ no backtest evidence');
    expect(d.buttons.map((row) => row.map((b) => b.text))).toEqual([
      ['📝 Paper AVAX', '💰 Live… AVAX', '✖ Skip AVAX'],
      ['📝 Paper SOL', '✖ Skip SOL'],
    ]);
  });
});

describe('the trade service refuses Live for paper-only signals', () => {
  const config = loadConfig({});
  const make = (paperOnly: (id: string) => ReturnType<typeof paperOnlyReason>, live?: LiveExecution) => {
    const cards = new Map<string, Card>();
    const broker = new SimulatedBroker(config.broker);
    const svc = new TradeService({
      clock: new ReplayClock(T), cards, broker, portfolio: new Portfolio(broker, new PaperClient(broker, 'USDT', () => {})), risk: new RiskManager(config.risk, newRiskState(10_000)),
      emit: () => {}, persist: () => {}, paperOnly, ...(live ? { live } : {}),
    });
    return { svc, cards };
  };
  /** A live execution that records what reached it (the exchange side is tested in test/live). */
  const recorder = () => {
    const calls: string[] = [];
    const live: LiveExecution = {
      request: async (c) => (calls.push(`request ${c.id}`), { ok: true, outcome: { code: 'cancelled' }, card: c }),
      confirm: async (id) => (calls.push(`confirm ${id}`), { ok: true, outcome: { code: 'entry-accepted', timeoutSeconds: 30 } }),
      cancel: async (id) => (calls.push(`cancel ${id}`), { ok: true, outcome: { code: 'cancelled' } }),
    };
    return { calls, live };
  };
  const books = {
    validated: new Map([['glicko_zscore:BTCUSDT', VALIDATED]]),
  };

  it('unvalidated: a forged live callback is refused with a reason, unless execution.liveUnvalidated', async () => {
    for (const liveUnvalidated of [false, true]) {
      const { calls, live } = recorder();
      const { svc, cards } = make((id) => paperOnlyReason(books.validated.get(id), false, liveUnvalidated), live);
      cards.set('e1', card('e1', 'ETHUSDT'));
      const r = await svc.live('e1');
      if (liveUnvalidated) {
        expect(r.ok).toBe(true);
        expect(calls).toEqual(['request e1']);
      } else {
        expect(r).toMatchObject({ ok: false, outcome: { code: 'paper-only', why: 'unvalidated' } });
        expect(outcomeText(r.outcome, 'USDT')).toBe('Refused: this signal is not validated by the backtest gate; it is paper-only.');
        expect(calls).toEqual([]);
        // Paper stays possible.
        expect(svc.paper('e1').ok).toBe(true);
      }
    }
  });

  it('validated: Live reaches live execution; a pause between Live… and Confirm refuses the confirm', async () => {
    let paused = false;
    const { calls, live } = recorder();
    const { svc, cards } = make((id) => paperOnlyReason(books.validated.get(id), paused, false), live);
    cards.set('b1', card('b1', 'BTCUSDT', { evidence: VALIDATED }));
    expect((await svc.live('b1')).ok).toBe(true);
    paused = true;
    expect(await svc.confirm('b1')).toMatchObject({ ok: false, outcome: { code: 'paper-only', why: 'paused' } });
    expect(calls).toEqual(['request b1']);
    paused = false;
    expect((await svc.confirm('b1')).ok).toBe(true);
    expect(calls).toEqual(['request b1', 'confirm b1']);
  });

  it('without a gate every signal is unvalidated (no live order without evidence)', async () => {
    const { calls, live } = recorder();
    const cards = new Map<string, Card>([['x1', card('x1', 'BTCUSDT', { evidence: VALIDATED })]]);
    const broker = new SimulatedBroker(config.broker);
    const svc = new TradeService({
      clock: new ReplayClock(T), cards, broker, portfolio: new Portfolio(broker, new PaperClient(broker, 'USDT', () => {})), risk: new RiskManager(config.risk, newRiskState(10_000)),
      emit: () => {}, persist: () => {}, live,
    });
    expect(await svc.live('x1')).toMatchObject({ ok: false, outcome: { code: 'paper-only', why: 'unvalidated' } });
    expect(calls).toEqual([]);
  });
});

describe('/status says when liveUnvalidated is on', () => {
  it('renders the override line', () => {
    const base = {
      kind: 'status' as const, mode: 'paper' as const, stopped: false, circuitOpen: false, uptimeMs: 60_000, feed: null, candles: 0, lastCloseTime: 0,
      cards: 0, equity: 10_000, dayPnl: 0, openPositions: 0, maxOpenPositions: 5, dayTrades: 0, maxDailyTrades: 20, dayLossHeadroomPercent: 5, quote: 'USDT',
    };
    expect(htmlToText(renderView({ ...base, liveUnvalidated: true }).html)).toContain('⚠️ Live allowed on unvalidated signals (execution.liveUnvalidated is on)');
    expect(htmlToText(renderView({ ...base, liveUnvalidated: false }).html)).not.toContain('unvalidated');
    expect(htmlToText(renderView({ ...base, pausedSignals: 2 }).html)).toContain('⏸ 2 signals paused by the drift monitor (/signals)');
  });
});
