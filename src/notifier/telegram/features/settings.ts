import { Menu, type MenuFlavor } from '@grammyjs/menu';
import { Composer, type Context } from 'grammy';
import * as cmd from '../../../commands/index.js';
import {
  SETTABLE_TOPICS, applySettingsArgs, levelOf, nextLevel, setLevel, setQuietHours, settingsOf, unmute, type SettingsOutcome,
} from '../../../store/settings.js';
import { levelLabel, quietLabel, renderSettings, settingsOutcomeText, TOPIC_NAME } from '../../render-settings.js';
import type { BotDeps } from '../deps.js';

type Ctx = Context & MenuFlavor;

/** Quiet hours the menu's toggle sets (the command sets any others: `/settings quiet 23:00 07:00 Europe/Berlin`). */
const DEFAULT_QUIET = { start: '22:00', end: '07:00' };

/**
 * `/settings`: the owner's notification settings as a message with an inline menu
 * (@grammyjs/menu): one button per kind of message cycling 🔔 loud → 🔕 silent → 🚫 off, a
 * quiet-hours toggle, and an Unmute button per muted instrument. `/settings <args>` changes one
 * setting by text (the console's way too). Every change is on disk before the menu shows it.
 * The message itself is a query's answer and goes straight out, like `/export`: the menu's
 * buttons are drawn by the menu plugin at send time, which the outbox cannot do.
 */
export function settingsFeature(d: BotDeps): Composer<Context> {
  const rt = d.router.rt;
  const s = () => settingsOf(rt.store.data);
  /** Persists a change, then redraws the menu and says what changed. */
  const changed = async (ctx: Ctx, o: SettingsOutcome) => {
    rt.store.save();
    const saved = await d.commit();
    await ctx.answerCallbackQuery({ text: `${settingsOutcomeText(o)}${saved ? '' : ' ⚠️ Not saved yet: the state file cannot be written.'}`.slice(0, 200) });
    // The message text lists the settings too: redraw it with the menu.
    await ctx.editMessageText(renderSettings(cmd.settings(rt)).html, { parse_mode: 'HTML', reply_markup: menu }).catch((err: Error) => {
      if (!err.message.includes('message is not modified')) throw err;
    });
  };
  const menu = new Menu<Ctx>('settings', { autoAnswer: false, onMenuOutdated: 'Updated, try again.' }).dynamic((_ctx, range) => {
    for (const t of SETTABLE_TOPICS) {
      range.text(`${TOPIC_NAME[t]}: ${levelLabel(levelOf(s(), t))}`, (ctx) => changed(ctx, setLevel(s(), t, nextLevel(levelOf(s(), t))))).row();
    }
    const q = s().quietHours;
    range.text(`🌙 Quiet hours: ${quietLabel(q)}`, (ctx) =>
      changed(ctx, q ? setQuietHours(s(), 'off') : setQuietHours(s(), DEFAULT_QUIET.start, DEFAULT_QUIET.end, 'UTC'))).row();
    const now = rt.clock.now();
    for (const [symbol, until] of Object.entries(s().mutes)) {
      if (until > now) range.text(`🔔 Unmute ${symbol}`, (ctx) => changed(ctx, unmute(s(), symbol))).row();
    }
  });
  const c = new Composer<Ctx>();
  c.use(menu);
  c.command('settings', async (ctx) => {
    const args = typeof ctx.match === 'string' ? ctx.match.trim() : '';
    const outcome = args ? applySettingsArgs(s(), args, rt.clock.now()) : undefined;
    if (outcome?.ok) {
      rt.store.save();
      await d.commit();
    }
    await ctx.reply(renderSettings(cmd.settings(rt, outcome)).html, { parse_mode: 'HTML', reply_markup: menu });
  });
  return c as unknown as Composer<Context>;
}
