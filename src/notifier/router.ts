import type { Runtime } from '../kernel/kernel.js';
import * as cmd from '../commands/index.js';
import type { View } from '../commands/views.js';
import type { Position } from '../portfolio/types.js';
import type { ActionResult } from '../kernel/trade-service.js';
import { outcomeText } from './render-outcome.js';
import { decodeCallback, encodeCallback } from './codec.js';
import { renderResumeConfirm, renderView, resumeText, type Rendered } from './render.js';
import { settingsOutcomeText } from './render-settings.js';
import { applySettingsArgs, mute, settingsOf } from '../store/settings.js';
import { esc } from './format.js';

/** What a tap produced: whether it worked, the toast text, and optionally a new message (confirmations). */
export interface TapResult {
  ok: boolean;
  text: string;
  /** The callback data was not ours (forged, old version, truncated): refused without effect. */
  refused?: boolean;
  reply?: Rendered;
}

/** An action's result as a tap's toast. */
function toast(r: ActionResult, quote: string): TapResult {
  return { ok: r.ok, text: outcomeText(r.outcome, quote) };
}

/**
 * Routes commands and taps to the commands and the trade service, for every chat adapter
 * (Telegram, console). It knows nothing about transports; adapters authorize first, then call it.
 */
export class ChatRouter {
  constructor(readonly rt: Runtime) {}

  /** Runs a command (`status`, `trades` …) with its argument text; unknown commands get help. */
  async command(name: string, args = ''): Promise<View> {
    const rt = this.rt;
    switch (name) {
      case 'start': return cmd.start(rt);
      case 'help': return cmd.help();
      case 'status': return cmd.status(rt);
      case 'positions': return cmd.positions(rt);
      case 'trades': return cmd.trades(rt, args.trim() ? Number(args.trim()) : 10);
      case 'pnl': return cmd.pnl(rt);
      case 'balance': return cmd.balance(rt);
      case 'signals': return cmd.signals(rt);
      case 'daily': return cmd.periods(rt, 'day', Number(args.trim()));
      case 'weekly': return cmd.periods(rt, 'week', Number(args.trim()));
      case 'monthly': return cmd.periods(rt, 'month', Number(args.trim()));
      case 'performance': return cmd.performance(rt);
      case 'stats': return cmd.stats(rt);
      case 'export': return cmd.exportTrades(rt);
      case 'kpi': return cmd.kpi(rt);
      case 'settings': {
        if (!args.trim()) return cmd.settings(rt);
        const outcome = applySettingsArgs(settingsOf(rt.store.data), args, rt.clock.now());
        if (outcome.ok) rt.store.save();
        return cmd.settings(rt, outcome);
      }
      case 'resume': return { kind: 'text', text: outcomeText(rt.trades.resume().outcome, rt.config.quote) };
      case 'stop': return { kind: 'text', text: outcomeText((await rt.trades.stop()).outcome, rt.config.quote) };
      default:
        return { kind: 'text', text: `Unknown command /${name}. /help lists the commands.` };
    }
  }

  /** Buttons offered after `/stop` when positions are open. */
  stopFollowUp(): Rendered | null {
    const n = this.#held().length;
    if (!n) return null;
    return {
      html: `${n} position${n === 1 ? ' is' : 's are'} open. Close ${n === 1 ? 'it' : 'them'} now?`,
      buttons: [[
        { text: 'Close all positions', data: encodeCallback('closeall', 'all') },
        { text: 'Keep positions', data: encodeCallback('keepall', 'all') },
      ]],
    };
  }

  #held(): Position[] {
    return this.rt.portfolio.heldPositions();
  }

  /** Handles callback data from a button. Anything not produced by our codec is refused. */
  async tap(data: string | undefined): Promise<TapResult> {
    const cb = decodeCallback(data);
    if (!cb) return { ok: false, refused: true, text: 'This button is not recognised.' };
    const t = this.rt.trades;
    switch (cb.action) {
      case 'paper': return toast(t.paper(cb.id), this.rt.config.quote);
      case 'skip': return toast(t.skip(cb.id), this.rt.config.quote);
      case 'live': return toast(await t.live(cb.id), this.rt.config.quote);
      case 'confirm': return toast(await t.confirm(cb.id), this.rt.config.quote);
      case 'cancel': return t.d.live ? toast(await t.cancel(cb.id), this.rt.config.quote) : { ok: false, text: 'Nothing to cancel.' };
      case 'close': {
        const p = this.#held().find((x) => x.id === cb.id);
        if (!p) return { ok: false, text: `No open position ${cb.id}.` };
        return {
          ok: true,
          text: 'Confirm the close.',
          reply: {
            html: `Close <b>${esc(p.symbol)}</b> ${esc(p.id)} (${p.mode}) at market?`,
            buttons: [[{ text: `✅ Yes, close ${p.symbol}`, data: encodeCallback('closeyes', p.id) }]],
          },
        };
      }
      case 'closeyes': return toast(await t.closePosition(cb.id), this.rt.config.quote);
      case 'closeall': {
        // The offer belongs to a /stop: after /resume it is stale and closes nothing.
        if (!this.rt.risk.state.killSwitch) return { ok: false, text: 'This offer was for a /stop that has been undone; nothing was closed.' };
        const ids = this.#held().map((p) => p.id);
        const results = [];
        for (const id of ids) results.push(await t.closePosition(id));
        const ok = results.filter((r) => r.ok).length;
        return { ok: true, text: `Closing ${ok} of ${ids.length} positions.` };
      }
      case 'keepall':
        return { ok: true, text: 'Positions kept, with their stops and targets.' };
      case 'resume': {
        // First tap of a drift alert's Resume button: ask again.
        const signalId = this.rt.drift.pausedByKey(cb.id);
        if (!signalId) return { ok: false, text: resumeText({ ok: false, reason: 'not-paused' }) };
        return { ok: true, text: 'Confirm the resume.', reply: renderResumeConfirm(signalId, cb.id) };
      }
      case 'resumeyes': {
        const r = this.rt.drift.resume(cb.id);
        return { ok: r.ok, text: resumeText(r) };
      }
      case 'mute': {
        const card = this.rt.engine.cards.get(cb.id);
        if (!card) return { ok: false, text: 'This card is no longer known.' };
        const r = mute(settingsOf(this.rt.store.data), card.symbol, this.rt.clock.now());
        this.rt.store.save();
        return { ok: true, text: settingsOutcomeText(r) };
      }
      case 'refresh': {
        // Chats that cannot edit in place (the console) show the view again.
        if (cb.id !== 'status' && cb.id !== 'positions') return { ok: false, text: 'Nothing to refresh.' };
        return { ok: true, text: 'Refreshed.', reply: renderView(await this.command(cb.id), this.rt.config.quote) };
      }
      case 'chart':
        // Telegram answers it with a photo (src/notifier/telegram/features/positions.ts).
        return { ok: false, text: 'Charts are shown in the Telegram chat.' };
    }
  }
}
