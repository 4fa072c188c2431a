import { Composer, type Context } from 'grammy';
import type { PositionsView } from '../../../commands/views.js';
import { renderView } from '../../features/index.js';
import type { BotDeps } from '../deps.js';
import { keyboard } from '../keyboard.js';
import { renderPositions } from './positions.js';

/**
 * `🔄 Refresh` under `/status` and `/positions`: redraws the message in place with the view as it
 * is now (a query: nothing changes, so nothing waits for the disk). An unchanged view is answered
 * "Up to date" instead of an error.
 */
export function refreshFeature(d: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  c.callbackQuery(/^v1:refresh:(status|positions)$/, async (ctx) => {
    const which = ctx.match[1] as 'status' | 'positions';
    const view = await d.router.command(which);
    const r = which === 'positions' ? renderPositions(view as PositionsView, d) : renderView(view, d.router.rt.config.quote);
    let text = '🔄 Refreshed.';
    try {
      await ctx.editMessageText(r.html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true }, ...keyboard(r.buttons) });
    } catch (err) {
      if (!String((err as Error).message).includes('message is not modified')) throw err;
      text = 'Up to date.';
    }
    await ctx.answerCallbackQuery({ text });
  });
  return c;
}
