import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../src/kernel/kernel.js';
import * as cmd from '../src/commands/index.js';
import { loadConfig } from '../src/config/load.js';
import type { Candle } from '../src/core/candle.js';
import { ReplayClock } from '../src/core/clock.js';
import type { BotEvent } from '../src/kernel/events.js';
import type { Timeframe } from '../src/core/timeframe.js';
import { createLogger } from '../src/core/log.js';
import { htmlToText } from '../src/notifier/format.js';
import { renderCard, renderEvent } from '../src/notifier/render.js';
import { renderView } from '../src/notifier/features/index.js';
import { ChatRouter } from '../src/notifier/router.js';
import { cusumLower } from '../src/signal/drift.js';
import { driftKey } from '../src/signal/drift-service.js';
import type { CandleRule } from '../src/signal/rule.js';
import type { Setup } from '../src/signal/types.js';
import { loadValidatedSignals, signalIdOf, type ValidatedFile } from '../src/signal/validated.js';
import { loadLiveParams } from '../src/config/load.js';
import { StateStore } from '../src/store/state-store.js';
import { htmlProblem } from './fakes/telegram-api.js';
import { asSignal, candidate, validatedFile } from './helpers/signals.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 6, 0, 0);

// A validated family on BTCUSDT 1m whose out-of-sample record promised +0.30R a trade
// (95 % interval +0.10…+0.50R, per-trade Sharpe 0.25 → σ 1.2R): the drift monitor holds the
// forward record to ≥ +0.10R a trade.
const fam = {
  ...asSignal(candidate('rsi_mean_reversion', 0, 'BTCUSDT', '1m')),
  outOfSample: {
    trades: 120, winRate: 0.45, profitFactor: 1.5, avgR: 0.3, medianR: -0.9, sqn: 2.7, sharpe: 0.25, maxDrawdownR: 6,
    exits: { target: 0.45, stop: 0.55, time: 0, reversal: 0 }, avgHoldHours: 1,
  },
  meanR: { mean: 0.3, lower: 0.1, upper: 0.5, block: 3, resamples: 2000 },
  dsr: 0.97,
  data: [{ dir: 'test', from: '2021-04-02T00:00:00.000Z', outOfSampleFrom: '2023-01-01T00:00:00.000Z', to: '2025-06-17T00:00:00.000Z', hash: 'a'.repeat(64) }],
};
const FILE: ValidatedFile = validatedFile([fam]);
const SIGNAL = signalIdOf(fam, 'BTCUSDT');

/** Fires a long setup of the family's signal on every 1m BTCUSDT close while on: stop −1 %, target +2 %. */
class EveryClose implements CandleRule {
  on = true;
  onCandle(symbol: string, tf: Timeframe, c: Candle, out: Setup[]): void {
    if (!this.on || symbol !== 'BTCUSDT' || tf !== '1m') return;
    out.push({
      signalId: SIGNAL, rule: 'rsi_mean_reversion', name: 'RSI mean reversion', symbol, timeframe: '1m', direction: 'long',
      time: c.closeTime, entry: c.close, stop: c.close * 0.99, target: c.close * 1.02, reason: 'test', tradable: true,
    });
  }
}

/** A 1m candle that opens at 100 and dips to 98: a fresh entry fills at the open and is stopped out in it. */
function losing(i: number): Candle {
  return { openTime: T0 + i * MINUTE, closeTime: T0 + (i + 1) * MINUTE, open: 100, high: 100.5, low: 98, close: 100, volume: 10 };
}

describe('drift monitor end to end: closes → pause → paper-only cards → restart → resume', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgebot-drift-'));
  const path = join(dir, 'state.json');
  const config = loadConfig({
    overrides: {
      baseCoins: ['BTC', 'ETH'], timeframes: ['5m'],
      execution: { autoTrade: 'paper', cardExpiryBars: 5 },
      risk: { cooldownMinutes: 0, maxDailyTrades: 10_000, maxDailyLossPercent: 100, maxDrawdownPercent: 100 },
      paths: { liveParams: join(dir, 'none-params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs'), state: path },
    },
  });
  const rule = new EveryClose();
  const open = async (): Promise<{ rt: Runtime; events: BotEvent[] }> => {
    const store = await StateStore.open(path, config.broker.startingBalance, { durable: false });
    const rt = createRuntime({ notice: renderEvent,
      mode: 'paper', config, liveParams: {}, clock: new ReplayClock(T0), store, log: createLogger(), baseTimeframe: '1m',
      coinSymbols: ['BTCUSDT', 'ETHUSDT'], rules: [rule], validatedFile: FILE,
    });
    const events: BotEvent[] = [];
    rt.bus.subscribe((e) => events.push(e));
    return { rt, events };
  };

  it('pauses the signal after the CUSUM crosses h, alerts once with the numbers, and later cards are paper-only', async () => {
    const { rt, events } = await open();
    let i = 0;
    // Each close: the previous card's paper entry fills at the open and stops out (≈ −1.1R).
    while (!rt.drift.isPaused(SIGNAL) && i < 40) rt.engine.onCandle('BTCUSDT', '1m', losing(i++));
    const rs = rt.broker.account.trades.map((t) => t.r);
    expect(rs.every((r) => r < -1 && r > -1.3)).toBe(true);
    // The alert follows the exit that caused it (queued as a microtask behind the exit's listeners).
    const exits = events.filter((e) => e.type === 'exit').length;
    expect(events.filter((e) => e.type === 'signal-paused')).toHaveLength(0);
    await Promise.resolve();
    expect(events.findIndex((e) => e.type === 'signal-paused')).toBe(events.length - 1);
    expect(events.filter((e) => e.type === 'exit')).toHaveLength(exits);
    // The pause came exactly at the trade where the CUSUM reached h = 6, not before.
    const want = cusumLower(rs, { mean: 0.1, sigma: 1.2 });
    expect(want.alarmAt).toBe(rs.length);
    expect(cusumLower(rs.slice(0, -1), { mean: 0.1, sigma: 1.2 }).alarm).toBe(false);
    expect(rs.length).toBeGreaterThanOrEqual(8); // ≈ −1.25R a trade: (0.1 + 1.25)/1.2 − 0.5 ≈ 0.63 per loss
    expect(rs.length).toBeLessThanOrEqual(16);

    const alerts = events.filter((e) => e.type === 'signal-paused');
    expect(alerts).toHaveLength(1);
    const a = alerts[0] as Extract<BotEvent, { type: 'signal-paused' }>;
    expect(a.pause.signalId).toBe(SIGNAL);
    expect(a.pause.forward.trades).toBe(rs.length);
    expect(a.pause.expectation).toEqual({ mean: 0.1, sigma: 1.2 });
    const alert = renderEvent(a, 'USDT')!;
    expect(htmlProblem(alert.html)).toBeUndefined();
    expect(htmlToText(alert.html)).toMatch(new RegExp(`^⏸ Signal paused: ${SIGNAL}\\nForward: ${rs.length} trades, mean −1\\.\\d\\dR · backtest OOS: 120 trades, mean \\+0\\.30R\\n` +
      'Held to ≥ \\+0\\.10R per trade \\(σ 1\\.20R\\); CUSUM 6\\.\\d\\d ≥ 6'));
    expect(alert.buttons).toEqual([[{ text: '▶️ Resume signal', data: `v1:resume:${driftKey(SIGNAL)}` }]]);
    expect(Buffer.byteLength(alert.buttons[0][0].data)).toBeLessThanOrEqual(64);

    // The next card of the paused signal: paper-only, no Live button, and a forged Live tap is refused.
    const before = new Set(rt.engine.cards.keys());
    rule.on = true;
    rt.engine.onCandle('BTCUSDT', '1m', losing(i++));
    const card = [...rt.engine.cards.values()].find((c) => !before.has(c.id))!;
    expect(card.paperOnly).toBe('paused');
    expect(card.evidence?.validated).toBe(true);
    const r = renderCard({ ...card, status: 'open' });
    expect(r.buttons[0].map((b) => b.text)).toEqual(['📝 Paper', '✖ Skip']);
    expect(htmlToText(r.html).split('\n')[0]).toContain('⏸ paused');
    // Paused means paper-only, not silenced: auto-trade still paper-trades it.
    expect(card.status).toBe('paper');
    // A forged Live tap on an open card of the paused signal is refused by the trade service.
    card.status = 'open';
    expect(await new ChatRouter(rt).tap(`v1:live:${card.id}`)).toMatchObject({ ok: false, text: 'Refused: this signal is paused by the drift monitor; it is paper-only until you resume it.' });
    card.status = 'paper';

    // /status and /signals say so.
    expect(cmd.status(rt).pausedSignals).toBe(1);
    const sv = cmd.signals(rt);
    expect(sv.signals[0]).toMatchObject({ signalId: SIGNAL, state: 'paused', live: false, resumeKey: driftKey(SIGNAL) });
    expect(sv.signals[0].forward.trades).toBeGreaterThanOrEqual(rs.length);
    const text = htmlToText(renderView(sv).html);
    expect(text).toContain('Signals: 0 validated · 0 paper-only · 1 paused');
    expect(text).toContain('Evidence: ✅ validated · OOS 120 trades · mean +0.30R (95 % +0.10R…+0.50R) · DSR 0.97 · data 2021-04-02→2025-06-16');
    expect(text).toMatch(/Forward: \d+ trades, mean −1\.\d\dR vs backtest \+0\.30R · held to ≥ \+0\.10R, drift CUSUM \d+\.\d\d\/6/);
    expect(renderView(sv).buttons.flat().map((b) => b.data)).toEqual([`v1:resume:${driftKey(SIGNAL)}`]);
    await rt.store.close();
  });

  it('the pause persists across a store reopen; Resume asks, the second tap resumes, and that persists too', async () => {
    rule.on = false;
    const { rt } = await open();
    expect(rt.drift.isPaused(SIGNAL)).toBe(true);
    expect(rt.store.data.drift?.signals[SIGNAL].paused?.threshold).toBe(6);
    // A restart does not alert again (nothing new was paused).
    expect(rt.drift.sweep()).toEqual([]);
    const router = new ChatRouter(rt);
    const key = driftKey(SIGNAL);
    const first = await router.tap(`v1:resume:${key}`);
    expect(first.ok).toBe(true);
    expect(rt.drift.isPaused(SIGNAL)).toBe(true); // one tap is not enough
    expect(first.reply!.buttons).toEqual([[{ text: '✅ Yes, resume', data: `v1:resumeyes:${key}` }]]);
    expect(htmlToText(first.reply!.html)).toContain(`Resume ${SIGNAL}?`);
    const second = await router.tap(`v1:resumeyes:${key}`);
    expect(second).toMatchObject({ ok: true, text: `▶️ ${SIGNAL} resumed: the drift monitor watches it again from now.` });
    expect(rt.drift.isPaused(SIGNAL)).toBe(false);
    // A stale second tap is refused without effect; an unknown key too.
    expect(await router.tap(`v1:resumeyes:${key}`)).toMatchObject({ ok: false, text: 'This signal is not paused (already resumed?).' });
    expect(await router.tap('v1:resume:AAAAAAAAAAAA')).toMatchObject({ ok: false });
    // The forward record restarts: old losses no longer count.
    expect(rt.drift.row(SIGNAL).trades).toBe(0);
    await rt.store.close();

    const again = await open();
    expect(again.rt.drift.isPaused(SIGNAL)).toBe(false);
    expect(cmd.signals(again.rt).signals[0]).toMatchObject({ state: 'validated', live: true });
    await again.rt.store.close();
  });

  it('/signals on the bundled validated.json: every z-score parameter set is paper-only, with its evidence', async () => {
    const store = await StateStore.open(join(dir, 'bundled.json'), config.broker.startingBalance, { durable: false });
    const liveParams = loadLiveParams('config/live-params.json');
    const rt = createRuntime({ notice: renderEvent,
      mode: 'paper', config, liveParams, clock: new ReplayClock(T0), store, log: createLogger(), baseTimeframe: '1m',
      validatedFile: loadValidatedSignals('signals/validated.json').file,
    });
    const v = cmd.signals(rt);
    expect(v.signals.map((s) => [s.signalId, s.state, s.live])).toEqual(
      Object.keys(liveParams).sort().map((s) => [`glicko_zscore:${s}`, 'paper-only', false]),
    );
    const r = renderView(v);
    expect(htmlProblem(r.html)).toBeUndefined();
    const text = htmlToText(r.html);
    expect(text).toContain('Signals: 0 validated · 6 paper-only · 0 paused');
    expect(text).toContain('📝 paper-only ETHUSDT 5m glicko_zscore — glicko_zscore:ETHUSDT\n   Evidence: ⚠️ not validated · OOS 9 trades · mean −0.18R (no interval) · DSR 0.07 · data 2021-04-02→2025-06-16\n' +
      '   Forward: 0 trades vs backtest −0.18R · held to ≥ −1.14R, drift CUSUM 0.00/6');
    expect(r.buttons).toEqual([]);
    await store.close();
  });

  it('a pause lost in a crash (trades on disk, no pause) is made at start and its alert queued in the outbox', async () => {
    const crashPath = join(dir, 'crash.json');
    const store = await StateStore.open(crashPath, config.broker.startingBalance, { durable: false });
    const mk = (st: StateStore) => createRuntime({ notice: renderEvent,
      mode: 'paper', config, liveParams: {}, clock: new ReplayClock(T0), store: st, log: createLogger(), baseTimeframe: '1m',
      coinSymbols: ['BTCUSDT', 'ETHUSDT'], rules: [rule], validatedFile: FILE,
    });
    const rt = mk(store);
    rule.on = true;
    for (let i = 0; !rt.drift.isPaused(SIGNAL); i++) rt.engine.onCandle('BTCUSDT', '1m', losing(i));
    rule.on = false;
    // What a crash between the last close and the pause would have left on disk.
    rt.store.data.drift = { signals: {} };
    rt.store.data.outbox.items = [];
    await store.close();

    const again = await StateStore.open(crashPath, config.broker.startingBalance, { durable: false });
    const rt2 = mk(again);
    expect(rt2.drift.isPaused(SIGNAL)).toBe(true);
    const queued = rt2.store.data.outbox.items.filter((x) => x.kind === 'text');
    expect(queued).toHaveLength(1);
    expect(queued[0].kind === 'text' && queued[0].buttons).toEqual([[{ text: '▶️ Resume signal', data: `v1:resume:${driftKey(SIGNAL)}` }]]);
    await again.close();
  });
});
