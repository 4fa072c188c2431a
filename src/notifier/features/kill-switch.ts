import type { Runtime } from '../../kernel/kernel.js';
import { encodeCallback } from '../codec.js';
import { outcomeText } from '../render-outcome.js';
import type { Rendered } from '../rendered.js';
import type { ChatFeature } from './feature.js';

/** `/stop` and `/resume`, and the close-all offer that follows a `/stop` with positions open. */
export const killSwitch: ChatFeature = {
  commands: [
    { command: 'stop', description: 'Kill switch: no new positions', run: async ({ rt }) => ({ kind: 'text', text: outcomeText((await rt.trades.stop()).outcome, rt.config.quote) }) },
    { command: 'resume', description: 'Allow new positions again', run: ({ rt }) => ({ kind: 'text', text: outcomeText(rt.trades.resume().outcome, rt.config.quote) }) },
  ],
  taps: {
    async closeall({ rt }) {
      // The offer belongs to a /stop: after /resume it is stale and closes nothing.
      if (!rt.risk.state.killSwitch) return { ok: false, text: 'This offer was for a /stop that has been undone; nothing was closed.' };
      const ids = rt.portfolio.heldPositions().map((p) => p.id);
      let ok = 0;
      for (const id of ids) if ((await rt.trades.closePosition(id)).ok) ok++;
      return { ok: true, text: `Closing ${ok} of ${ids.length} positions.` };
    },
    keepall: () => ({ ok: true, text: 'Positions kept, with their stops and targets.' }),
  },
};

/** Buttons offered after `/stop` when positions are open, or null. */
export function stopFollowUp(rt: Runtime): Rendered | null {
  const n = rt.portfolio.heldPositions().length;
  if (!n) return null;
  return {
    html: `${n} position${n === 1 ? ' is' : 's are'} open. Close ${n === 1 ? 'it' : 'them'} now?`,
    buttons: [[
      { text: 'Close all positions', data: encodeCallback('closeall', 'all') },
      { text: 'Keep positions', data: encodeCallback('keepall', 'all') },
    ]],
  };
}
