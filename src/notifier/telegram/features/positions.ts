import { Composer, InputFile, type Context } from 'grammy';
import type { PositionsView } from '../../../commands/views.js';
import { encodeCallback } from '../../codec.js';
import { esc, money, pct, price } from '../../format.js';
import { type Rendered } from '../../render.js';
import { renderView } from '../../features/index.js';
import type { BotDeps } from '../deps.js';

/**
 * `/positions` in Telegram: the list (time in position, unrealized P&L) with a Close button per
 * position, a `📈 Chart` button beside it when charts are on, and `🔄 Refresh`. A Chart tap
 * answers with a photo of the position's instrument and timeframe — the last 100 candles with
 * entry, stop and target, its signal candle marked — rendered on demand (a query, nothing to
 * persist, so it goes straight out like `/export`).
 */
export function positionsFeature(d: BotDeps): Composer<Context> {
  const rt = d.router.rt;
  const c = new Composer<Context>();
  c.command('positions', async (ctx) => {
    const view = await d.router.command('positions');
    d.reply(renderPositions(view as PositionsView, d), ctx.chat.id);
  });
  c.callbackQuery(/^v1:chart:([A-Za-z0-9_-]{1,40})$/, async (ctx) => {
    const id = ctx.match[1];
    const view = (await d.router.command('positions')) as PositionsView;
    const p = view.positions.find((x) => x.id === id);
    const history = rt.history;
    // Charts load on first use (echarts and resvg are heavy).
    const { CARD_CHART_CANDLES, renderCardChartAsync } = await import('../../charts/card-chart.js');
    const candles = p && p.timeframe && history ? history.last(p.symbol, p.timeframe, CARD_CHART_CANDLES) : [];
    if (!p || !p.timeframe || !candles.length) {
      await ctx.answerCallbackQuery({ text: p ? `No candles of ${p.symbol} yet to chart.` : `No open position ${id}.` });
      return;
    }
    await ctx.answerCallbackQuery({ text: `📈 ${p.symbol}` });
    const paper = rt.broker.account.positions.find((x) => x.id === id);
    const signalTime = paper ? (rt.engine.cards.get(paper.cardId)?.createdAt ?? -1) : -1;
    const png = await renderCardChartAsync({
      candles, entry: p.entryPrice, stop: p.stop, target: p.target, signalTime, direction: p.side === 'short' ? 'short' : 'long',
      title: `${p.symbol} · ${p.timeframe} · position ${p.id}`,
    });
    await ctx.replyWithPhoto(new InputFile(png, `${p.symbol}-${p.id}.png`), {
      caption: `${p.mode === 'live' ? '💰' : '📝'} <b>${esc(p.symbol)}</b> ${esc(p.id)} · entry ${price(p.entryPrice)} → ${price(p.mark)} · ` +
        `unrealized ${money(p.pnl, true)} (${pct(p.pnlPercent, 2, true)})`,
      parse_mode: 'HTML',
    });
  });
  return c;
}

/** The positions message with a Chart button beside each Close button when charts are on. */
export function renderPositions(view: PositionsView, d: BotDeps): Rendered {
  const r = renderView(view, d.router.rt.config.quote);
  if (!d.router.rt.history) return r;
  return {
    html: r.html,
    buttons: r.buttons.map((row) => {
      const close = row.find((b) => b.data.startsWith('v1:close:'));
      return close ? [...row, { text: '📈 Chart', data: encodeCallback('chart', close.data.slice('v1:close:'.length)) }] : row;
    }),
  };
}
