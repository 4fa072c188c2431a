import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegramApi, htmlProblem, startFakeTelegramApi } from './telegram-api.js';

const alice = { id: 1001, first_name: 'Alice', username: 'alice' };

describe('FakeTelegramApi with a real grammY bot', () => {
  let api: FakeTelegramApi;
  let bot: Bot;
  let botErrors: unknown[];

  beforeEach(async () => {
    api = await startFakeTelegramApi();
    // botInfo is left out on purpose so grammY fetches it with getMe.
    bot = new Bot(api.token, { client: { apiRoot: api.apiRoot } });
    botErrors = [];
    bot.catch((err) => void botErrors.push(err.error));
  });

  afterEach(async () => {
    if (bot.isRunning()) await bot.stop();
    await api.close();
    expect(botErrors).toEqual([]);
  });

  /** Starts long polling and resolves once the first getUpdates is in flight. */
  async function startPolling(): Promise<void> {
    void bot.start({ drop_pending_updates: false });
    await api.waitFor(() => api.callsOf('getUpdates').length > 0);
  }

  it('delivers a /start command and records the reply', async () => {
    bot.command('start', (ctx) => ctx.reply('hi'));
    await startPolling();

    const update = api.sendText(alice, '/start');
    expect(update.update_id).toBe(1);
    const reply = await api.waitFor(() => api.lastMessage(alice.id));

    expect(reply.text).toBe('hi');
    expect(reply.chat).toMatchObject({ id: alice.id, type: 'private' });
    expect(reply.from?.username).toBe('edgebot_test_bot');
    expect(api.callsOf('getMe')).toHaveLength(1);
    expect(bot.botInfo.username).toBe('edgebot_test_bot');

    await bot.stop();
    // stop() confirms the processed update with one last getUpdates call.
    expect(api.callsOf('getUpdates').at(-1)?.payload).toMatchObject({ offset: 2, limit: 1 });
  });

  it('round-trips an inline keyboard callback', async () => {
    bot.command('menu', (ctx) =>
      ctx.reply('<b>Pick</b> one', {
        parse_mode: 'HTML',
        reply_markup: new InlineKeyboard().text('Long', 'side:long').text('Short', 'side:short'),
      }),
    );
    bot.callbackQuery(/^side:(.+)$/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'ok' });
      await ctx.editMessageText(`You chose ${ctx.match[1]}`);
    });
    await startPolling();

    api.sendText(alice, '/menu');
    const menu = await api.waitFor(() => api.lastMessage(alice.id));
    expect(menu.text).toBe('Pick one');
    expect(menu.raw_text).toBe('<b>Pick</b> one');
    expect(menu.reply_markup?.inline_keyboard[0]).toHaveLength(2);

    const queryId = api.pressButton(alice, menu, 'side:long');
    await api.waitFor(() => api.lastMessage(alice.id)?.text === 'You chose long');

    expect(api.answeredCallbacks()).toEqual([{ callback_query_id: queryId, text: 'ok' }]);
    expect(api.messages(alice.id)).toHaveLength(1);
    // Editing without reply_markup removes the keyboard, as on Telegram.
    expect(api.lastMessage(alice.id)?.reply_markup).toBeUndefined();
  });

  it('lets auto-retry wait out an injected 429', async () => {
    bot.api.config.use(autoRetry());
    api.failNext('sendMessage', { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });

    const started = Date.now();
    const sent = await bot.api.sendMessage(alice.id, 'eventually');

    expect(sent.text).toBe('eventually');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(api.callsOf('sendMessage')).toHaveLength(2);
    expect(api.callsOf('sendMessage')[0].ok).toBe(false);
    expect(api.messages()).toHaveLength(1);
  });

  it('injects each fault kind as configured, and only into sending methods', async () => {
    const kinds = ['429', '5xx', 'drop-before', 'drop-after'] as const;
    for (const kind of kinds) {
      api.injectFaults({ rate: 1, weights: { [kind]: 1 }, retryAfter: 7 });
      const before = api.messages().length;
      const err = await bot.api.sendMessage(alice.id, `hit by ${kind}`).catch((e: unknown) => e);
      const call = api.callsOf('sendMessage').at(-1)!;
      expect(call.fault).toBe(kind);
      if (kind === '429') {
        expect(err).toBeInstanceOf(GrammyError);
        expect((err as GrammyError).error_code).toBe(429);
        expect((err as GrammyError).parameters.retry_after).toBe(7);
      } else if (kind === '5xx') {
        expect((err as GrammyError).error_code).toBe(502);
      } else {
        // The connection is gone either way; only the fake knows whether it handled the call.
        expect(err).toBeInstanceOf(HttpError);
      }
      expect(api.messages().length).toBe(before + (kind === 'drop-after' ? 1 : 0));
    }
    expect(api.faultCounts()).toEqual({ '429': 1, '5xx': 1, 'drop-before': 1, 'drop-after': 1 });
    // getUpdates and getMe are never hit by default.
    expect((await bot.api.getMe()).id).toBe(api.botUser.id);

    // A 30 % plan fails about 30 % of 200 calls, the same ones for the same seed.
    const run = async (seed: number) => {
      api.injectFaults({ rate: 0.3, weights: { '429': 1, '5xx': 1 }, seed });
      let failed = 0;
      for (let i = 0; i < 200; i++) await bot.api.sendMessage(alice.id, `m${i}`).catch(() => failed++);
      return failed;
    };
    const a = await run(42);
    expect(a).toBeGreaterThan(40);
    expect(a).toBeLessThan(80);
    expect(await run(42)).toBe(a);
    api.injectFaults(null);
    expect((await bot.api.sendMessage(alice.id, 'clean')).text).toBe('clean');
  });

  it('enforces message length, callback_data size and HTML validity', async () => {
    await expect(bot.api.sendMessage(alice.id, 'x'.repeat(5000))).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: message is too long',
    });
    const tooLong = new InlineKeyboard().text('x', 'd'.repeat(65));
    await expect(bot.api.sendMessage(alice.id, 'pick', { reply_markup: tooLong })).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: BUTTON_DATA_INVALID',
    });
    await expect(bot.api.sendMessage(alice.id, '<b>open', { parse_mode: 'HTML' })).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringMatching(/^Bad Request: can't parse entities: /),
    });
    expect(htmlProblem('a <i>b</i> &amp; <a href="https://x">c</a>')).toBeUndefined();
    expect(htmlProblem('1 < 2')).toMatch(/Unexpected/);
    expect(htmlProblem('AT&T')).toMatch(/entity/);
    expect(htmlProblem('<div>x</div>')).toMatch(/Unsupported start tag "div"/);
    expect(htmlProblem('<b><i>x</b></i>')).toMatch(/Unexpected end tag/);

    const ok = await bot.api.sendMessage(alice.id, 'fine', {
      reply_markup: new InlineKeyboard().text('x', 'd'.repeat(64)),
    });
    await expect(bot.api.editMessageText(alice.id, ok.message_id, 'fine', {
      reply_markup: new InlineKeyboard().text('x', 'd'.repeat(64)),
    })).rejects.toMatchObject({ description: expect.stringMatching(/^Bad Request: message is not modified/) });
    await expect(bot.api.editMessageText(alice.id, 999, 'nope')).rejects.toMatchObject({
      description: 'Bad Request: message to edit not found',
    });
  });

  it('handles multipart uploads, commands and deletes', async () => {
    const photo = await bot.api.sendPhoto(alice.id, new InputFile(Buffer.from('fake-png'), 'chart.png'), {
      caption: 'chart',
    });
    expect(photo.photo?.length).toBeGreaterThan(0);
    expect(photo.caption).toBe('chart');
    expect(api.callsOf('sendPhoto')[0].payload).toMatchObject({
      chat_id: alice.id,
      photo: { filename: 'chart.png', size: 8 },
    });

    await bot.api.setMyCommands([{ command: 'start', description: 'Start' }]);
    expect(api.commands?.commands).toEqual([{ command: 'start', description: 'Start' }]);
    expect(await bot.api.getMyCommands()).toEqual([{ command: 'start', description: 'Start' }]);

    expect(await bot.api.deleteMessage(alice.id, photo.message_id)).toBe(true);
    expect(api.messages(alice.id)).toHaveLength(0);
  });

  it('answers a wrong token with 401 and an unknown method with 404', async () => {
    const intruder = new Bot('999:wrong-token-abcdefghijklmnopqrstuvwxyz', { client: { apiRoot: api.apiRoot } });
    const err = await intruder.api.getMe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect(err).toMatchObject({ error_code: 401, description: 'Unauthorized' });

    const res = await fetch(`${api.apiRoot}/bot${api.token}/noSuchMethod`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
  });

  it('releases a held long poll on close()', async () => {
    const poll = fetch(`${api.apiRoot}/bot${api.token}/getUpdates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeout: 30 }),
    });
    await api.waitFor(() => api.callsOf('getUpdates').length === 1);
    await api.close();
    expect(await (await poll).json()).toEqual({ ok: true, result: [] });
  });

  it('waitFor reports recent calls when it times out', async () => {
    await bot.api.sendMessage(alice.id, 'something');
    await expect(api.waitFor(() => false, 50)).rejects.toThrow(/sendMessage .*something/);
  });
});
