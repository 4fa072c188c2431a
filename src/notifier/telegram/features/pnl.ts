import { Composer, InputFile, type Context } from 'grammy';
import type { PnlView } from '../../../commands/views.js';
import { renderView } from '../../features/index.js';
import type { BotDeps } from '../deps.js';

/** Telegram's caption limit, characters. */
const CAPTION_MAX = 1024;

/**
 * `/pnl` in Telegram: the P&L and the `/stats` figures, with the realized equity curve as a photo
 * when charts are on and there are trades to draw — the text as its caption when it fits, else
 * the text first and the photo after it. A query with nothing to persist: with a chart it goes
 * straight out, like `/export`; without one, through the outbox like every other reply.
 */
export function pnlFeature(d: BotDeps): Composer<Context> {
  const rt = d.router.rt;
  const c = new Composer<Context>();
  c.command('pnl', async (ctx) => {
    const view = (await d.router.command('pnl')) as PnlView;
    const r = renderView(view, rt.config.quote);
    if (!rt.history || view.equity.length < 2) {
      d.reply(r, ctx.chat.id);
      return;
    }
    const { renderEquityChartAsync } = await import('../../charts/equity-chart.js');
    const png = new InputFile(await renderEquityChartAsync(view.equity, { title: `Realized equity (${rt.config.quote})` }), 'equity.png');
    if (r.html.length <= CAPTION_MAX) {
      await ctx.replyWithPhoto(png, { caption: r.html, parse_mode: 'HTML' });
      return;
    }
    await ctx.reply(r.html, { parse_mode: 'HTML' });
    await ctx.replyWithPhoto(png, { caption: `📈 Equity curve (${view.stats.totals.trades} closed trades)` });
  });
  return c;
}
