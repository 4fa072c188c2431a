import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/notifier/telegram/bot.js';
import { createLogger } from '../../src/core/log.js';
import type { ChatRouter } from '../../src/notifier/router.js';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.js';

// A bot whose getUpdates keeps failing cannot hear /stop: after `maxPollFailures` failures in a
// row it reports itself dead (the app then alerts the owner and exits for the supervisor).
describe('Telegram polling that keeps failing', () => {
  let api: FakeTelegramApi;
  beforeAll(async () => {
    api = await startFakeTelegramApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('reports dead after 2 failed polls in a row (each attempt of auto-retry counts), once', async () => {
    const dead: Error[] = [];
    const bot = createBot(api.token, {
      router: {} as ChatRouter, policy: { allowedUserIds: [], chatId: 1 }, log: createLogger(), apiRoot: api.apiRoot,
      lastUpdateId: () => 0, setLastUpdateId: () => {}, reply: () => {}, commit: async () => true,
      maxPollFailures: 2, onPollingDead: (e) => dead.push(e), botInfo: api.botUser,
    });
    api.failNext('getUpdates', { code: 502, description: 'Bad Gateway' }, 2);
    const polling = bot.start({ timeout: 0 });
    await api.waitFor(() => dead.length > 0, 20_000);
    await bot.stop();
    await polling;
    expect(dead.map((e) => e.message)).toEqual([expect.stringMatching(/^Telegram getUpdates failed 2 times in a row over \d+ s \(last: 502: Bad Gateway\)$/)]);
  }, 30_000);
});
