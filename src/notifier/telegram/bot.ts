import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, Composer, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { COMMANDS } from '../../commands/index.js';
import type { Logger } from '../logger.js';
import { renderView, type Rendered } from '../render.js';
import type { ChatRouter } from '../router.js';
import { isAllowed, type AccessPolicy } from './auth.js';
import { keyboard } from './keyboard.js';

export interface BotDeps {
  router: ChatRouter;
  policy: AccessPolicy;
  log: Logger;
  apiRoot: string;
  /** Updates with an id ≤ this were handled before a restart; they are skipped if re-delivered. */
  lastUpdateId: () => number;
  setLastUpdateId: (id: number) => void;
  botInfo?: UserFromGetMe;
}

/** Sends a rendered view as a reply in the same chat. */
async function replyRendered(ctx: Context, r: Rendered): Promise<void> {
  await ctx.reply(r.html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...keyboard(r.buttons) });
}

/** Authorization for commands and taps alike; strangers get a refusal and are logged. */
function authComposer(d: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  c.use(async (ctx, next) => {
    if (ctx.update.update_id <= d.lastUpdateId()) {
      d.log.warn({ update_id: ctx.update.update_id }, 'skipping an update handled before');
      return;
    }
    d.setLastUpdateId(ctx.update.update_id);
    if (isAllowed(d.policy, ctx.from?.id, ctx.chat?.id)) return next();
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
      await replyRendered(ctx, renderView(view));
      if (command === 'stop') {
        const follow = d.router.stopFollowUp();
        if (follow) await replyRendered(ctx, follow);
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
    await ctx.answerCallbackQuery({ text: r.text.slice(0, 200) });
    if (r.reply) await replyRendered(ctx, r.reply);
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
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  bot.use(authComposer(d));
  bot.errorBoundary((err) => d.log.error({ err: err.error, update_id: err.ctx.update.update_id }, 'command failed'))
    .use(commandsComposer(d), callbacksComposer(d));
  bot.catch((err) => d.log.error({ err: err.error }, 'telegram handler failed'));
  return bot;
}

/** The commands menu, for setMyCommands. */
export function commandMenu() {
  return COMMANDS.map((c) => ({ command: c.command, description: c.description }));
}
