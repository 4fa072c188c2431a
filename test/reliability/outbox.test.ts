import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../../src/app/live.js';
import type { State } from '../../src/store/schema.js';
import { waitFor } from '../fakes/binance/harness.js';
import { OWNER, fireCard, liveEnv, type LiveEnv } from '../live/harness.js';

// The write-ahead outbox across a crash: what was recorded but not yet sent is sent after the
// restart, once; an edit of a card that was already sent edits it, never re-sends it.
describe('persisted outbox across a restart (Telegram)', () => {
  let env: LiveEnv;
  beforeAll(async () => {
    env = await liveEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  const paperBot = () => startBot({
    mode: 'paper', config: env.configPath, input: null, output: new Writable({ write: (_c, _e, cb) => cb() }),
    chatPacingMs: 0, clock: env.fake.clock, rules: [env.rule], feed: { tickMs: 20, rateLimitMs: 1 },
  });

  it('delivers an unsent card once and turns a pending edit into an edit', async () => {
    const bot = await paperBot();
    await waitFor(() => bot.feed.health().connected, 'feed connected');
    const btc = await fireCard(env, bot, 'BTCUSDT');
    const eth = await fireCard(env, bot, 'ETHUSDT');
    await bot.stop('test');

    // The crash to simulate: ETH's card was written with its outbox entry, but the process died
    // before Telegram got it; BTC's card had been sent and an edit of it was still queued.
    const path = join(env.dir, 'state.json');
    const state = JSON.parse(readFileSync(path, 'utf8')) as State;
    const ethCard = state.cards.find((c) => c.id === eth.card.id)!;
    delete ethCard.message;
    state.cards.find((c) => c.id === btc.card.id)!.status = 'skipped';
    state.outbox.items = [{ id: 90, kind: 'edit', cardId: btc.card.id }, { id: 91, kind: 'card', cardId: eth.card.id }];
    writeFileSync(path, JSON.stringify(state));
    // A card goes out as text or as its chart's caption; later states edit the one or the other.
    const body = (c: { payload: { text?: unknown; caption?: unknown } }) => String(c.payload.text ?? c.payload.caption);
    const sends = (re: RegExp) => [...env.api.callsOf('sendMessage'), ...env.api.callsOf('sendPhoto')].filter((c) => re.test(body(c))).length;
    const edits = () => [...env.api.callsOf('editMessageText'), ...env.api.callsOf('editMessageCaption')];
    const ethBefore = sends(/BUY ETHUSDT/);
    const btcBefore = sends(/BUY BTCUSDT/);

    const again = await paperBot();
    await env.api.waitFor(() => sends(/BUY ETHUSDT/) > ethBefore);
    await env.api.waitFor(() => edits().some((c) => c.payload.message_id === btc.msg.message_id && /Skipped/.test(body(c))));
    await again.chat.flush();
    await again.stop('test');
    expect(sends(/BUY ETHUSDT/)).toBe(ethBefore + 1);
    expect(sends(/BUY BTCUSDT/)).toBe(btcBefore);
    const after = JSON.parse(readFileSync(path, 'utf8')) as State;
    expect(after.outbox.items).toEqual([]);
    expect(after.cards.find((c) => c.id === eth.card.id)!.message?.chatId).toBe(OWNER.id);
  });
});
