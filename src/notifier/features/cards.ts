import type { ActionResult } from '../../kernel/trade-service.js';
import { outcomeText } from '../render-outcome.js';
import type { ChatFeature, TapResult } from './feature.js';

/** An action's outcome as a tap's toast. */
function toast(r: ActionResult, quote: string): TapResult {
  return { ok: r.ok, text: outcomeText(r.outcome, quote) };
}

/** A card's buttons: paper-trade, skip, and the live flow (Live…, Confirm, Cancel). */
export const cards: ChatFeature = {
  taps: {
    paper: ({ rt }, id) => toast(rt.trades.paper(id), rt.config.quote),
    skip: ({ rt }, id) => toast(rt.trades.skip(id), rt.config.quote),
    live: async ({ rt }, id) => toast(await rt.trades.live(id), rt.config.quote),
    confirm: async ({ rt }, id) => toast(await rt.trades.confirm(id), rt.config.quote),
    cancel: async ({ rt }, id) => (rt.trades.d.live ? toast(await rt.trades.cancel(id), rt.config.quote) : { ok: false, text: 'Nothing to cancel.' }),
  },
};
