import * as cmd from '../../commands/index.js';
import { esc, money, price, utc } from '../format.js';
import type { ChatFeature } from './feature.js';

/** `/trades [n]`: the last closed trades. */
export const trades: ChatFeature = {
  commands: [{
    command: 'trades', description: 'Last closed trades: /trades 10',
    run: ({ rt }, args) => cmd.trades(rt, args.trim() ? Number(args.trim()) : 10),
  }],
  views: {
    trades: (v) => {
    if (!v.trades.length) return { html: 'No closed trades yet.', buttons: [] };
    const lines = [`<b>Last ${v.trades.length} of ${v.total} trades</b>`];
    for (const t of v.trades) {
      lines.push(`${t.pnl >= 0 ? '💚' : '🔻'} ${esc(t.symbol)} ${utc(t.exitTime)} ${price(t.entryPrice)}→${price(t.exitPrice)} ${money(t.pnl, true)} (${esc(t.reason)})`);
    }
    return { html: lines.join('\n'), buttons: [] };
    },
  },
};
