import { buttons } from './helpers/telegram.js';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareReplay, type ReplaySession } from '../src/app/replay.js';
import { startFakeTelegramApi, type FakeTelegramApi } from './fakes/telegram-api.js';

const OWNER = { id: 1001, first_name: 'Owner' };
const STRANGER = { id: 666, first_name: 'Mallory' };

describe('Telegram end to end: grammY ↔ fake Bot API over loopback, real candles', () => {
  let api: FakeTelegramApi;
  let session: ReplaySession;
  let dir: string;
  /** Sends a command and waits for the reply matching `expect` (other messages may arrive meanwhile). */
  const reply = async (text: string, expectRe: RegExp, from = OWNER) => {
    const before = api.messages(from.id).length;
    api.sendText(from, text);
    return api.waitFor(() => api.messages(from.id).slice(before).find((m) => expectRe.test(m.text ?? '')));
  };
  /** Replays until `pred` holds (checked after every close). */
  const until = (pred: () => boolean) => session.feed.run({ pauseWhen: pred });
  const cardMessage = (cardId: string) => api.waitFor(() => api.messages(OWNER.id).find((m) => buttons(m).some(([, d]) => d.endsWith(cardId)) || m.message_id === session.rt.engine.cards.get(cardId)?.message?.messageId));

  beforeAll(async () => {
    api = await startFakeTelegramApi();
    dir = mkdtempSync(join(tmpdir(), 'edgebot-e2e-'));
    // Parameter sets with a low threshold so one real day yields several cards.
    const params: Record<string, unknown> = {};
    for (const c of ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'LTC', 'ADA', 'AVAX']) {
      params[`${c}USDT`] = { zScoreThreshold: 1.5, movingAverages: 12, profitPercent: 1.5, stopLossPercent: 1, allocationPercent: 10 };
    }
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    writeFileSync(join(dir, 'tg.json'), JSON.stringify({ token: api.token, chat_id: OWNER.id, allowed_user_ids: [OWNER.id] }));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      chat: 'telegram',
      telegram: { apiRoot: api.apiRoot, configFile: join(dir, 'tg.json') },
      execution: { autoTrade: 'off' },
      paths: { liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
    }));
    session = await prepareReplay({
      data: 'data/binance-2025-5m',
      config: join(dir, 'config.json'),
      from: Date.parse('2025-05-05T00:00Z'),
      to: Date.parse('2025-05-06T00:00Z'),
      statePath: join(dir, 'state.json'),
      input: null,
      output: new Writable({ write: (_c, _e, cb) => cb() }),
      chatPacingMs: 0,
    });
  });

  afterAll(async () => {
    await session?.close();
    await api?.close();
  });

  it('registers the commands with setMyCommands', () => {
    expect(api.commands?.commands.map((c) => c.command)).toEqual(
      ['start', 'help', 'status', 'positions', 'trades', 'pnl', 'balance', 'signals', 'daily', 'weekly', 'monthly', 'performance', 'stats', 'export', 'settings', 'kpi', 'stop', 'resume'],
    );
  });

  it('posts a card, the owner paper-trades it, /positions lists it', async () => {
    // Telegram rate-limits the first card: auto-retry waits retry_after and sends it anyway.
    api.failNext('sendPhoto', { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    await until(() => [...session.rt.engine.cards.values()].some((c) => c.status === 'open'));
    const card = [...session.rt.engine.cards.values()].find((c) => c.status === 'open')!;
    const msg = await cardMessage(card.id);
    expect(api.callsOf('sendPhoto')[0].ok).toBe(false);
    // A tradable card is its chart, with the card as the caption (the fake mirrors it into `text`).
    expect(msg.photo).toBeDefined();
    expect(msg.caption).toBe(msg.text);
    expect(msg.text).toContain(card.symbol);
    expect(msg.text).toMatch(/Entry: .*\nStop: .*\nTarget: .*\nR:R 1:1\.50/);
    // No validated.json: the z-score signal has no backtest evidence, so its card is paper-only.
    expect(msg.text).toContain('⚠️ unvalidated');
    expect(msg.text).toContain('Evidence: ⚠️ no backtest evidence');
    expect(buttons(msg)).toEqual([
      ['📝 Paper', `v1:paper:${card.id}`],
      ['✖ Skip', `v1:skip:${card.id}`],
      ['🔕 Mute 4h', `v1:mute:${card.id}`],
    ]);

    // A forged Live… tap is answered and refused by the trade service, not merely hidden.
    api.pressButton(OWNER, msg, `v1:live:${card.id}`);
    await api.waitFor(() => api.answeredCallbacks().find((a) => /not validated by the backtest gate; it is paper-only/.test(a.text ?? '')));

    api.pressButton(OWNER, msg, `v1:paper:${card.id}`);
    api.pressButton(OWNER, msg, `v1:paper:${card.id}`); // a double tap
    await api.waitFor(() => api.answeredCallbacks().filter((a) => /Paper buy|Already paper-traded/.test(a.text ?? '')).length === 2);
    expect(api.answeredCallbacks().map((a) => a.text).filter((t) => /Paper buy|Already/.test(t))).toEqual([
      expect.stringMatching(/^📝 Paper buy of .* queued for the next open\.$/),
      'Already paper-traded.',
    ]);
    const edited = await api.waitFor(() => {
      const m = api.messages(OWNER.id).find((x) => x.message_id === msg.message_id);
      return m && /Paper-traded/.test(m.text ?? '') && m;
    });
    expect(buttons(edited)).toEqual([]);

    await until(() => session.rt.broker.account.positions.length > 0);
    expect(session.rt.broker.account.positions).toHaveLength(1);
    const pos = await reply('/positions', /Open positions/);
    expect(pos.text).toContain(card.symbol);
    expect(buttons(pos)).toEqual([[`Close ${card.symbol} (P1)`, 'v1:close:P1'], ['📈 Chart', 'v1:chart:P1'], ['🔄 Refresh', 'v1:refresh:positions']]);
  });

  it('refuses an unauthorized user, for commands and taps alike', async () => {
    const r = await reply('/status', /not authorized/, STRANGER);
    expect(r.text).toBe('⛔ You are not authorized to use this bot.');
    const open = [...session.rt.engine.cards.values()].find((c) => c.message)!;
    const before = session.rt.broker.account.pending.length + session.rt.broker.account.positions.length;
    const id = api.pressButton(STRANGER, open.message!.messageId, `v1:skip:${open.id}`, OWNER.id);
    const ans = await api.waitFor(() => api.answeredCallbacks().find((a) => a.callback_query_id === id));
    expect(ans.text).toMatch(/not authorized/);
    expect(session.rt.broker.account.pending.length + session.rt.broker.account.positions.length).toBe(before);
    // Forged data from the owner is refused too.
    const forged = api.pressButton(OWNER, open.message!.messageId, 'buy everything', OWNER.id);
    expect((await api.waitFor(() => api.answeredCallbacks().find((a) => a.callback_query_id === forged))).text).toMatch(/not recognised/);
    const logs = readdirSync(join(dir, 'logs')).map((f) => readFileSync(join(dir, 'logs', f), 'utf8')).join('');
    expect(logs).toMatch(/refused an unauthorized user/);
    expect(logs).not.toContain(api.token);
  });

  it('/stop blocks further positions and /resume restores them', async () => {
    const stop = await reply('/stop', /Trading stopped/);
    expect(stop.text).toMatch(/Trading stopped\. No new positions until \/resume\. 1 open position keeps its stop and target\./);
    const follow = await api.waitFor(() => api.messages(OWNER.id).find((m) => buttons(m).some(([t]) => t === 'Close all positions')));
    expect(buttons(follow)).toEqual([['Close all positions', 'v1:closeall:all'], ['Keep positions', 'v1:keepall:all']]);
    expect(session.rt.store.data.risk.killSwitch).toBe(true);

    const seen = session.rt.engine.stats.cards;
    await until(() => session.rt.engine.stats.cards > seen && [...session.rt.engine.cards.values()].at(-1)!.direction === 'long');
    const blocked = [...session.rt.engine.cards.values()].at(-1)!;
    expect(blocked.status).toBe('blocked');
    const bm = await cardMessage(blocked.id);
    expect(bm.text).toMatch(/Not tradable: trading is stopped/);
    expect(buttons(bm)).toEqual([]); // view-only
    const tap = api.pressButton(OWNER, bm, `v1:paper:${blocked.id}`); // an old client could still send it
    expect((await api.waitFor(() => api.answeredCallbacks().find((a) => a.callback_query_id === tap))).text).toMatch(/Not tradable/);

    await reply('/resume', /Trading resumed/);
    expect(session.rt.store.data.risk.killSwitch).toBe(false);
    // The Close-all offer of that /stop is stale now: tapping it closes nothing.
    const open = session.rt.broker.account.positions.length;
    const stale = api.pressButton(OWNER, follow, 'v1:closeall:all');
    expect((await api.waitFor(() => api.answeredCallbacks().find((a) => a.callback_query_id === stale))).text)
      .toBe('This offer was for a /stop that has been undone; nothing was closed.');
    expect(session.rt.broker.account.positions.filter((p) => p.exitRequested)).toEqual([]);
    expect(session.rt.broker.account.positions.length).toBe(open);
    const seen2 = session.rt.engine.stats.cards;
    await until(() => [...session.rt.engine.cards.values()].slice(seen2 - session.rt.engine.cards.size).some((c) => c.status === 'open'));
    const next = [...session.rt.engine.cards.values()].reverse().find((c) => c.status === 'open')!;
    const nm = await cardMessage(next.id);
    api.pressButton(OWNER, nm, `v1:paper:${next.id}`);
    await api.waitFor(() => session.rt.broker.account.pending.some((p) => p.cardId === next.id));
    const status = await reply('/status', /Status:/);
    expect(status.text).toMatch(/Status: ▶️ running/);
    expect(status.text).toContain(`Positions: ${session.rt.broker.account.positions.length}/5`);
    // The KPI line, and /kpi's detail, from the taps and fills above.
    const k = session.rt.kpi.snapshot();
    expect(k.execution.acted).toBeGreaterThanOrEqual(2);
    expect(status.text).toContain(`KPI: exec ${Math.round(k.execution.percent!)} % (${k.execution.acted}/${k.execution.tradable})`);
    const kpi = await reply('/kpi', /Execution KPIs/);
    expect(kpi.text).toContain(`Execution rate: ${k.execution.percent!.toFixed(1)} % — ${k.execution.acted} of ${k.execution.tradable} tradable cards`);
  });
});
