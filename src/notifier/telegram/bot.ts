import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, Composer, InputFile, type Context } from 'grammy';
import { FatalError } from '../../core/errors.js';
import { COMMANDS, renderView } from '../features/index.js';
import { exportFileName } from '../render-reports.js';
import { isAllowed } from './auth.js';
import type { BotDeps } from './deps.js';
import { FEATURES } from './features/index.js';

export type { BotDeps } from './deps.js';

/** Authorization for commands and taps alike; strangers get a refusal and are logged. */
function authComposer(d: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  c.use(async (ctx, next) => {
    if (ctx.update.update_id <= d.lastUpdateId()) {
      d.log.warn({ update_id: ctx.update.update_id }, 'skipping an update handled before');
      return;
    }
    d.setLastUpdateId(ctx.update.update_id);
    if (isAllowed(d.policy, ctx.from?.id, ctx.chat?.id)) {
      await next();
      // grammY confirms the update to Telegram with its next getUpdates: only once its effects
      // (and the offset) are on disk, so a crash in between re-delivers it instead of losing it.
      await d.commit();
      return;
    }
    d.log.warn({ update_id: ctx.update.update_id, user_id: ctx.from?.id, chat_id: ctx.chat?.id }, 'refused an unauthorized user');
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: '⛔ You are not authorized to use this bot.', show_alert: true });
    else if (ctx.chat) await ctx.reply('⛔ You are not authorized to use this bot.');
  });
  return c;
}

/** One composer for all commands: each is a plain function returning a view model. */
function commandsComposer(d: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  for (const { command } of COMMANDS) {
    c.command(command, async (ctx) => {
      const view = await d.router.command(command, typeof ctx.match === 'string' ? ctx.match : '');
      const quote = d.router.rt.config.quote;
      if (view.kind === 'export') {
        // A query's answer, nothing to persist: sent as a file straight away.
        await ctx.replyWithDocument(new InputFile(Buffer.from(view.csv, 'utf8'), exportFileName(view.at)), {
          caption: renderView(view, quote).html, parse_mode: 'HTML',
        });
        return;
      }
      d.reply(renderView(view, quote), ctx.chat.id);
      if (command === 'stop') {
        const follow = d.router.stopFollowUp();
        if (follow) d.reply(follow, ctx.chat.id);
      }
    });
  }
  c.on('message:text', async (ctx) => {
    await ctx.reply('I understand commands only. /help lists them.');
  });
  return c;
}

/** Button taps: every tap is answered; forged or stale data is refused without effect. */
function callbacksComposer(d: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  c.on('callback_query:data', async (ctx) => {
    const r = await d.router.tap(ctx.callbackQuery.data);
    if (r.refused) d.log.warn({ update_id: ctx.update.update_id, data: ctx.callbackQuery.data.slice(0, 64) }, 'refused unknown callback data');
    if (r.reply) d.reply(r.reply, ctx.chat?.id ?? ctx.from.id);
    // What the toast reports is on disk before it is shown.
    const saved = await d.commit();
    await ctx.answerCallbackQuery({ text: (saved ? r.text : `${r.text} ⚠️ Not saved yet: the state file cannot be written.`).slice(0, 200) });
  });
  c.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: 'This button is not recognised.' }));
  return c;
}

/**
 * Builds the grammY bot from its dependencies; starts nothing. Outgoing calls go through
 * auto-retry, so a 429 is waited out and retried rather than dropped.
 */
export function createBot(token: string, d: BotDeps): Bot {
  const bot = new Bot(token, { client: { apiRoot: d.apiRoot }, ...(d.botInfo ? { botInfo: d.botInfo } : {}) });
  // Bot API errors come back as { ok: false } results, network errors as throws: both count.
  let failures = 0;
  let lastOk = Date.now();
  let reported = false;
  const failed = (why: string, cause?: unknown) => {
    failures++;
    const downMs = Date.now() - lastOk;
    if (reported || (failures < (d.maxPollFailures ?? 20) && downMs < (d.pollDeadAfterMs ?? 300_000))) return;
    reported = true;
    d.onPollingDead?.(new FatalError(`Telegram getUpdates failed ${failures} times in a row over ${Math.round(downMs / 1000)} s (last: ${why})`, { cause }));
  };
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== 'getUpdates') return prev(method, payload, signal);
    try {
      const r = await prev(method, payload, signal);
      if (r.ok) {
        failures = 0;
        lastOk = Date.now();
      }
      else failed(`${r.error_code}: ${r.description}`);
      return r;
    } catch (err) {
      // An aborted poll is bot.stop(), not a failure.
      if (!signal?.aborted) failed((err as Error).message, err);
      throw err;
    }
  });
  // Installed after (so called before) the counter: every attempt auto-retry makes is counted,
  // including the network errors it would otherwise retry for ever.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  bot.use(authComposer(d));
  bot.errorBoundary((err) => d.log.error({ err: err.error, update_id: err.ctx.update.update_id }, 'command failed'))
    .use(...FEATURES.map((f) => f(d)), commandsComposer(d), callbacksComposer(d));
  bot.catch((err) => d.log.error({ err: err.error }, 'telegram handler failed'));
  return bot;
}

/** The commands menu, for setMyCommands. */
export function commandMenu() {
  return COMMANDS.map((c) => ({ command: c.command, description: c.description }));
}
