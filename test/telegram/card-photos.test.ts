import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Bot } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareReplay } from '../../src/app/replay.js';
import type { Card } from '../../src/kernel/card.js';
import { CandleHistory } from '../../src/feed/candle-history.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { createLogger } from '../../src/core/log.js';
import { CAPTION_MAX, fitsCaption, renderCard } from '../../src/notifier/render.js';
import { cardChartPng, editCardCaption, sendCardPhoto } from '../../src/notifier/telegram/features/card-photos.js';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { decodePng } from '../helpers/png.js';

const CHAT = 1001;
const M5 = 300_000;

/** A BUY card on the last of 120 real BTCUSDT 5m candles, stop −1 %, target +2 %. */
function realCard(history: CandleHistory, reason = 'MA-z crossed up through +1.5'): Card {
  const last = history.last('BTCUSDT', '5m', 1)[0];
  const entry = last.close;
  return {
    id: 'CardPhoto0001', createdAt: last.closeTime, expiresAt: last.closeTime + 3 * M5, signalId: 'glicko_zscore:BTCUSDT', rule: 'glicko_zscore',
    name: 'Glicko-2 z-score', symbol: 'BTCUSDT', timeframe: '5m', direction: 'long', entry, stop: entry * 0.99, target: entry * 1.02,
    stopPercent: 1, targetPercent: 2, rr: 2, qty: 0.02, notional: entry * 0.02, riskQuote: entry * 0.0002, riskPercent: 0.2,
    reason, status: 'open', paperOnly: 'unvalidated',
  };
}

describe('card photos against the fake Bot API', () => {
  let api: FakeTelegramApi;
  let bot: Bot;
  const history = new CandleHistory();
  const log = createLogger({ level: 'silent', console: null });
  const sendText = (r: { html: string; buttons: { text: string; data: string }[][] }, chatId: number, extra: object) =>
    bot.api.sendMessage(chatId, r.html, { parse_mode: 'HTML', ...extra, reply_markup: { inline_keyboard: r.buttons.map((row) => row.map((b) => ({ text: b.text, callback_data: b.data }))) } });

  beforeAll(async () => {
    api = await startFakeTelegramApi();
    bot = new Bot(api.token, { client: { apiRoot: api.apiRoot }, botInfo: api.botUser });
    const [btc] = loadCandleDir('data/binance-2025-5m', { from: Date.parse('2025-05-05T00:00Z'), to: Date.parse('2025-05-05T10:00Z') }).filter((s) => s.symbol === 'BTCUSDT');
    for (let i = 0; i < btc.length; i++) {
      history.onCandle('BTCUSDT', '5m', {
        openTime: btc.openTime[i], closeTime: btc.openTime[i] + M5, open: btc.open[i], high: btc.high[i], low: btc.low[i], close: btc.close[i], volume: btc.volume[i],
      });
    }
  });
  afterAll(async () => api?.close());

  it('a card that fits the caption is one photo carrying the card and its buttons', async () => {
    const card = realCard(history);
    const png = (await cardChartPng(card, history, log))!;
    const m = await sendCardPhoto(bot.api, CHAT, card, png, 'USDT', { disable_notification: true }, sendText, new Set());
    expect(m.photo).toBe(true);
    const msg = api.messages(CHAT).find((x) => x.message_id === m.messageId)!;
    expect(msg.caption).toMatch(/^🟢 BUY BTCUSDT · 5m · Glicko-2 z-score/);
    expect((msg.reply_markup as { inline_keyboard: unknown[][] }).inline_keyboard.flat()).toHaveLength(3);
    expect(api.callsOf('sendPhoto').at(-1)!.payload.disable_notification).toBe(true);
    expect(decodePng(api.photoBytes(msg.message_id)!)).toMatchObject({ width: 960, height: 540 });
  });

  it('a card over 1,024 characters goes as the photo, then the card as text with the buttons; a retry does not post the photo twice', async () => {
    const card = { ...realCard(history, 'a long reason '.repeat(60).trim()), id: 'CardPhoto0002' };
    expect(fitsCaption(renderCard(card).html)).toBe(false);
    const png = (await cardChartPng(card, history, log))!;
    const photoSent = new Set<string>();
    const photos = api.callsOf('sendPhoto').length;
    api.failNext('sendMessage', { code: 400, description: 'Bad Request: injected' });
    await expect(sendCardPhoto(bot.api, CHAT, card, png, 'USDT', {}, sendText, photoSent)).rejects.toThrow(/injected/);
    const m = await sendCardPhoto(bot.api, CHAT, card, png, 'USDT', {}, sendText, photoSent);
    expect(api.callsOf('sendPhoto').length).toBe(photos + 1);
    expect(api.callsOf('sendPhoto').at(-1)!.payload.caption).toBeUndefined();
    expect(m.photo).toBeUndefined();
    const text = api.messages(CHAT).find((x) => x.message_id === m.messageId)!;
    expect(text.photo).toBeUndefined();
    expect(text.text).toContain('a long reason');
    expect((text.reply_markup as { inline_keyboard: unknown[][] }).inline_keyboard.flat()).toHaveLength(3);
  });

  it('an edit that would outgrow the caption (a live confirmation) gets the compact card, confirmation kept', async () => {
    const card = realCard(history, 'x'.repeat(600));
    const png = (await cardChartPng(card, history, log))!;
    const m = await sendCardPhoto(bot.api, CHAT, { ...card, reason: 'short' }, png, 'USDT', {}, sendText, new Set());
    const now = card.createdAt + 1000;
    card.confirmation = {
      venue: 'binance', quotedAt: now, expiresAt: now + 60_000, price: card.entry, qty: 0.02, notional: card.entry * 0.02,
      riskQuote: 20, riskPercent: 0.2, equity: 10_000, stop: card.stop, target: card.target,
    };
    expect(fitsCaption(renderCard(card).html)).toBe(false);
    await editCardCaption(bot.api, card, m, 'USDT');
    const msg = api.messages(CHAT).find((x) => x.message_id === m.messageId)!;
    expect(msg.caption!.length).toBeLessThanOrEqual(CAPTION_MAX);
    expect(msg.caption).toMatch(/^🟢 BUY BTCUSDT/);
    expect(msg.caption).toMatch(/Entry: .*\nStop: .*\nTarget: .*\nR:R 1:2\.00/);
    expect(msg.caption).toContain('Confirm live market BUY on binance');
    expect((msg.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard.flat().map((b) => b.text)).toEqual(['✅ Confirm', 'Cancel']);
  });
});

describe('console chat with chat.charts on', () => {
  it('writes each tradable card\'s chart as a PNG next to the state file and prints its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-console-charts-'));
    let out = '';
    const params: Record<string, unknown> = {};
    for (const c of ['BTC', 'ETH', 'SOL', 'AVAX']) params[`${c}USDT`] = { zScoreThreshold: 1.5, movingAverages: 12, profitPercent: 1.5, stopLossPercent: 1, allocationPercent: 10 };
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      chat: { type: 'console', charts: true }, execution: { autoTrade: 'off' },
      paths: { liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
    }));
    const session = await prepareReplay({
      data: 'data/binance-2025-5m', config: join(dir, 'config.json'), from: Date.parse('2025-05-05T00:00Z'), to: Date.parse('2025-05-05T06:00Z'),
      statePath: join(dir, 'state.json'), input: null, output: new Writable({ write: (c, _e, cb) => { out += String(c); cb(); } }), chatPacingMs: 0,
    });
    try {
      await session.feed.run({ pauseWhen: () => [...session.rt.engine.cards.values()].some((c) => c.status === 'open') });
      await session.chat.flush();
      const card = [...session.rt.engine.cards.values()].find((c) => c.status === 'open')!;
      const path = /📈 chart: (\S+\.png)/.exec(out)?.[1];
      expect(path).toBe(join(dir, 'charts', `${card.symbol}-${card.timeframe}-${card.id}.png`));
      expect(decodePng(readFileSync(path!))).toMatchObject({ width: 960, height: 540 });
    } finally {
      await session.close();
    }
  });
});
