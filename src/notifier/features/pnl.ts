import * as cmd from '../../commands/index.js';
import { esc, money, pct } from '../format.js';
import { renderReport } from '../render-reports.js';
import type { ChatFeature } from './feature.js';

/** `/pnl`: P&L and the `/stats` figures (Telegram adds the equity curve: telegram/features/pnl.ts). */
export const pnl: ChatFeature = {
  commands: [{ command: 'pnl', description: 'P&L today, all time and per signal; stats; equity curve', run: ({ rt }) => cmd.pnl(rt) }],
  views: {
    pnl: (v) => {
    const lines = [
      '<b>P&amp;L</b>',
      `Today: ${money(v.dayPnl, true)} ${esc(v.quote)}`,
      `All time: ${money(v.allTimePnl, true)} ${esc(v.quote)} · unrealized ${money(v.unrealized, true)}`,
    ];
    for (const s of v.perSignal) {
      lines.push(`• ${esc(s.signalId)}: ${s.trades} trades, WR ${pct(s.winRate * 100, 0)}` +
        (s.backtestWinRate !== undefined ? ` (backtest ${pct(s.backtestWinRate * 100, 0)})` : '') + `, ${money(s.pnl, true)}`);
    }
    // The same figures as /stats, under the P&L.
    if (v.stats.totals.trades) lines.push('', renderReport(v.stats, v.quote).html);
    return { html: lines.join('\n'), buttons: [] };
    },
  },
};
