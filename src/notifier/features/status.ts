import * as cmd from '../../commands/index.js';
import { duration, esc, money, pct, utc } from '../format.js';
import { renderKpiLine } from '../render-kpi.js';
import { REFRESH_ROW, VENUE_BADGE } from '../render.js';
import type { ChatFeature } from './feature.js';

/** `/status` with its `🔄 Refresh` (which also redraws `/positions`). */
export const status: ChatFeature = {
  commands: [{ command: 'status', description: 'Mode, feed health, equity, risk headroom', run: ({ rt }) => cmd.status(rt) }],
  taps: {
    async refresh(ctx, id) {
      // Chats that cannot edit in place (the console) show the view again.
      if (id !== 'status' && id !== 'positions') return { ok: false, text: 'Nothing to refresh.' };
      return { ok: true, text: 'Refreshed.', reply: ctx.render(await ctx.command(id)) };
    },
  },
  views: {
    status: (v) => {
    const lines = [
      `<b>Status</b>: ${v.stopped ? '🛑 stopped (/resume)' : '▶️ running'}${v.circuitOpen ? ' · ⚠️ circuit breaker open' : ''}`,
      `Mode: ${v.mode}${v.venue ? ` · ${VENUE_BADGE[v.venue.mode]} on ${esc(v.venue.exchange)}` : ''} · uptime ${duration(v.uptimeMs)}`,
      ...(v.liveUnvalidated ? ['⚠️ Live allowed on unvalidated signals (execution.liveUnvalidated is on)'] : []),
      ...(v.pausedSignals ? [`⏸ ${v.pausedSignals} signal${v.pausedSignals === 1 ? '' : 's'} paused by the drift monitor (/signals)`] : []),
      `Feed: ${v.feed ? (v.feed.connected ? '🟢 connected' : '🔴 disconnected') : 'replay'}`,
      ...(v.feed?.details ?? []).map((d) => `  ${esc(d)}`),
      `Candles: ${v.candles.toLocaleString('en-US')}${v.lastCloseTime ? ` · last close ${utc(v.lastCloseTime)}` : ''}`,
      `Signals sent: ${v.cards}`,
      `Equity: ${money(v.equity)} ${esc(v.quote)} · day P&amp;L ${money(v.dayPnl, true)}`,
      `Positions: ${v.openPositions}/${v.maxOpenPositions} · trades today ${v.dayTrades}/${v.maxDailyTrades} · daily-loss headroom ${pct(v.dayLossHeadroomPercent, 1)}`,
      ...(v.kpi ? [renderKpiLine(v.kpi)] : []),
    ];
    return { html: lines.join('\n'), buttons: [REFRESH_ROW('status')] };
    },
  },
};
