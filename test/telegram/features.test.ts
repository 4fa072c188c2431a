import { buttons } from '../helpers/telegram.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareReplay, type ReplaySession } from '../../src/app/replay.js';
import type { Card } from '../../src/kernel/card.js';
import { duration, htmlToText, money } from '../../src/notifier/format.js';
import { renderCard } from '../../src/notifier/render.js';
import { MUTE_MS, settingsOf } from '../../src/store/settings.js';
import { startFakeTelegramApi, type FakeTelegramApi, type RecordedCall, type SentMessage } from '../fakes/telegram-api.js';
import { decodePng } from '../helpers/png.js';

const OWNER = { id: 1001, first_name: 'Owner' };

// Charts, notification settings, mutes and refresh through grammY and the fake Bot API, on two
// days of real 5m candles (a low z-score threshold so cards fire often).
describe('Telegram chat features: card charts, /settings, mute, refresh', () => {
  let api: FakeTelegramApi;
  let session: ReplaySession;
  const cards = () => [...session.rt.engine.cards.values()];
  const now = () => session.rt.clock.now();
  /** Replays until `pred` holds, then waits until every queued message is delivered. */
  const until = async (pred: () => boolean) => {
    await session.feed.run({ pauseWhen: pred });
    expect(pred()).toBe(true);
    await session.chat.flush();
  };
  /** Replays to the next card (of `symbol`, if given) and returns it once delivered. */
  const nextCard = async (symbol?: string): Promise<Card> => {
    const seen = new Set(cards().map((c) => c.id));
    const find = () => cards().find((c) => !seen.has(c.id) && (!symbol || c.symbol === symbol));
    await until(() => !!find());
    return find()!;
  };
  /** The send call (photo or text) that carried a card's buttons, if any. */
  const sendOf = (card: Card): RecordedCall | undefined =>
    api.calls.find((c) => (c.method === 'sendPhoto' || c.method === 'sendMessage') && c.ok && JSON.stringify(c.payload.reply_markup ?? '').includes(`:${card.id}"`));
  const answer = async (msg: SentMessage | number, data: string) => {
    const id = api.pressButton(OWNER, msg as SentMessage, data, OWNER.id);
    const a = await api.waitFor(() => api.answeredCallbacks().find((x) => x.callback_query_id === id));
    return String(a.text ?? '');
  };
  const reply = async (text: string, re: RegExp) => {
    const before = api.messages(OWNER.id).length;
    api.sendText(OWNER, text);
    return api.waitFor(() => api.messages(OWNER.id).slice(before).find((m) => re.test(m.text ?? '')));
  };

  beforeAll(async () => {
    api = await startFakeTelegramApi();
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-tgfeat-'));
    const params: Record<string, unknown> = {};
    for (const c of ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'LTC', 'ADA', 'AVAX']) {
      params[`${c}USDT`] = { zScoreThreshold: 1.5, movingAverages: 12, profitPercent: 1.5, stopLossPercent: 1, allocationPercent: 10 };
    }
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    writeFileSync(join(dir, 'tg.json'), JSON.stringify({ token: api.token, chat_id: OWNER.id, allowed_user_ids: [OWNER.id] }));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      chat: 'telegram', // charts default on for Telegram
      telegram: { apiRoot: api.apiRoot, configFile: join(dir, 'tg.json') },
      execution: { autoTrade: 'off' },
      paths: { liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
    }));
    session = await prepareReplay({
      data: 'data/binance-2025-5m', config: join(dir, 'config.json'),
      from: Date.parse('2025-05-05T00:00Z'), to: Date.parse('2025-05-08T00:00Z'),
      statePath: join(dir, 'state.json'), input: null, output: new Writable({ write: (_c, _e, cb) => cb() }), chatPacingMs: 0,
    });
  });
  afterAll(async () => {
    await session?.close();
    await api?.close();
  });

  it('a tradable card arrives as a chart photo whose caption is the card, with the buttons; a later state edits the caption', async () => {
    await until(() => cards().some((c) => c.status === 'open'));
    const card = cards().find((c) => c.status === 'open')!;
    expect(card.message).toBeDefined();
    const msg = api.messages(OWNER.id).find((m) => m.message_id === card.message!.messageId)!;
    expect(card.message!.photo).toBe(true);
    expect(msg.photo?.length).toBeGreaterThan(0);
    expect(msg.caption).toBe(htmlToText(renderCard(card).html));
    expect(msg.caption).toMatch(/Entry: .*\nStop: .*\nTarget: /);
    expect(buttons(msg)).toEqual([['📝 Paper', `v1:paper:${card.id}`], ['✖ Skip', `v1:skip:${card.id}`], ['🔕 Mute 4h', `v1:mute:${card.id}`]]);
    const png = decodePng(api.photoBytes(msg.message_id)!);
    expect([png.width, png.height]).toEqual([960, 540]);
    // Not all white: candles and lines were drawn.
    expect(new Set(png.raw).size).toBeGreaterThan(10);

    // Skipped: the caption is edited to say so, the buttons go.
    expect(await answer(msg, `v1:skip:${card.id}`)).toMatch(/Skipped/);
    const edited = await api.waitFor(() => {
      const m = api.messages(OWNER.id).find((x) => x.message_id === msg.message_id);
      return m && /Skipped/.test(m.caption ?? '') && m;
    });
    expect(buttons(edited)).toEqual([]);
    expect(api.callsOf('editMessageCaption').some((c) => c.payload.message_id === msg.message_id && c.ok)).toBe(true);
    expect(api.callsOf('editMessageText').some((c) => c.payload.message_id === msg.message_id)).toBe(false);
  });

  it('/settings toggles decide what rings: cards loud → silent (disable_notification) → off (dropped, not sent) → loud', async () => {
    const menu = await reply('/settings', /Notifications/);
    const cardsButton = () => buttons(api.messages(OWNER.id).find((m) => m.message_id === menu.message_id)).find(([t]) => t.startsWith('Cards:'))!;
    expect(cardsButton()[0]).toBe('Cards: 🔔 loud');

    expect(await answer(menu, cardsButton()[1])).toBe('Cards: 🔕 silent.');
    expect(settingsOf(session.rt.store.data).notify.cards).toBe('silent');
    await api.waitFor(() => cardsButton()[0] === 'Cards: 🔕 silent');
    const silent = await nextCard();
    expect(sendOf(silent)?.payload.disable_notification).toBe(true);

    expect(await answer(menu, cardsButton()[1])).toBe('Cards: 🚫 off.');
    const sends = api.calls.length;
    const off = await nextCard();
    expect(off.message).toBeUndefined();
    expect(session.rt.outbox.size).toBe(0);
    expect(api.calls.slice(sends).filter((c) => c.method === 'sendPhoto' || c.method === 'sendMessage')).toEqual([]);

    expect(await answer(menu, cardsButton()[1])).toBe('Cards: 🔔 loud.');
    const loud = await nextCard();
    expect(sendOf(loud)).toBeDefined();
    expect(sendOf(loud)!.payload.disable_notification).toBeUndefined();
  });

  it('quiet hours silence cards but not replies; an unknown zone is refused by name', async () => {
    const bad = await reply('/settings quiet 22:00 07:00 Mars/Olympus', /time zone/);
    expect(bad.text).toContain('Unknown time zone "Mars/Olympus"');
    const h = new Date(now()).getUTCHours();
    const start = `${String(h).padStart(2, '0')}:00`;
    const end = `${String((h + 3) % 24).padStart(2, '0')}:00`;
    await reply(`/settings quiet ${start} ${end} UTC`, /Quiet hours/);
    const card = await nextCard();
    expect(new Date(card.createdAt).getUTCHours() - h).toBeLessThan(3);
    expect(sendOf(card)?.payload.disable_notification).toBe(true);
    const before = api.calls.length;
    await reply('/status', /Status:/);
    const status = api.calls.slice(before).find((c) => c.method === 'sendMessage' && /Status/.test(String(c.payload.text)))!;
    expect(status.payload.disable_notification).toBeUndefined();
    await reply('/settings quiet off', /Quiet hours off/);
  });

  it('🔕 Mute 4h suppresses that instrument\'s cards for 4 hours of the replay clock, then they come back', async () => {
    // LTCUSDT fires most often in these days. Mute at one of its cards; if its next card comes
    // only after the 4 hours (nothing was muted), mute again there, until a round shows both.
    const symbol = 'LTCUSDT';
    let tapped = await nextCard(symbol);
    let muted: Card[] = [];
    let back: Card | undefined;
    for (let round = 0; round < 6 && !(muted.length && back); round++) {
      expect(tapped.message).toBeDefined();
      const text = await answer(tapped.message!.messageId, `v1:mute:${tapped.id}`);
      expect(text).toMatch(new RegExp(`^🔕 ${symbol} cards muted until`));
      const mutedUntil = settingsOf(session.rt.store.data).mutes[symbol];
      expect(mutedUntil - now()).toBe(MUTE_MS);
      muted = [];
      back = undefined;
      while (!back) {
        const c = await nextCard(symbol);
        if (c.createdAt < mutedUntil) muted.push(c);
        else back = c;
      }
      // Made by the engine (it does not know about mutes) but never sent.
      for (const c of muted) {
        expect(c.message).toBeUndefined();
        expect(sendOf(c)).toBeUndefined();
      }
      expect(back.message).toBeDefined();
      expect(sendOf(back)).toBeDefined();
      tapped = back;
    }
    expect(muted.length).toBeGreaterThan(0);
  });

  it('🔄 Refresh edits /status in place; /positions shows time held and unrealized P&L and a chart on demand', async () => {
    const status = await reply('/status', /Status:/);
    expect(buttons(status)).toEqual([['🔄 Refresh', 'v1:refresh:status']]);
    const candles = /Candles: ([\d,]+)/.exec(status.text!)![1];
    const t = now();
    await until(() => now() >= t + 3_600_000);
    const statusMessages = () => api.messages(OWNER.id).filter((m) => /^Status:/.test(m.text ?? '')).length;
    const count = statusMessages();
    expect(await answer(status, 'v1:refresh:status')).toBe('🔄 Refreshed.');
    const after = api.messages(OWNER.id).find((m) => m.message_id === status.message_id)!;
    expect(after.text).toMatch(/Candles: [\d,]+/);
    expect(/Candles: ([\d,]+)/.exec(after.text!)![1]).not.toBe(candles);
    // In place: the same message, no new one.
    expect(statusMessages()).toBe(count);
    expect(api.callsOf('editMessageText').some((c) => c.payload.message_id === status.message_id && c.ok)).toBe(true);

    // A position: paper-trade the next open card.
    const t1 = now();
    await until(() => cards().some((c) => c.status === 'open' && c.createdAt > t1));
    const open = cards().find((c) => c.status === 'open' && c.createdAt > t1)!;
    expect(await answer(open.message!.messageId, `v1:paper:${open.id}`)).toMatch(/Paper buy/);
    await until(() => session.rt.broker.account.positions.some((p) => p.cardId === open.id));
    const p = session.rt.broker.account.positions.find((x) => x.cardId === open.id)!;
    const t2 = now();
    await until(() => now() >= t2 + 10 * 60_000 || !session.rt.broker.account.positions.includes(p));
    // On these candles the position is still open ten minutes later.
    expect(session.rt.broker.account.positions).toContain(p);
    const pos = await reply('/positions', /Open positions/);
    expect(pos.text).toMatch(new RegExp(`${p.symbol} .* · unrealized [+−][\\d,.]+ \\([+−]?[\\d.]+%\\)\\n\\s+held ${duration(now() - p.entryTime)} · stop`));
    expect(buttons(pos)).toContainEqual(['📈 Chart', `v1:chart:${p.id}`]);
    const photos = api.callsOf('sendPhoto').length;
    expect(await answer(pos, `v1:chart:${p.id}`)).toBe(`📈 ${p.symbol}`);
    const chart = await api.waitFor(() => api.messages(OWNER.id).find((m) => m.photo && (m.caption ?? '').includes(p.id)));
    expect(api.callsOf('sendPhoto').length).toBe(photos + 1);
    expect(decodePng(api.photoBytes(chart.message_id)!).width).toBe(960);
    expect(buttons(pos).at(-1)).toEqual(['🔄 Refresh', 'v1:refresh:positions']);
  });

  it('/pnl answers with the equity curve as a photo whose caption is the P&L with the /stats figures', async () => {
    // The position opened above closes at its stop or target on these candles.
    await until(() => session.rt.broker.account.trades.length > 0);
    const trades = session.rt.broker.account.trades;
    const photos = api.callsOf('sendPhoto').length;
    api.sendText(OWNER, '/pnl');
    const msg = await api.waitFor(() => api.messages(OWNER.id).find((m) => m.photo && /^P&L/.test(m.caption ?? '')));
    expect(api.callsOf('sendPhoto').length).toBe(photos + 1);
    const total = trades.reduce((a, t) => a + t.pnl, 0);
    expect(msg.caption).toContain(`All time: ${money(total, true)} USDT`);
    expect(msg.caption).toMatch(/Profit factor/);
    const png = decodePng(api.photoBytes(msg.message_id)!);
    expect([png.width, png.height]).toEqual([960, 540]);
  });
});
