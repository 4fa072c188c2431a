import * as cmd from '../../commands/index.js';
import { esc, money, qty } from '../format.js';
import { explain } from '../render-live.js';
import type { ChatFeature } from './feature.js';

/** `/balance`: the paper account, or the exchange's balances in live mode. */
export const balance: ChatFeature = {
  commands: [{ command: 'balance', description: 'Paper account or exchange balances', run: ({ rt }) => cmd.balance(rt) }],
  views: {
    'balance-unavailable': (v) => ({ html: esc(`Exchange balance unavailable: ${explain(v.failure, v.quote)}`), buttons: [] }),
    balance: (v) => {
    const lines = [`<b>Balance</b> (${v.source === 'paper' ? 'paper account' : 'exchange'})`];
    for (const b of v.balances) lines.push(`${esc(b.asset)}: ${b.asset === v.quote ? money(b.total) : qty(b.total)}${b.free !== b.total ? ` (free ${qty(b.free)})` : ''}`);
    lines.push(`Equity: ${money(v.equity)} ${esc(v.quote)}`);
    return { html: lines.join('\n'), buttons: [] };
    },
  },
};
