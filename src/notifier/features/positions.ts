import * as cmd from '../../commands/index.js';
import { duration, esc, money, pct, price, qty } from '../format.js';
import { encodeCallback } from '../codec.js';
import { outcomeText } from '../render-outcome.js';
import { REFRESH_ROW } from '../render.js';
import type { ChatFeature } from './feature.js';

/** `/positions`: the list with a Close button per position (confirmed by a second tap). */
export const positions: ChatFeature = {
  commands: [{ command: 'positions', description: 'Open positions, with Close buttons', run: ({ rt }) => cmd.positions(rt) }],
  taps: {
    close({ rt }, id) {
      const p = rt.portfolio.heldPositions().find((x) => x.id === id);
      if (!p) return { ok: false, text: `No open position ${id}.` };
      return {
        ok: true,
        text: 'Confirm the close.',
        reply: {
          html: `Close <b>${esc(p.symbol)}</b> ${esc(p.id)} (${p.mode}) at market?`,
          buttons: [[{ text: `✅ Yes, close ${p.symbol}`, data: encodeCallback('closeyes', p.id) }]],
        },
      };
    },
    async closeyes({ rt }, id) {
      const r = await rt.trades.closePosition(id);
      return { ok: r.ok, text: outcomeText(r.outcome, rt.config.quote) };
    },
    // Telegram answers it with a photo (src/notifier/telegram/features/positions.ts).
    chart: () => ({ ok: false, text: 'Charts are shown in the Telegram chat.' }),
  },
  views: {
    positions: (v) => {
    if (!v.positions.length && !v.pending.length) return { html: 'No open positions.', buttons: [REFRESH_ROW('positions')] };
    const lines = ['<b>Open positions</b>'];
    for (const p of v.positions) {
      lines.push(
        `${p.mode === 'live' ? '💰' : '📝'} <b>${esc(p.symbol)}</b> ${p.side === 'short' ? 'SHORT' : 'LONG'} ${qty(p.qty)} @ ${price(p.entryPrice)} → ${price(p.mark)} ` +
        `· unrealized ${money(p.pnl, true)} (${pct(p.pnlPercent, 2, true)})\n   ` +
        (p.heldMs !== undefined ? `held ${duration(p.heldMs)} · ` : '') +
        `stop ${price(p.stop)} · target ${price(p.target)} · ${esc(p.id)}${p.closing ? ' · closing' : ''}`,
      );
    }
    for (const p of v.pending) lines.push(`⏳ ${esc(p.symbol)} ${p.side === 'short' ? 'SHORT' : 'LONG'} ${qty(p.qty)} — entry waiting for the next open`);
    const buttons = v.positions.filter((p) => !p.closing).map((p) => [{ text: `Close ${p.symbol} (${p.id})`, data: encodeCallback('close', p.id) }]);
    return { html: lines.join('\n'), buttons: [...buttons, REFRESH_ROW('positions')] };
    },
  },
};
