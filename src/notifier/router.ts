import type { Runtime } from '../app/runtime.js';
import * as cmd from '../commands/index.js';
import type { BalanceView, PositionsView, TextView, View } from '../commands/views.js';
import type { ActionResult, LiveAnswer } from '../execution/trade-service.js';
import { outcomeText } from './render-outcome.js';
import { decodeCallback, encodeCallback } from './codec.js';
import { renderResumeConfirm, resumeText, type Rendered } from './render.js';
import { esc } from './format.js';

/** What a tap produced: whether it worked, the toast text, and optionally a new message (confirmations). */
export interface TapResult {
  ok: boolean;
  text: string;
  /** The callback data was not ours (forged, old version, truncated): refused without effect. */
  refused?: boolean;
  reply?: Rendered;
}

/** Optional overrides for live mode (exchange balances, live positions, live close, live /stop handling). */
export interface RouterExtras {
  /** `/balance` (live: exchange balances, or why they are unavailable). */
  balance?: () => Promise<BalanceView | TextView>;
  /** `/positions` (live: live and paper positions). */
  positions?: () => Promise<PositionsView>;
  /** Open live positions, for Close buttons, close-all and the `/stop` follow-up. */
  livePositions?: () => { id: string; symbol: string }[];
  /** Runs after the kill switch is set (live: cancel confirmations and unfilled orders). */
  onStop?: () => Promise<string | undefined>;
  /** Closes a live position; paper positions close through the simulated broker. */
  closeLive?: (positionId: string) => Promise<LiveAnswer | null>;
}

/** An action's result as a tap's toast. */
function toast(r: ActionResult): TapResult {
  return { ok: r.ok, text: outcomeText(r.outcome) };
}

/**
 * Routes commands and taps to the commands and the trade service, for every chat adapter
 * (Telegram, console). It knows nothing about transports; adapters authorize first, then call it.
 */
export class ChatRouter {
  constructor(readonly rt: Runtime, readonly extras: RouterExtras = {}) {}

  /** Runs a command (`status`, `trades` …) with its argument text; unknown commands get help. */
  async command(name: string, args = ''): Promise<View> {
    const rt = this.rt;
    switch (name) {
      case 'start': return cmd.start(rt);
      case 'help': return cmd.help();
      case 'status': return cmd.status(rt);
      case 'positions': return this.extras.positions ? this.extras.positions() : cmd.positions(rt);
      case 'trades': return cmd.trades(rt, args.trim() ? Number(args.trim()) : 10);
      case 'pnl': return cmd.pnl(rt);
      case 'balance': return this.extras.balance ? this.extras.balance() : cmd.paperBalance(rt);
      case 'signals': return cmd.signals(rt);
      case 'daily': return cmd.periods(rt, 'day', Number(args.trim()));
      case 'weekly': return cmd.periods(rt, 'week', Number(args.trim()));
      case 'monthly': return cmd.periods(rt, 'month', Number(args.trim()));
      case 'performance': return cmd.performance(rt);
      case 'stats': return cmd.stats(rt);
      case 'export': return cmd.exportTrades(rt);
      case 'kpi': return cmd.kpi(rt);
      case 'resume': return { kind: 'text', text: outcomeText(rt.trades.resume().outcome) };
      case 'stop': {
        let text = outcomeText(rt.trades.stop().outcome);
        const extra = await this.extras.onStop?.();
        if (extra) text += ` ${extra}`;
        return { kind: 'text', text };
      }
      default:
        return { kind: 'text', text: `Unknown command /${name}. /help lists the commands.` };
    }
  }

  /** Buttons offered after `/stop` when positions are open. */
  stopFollowUp(): Rendered | null {
    const n = this.rt.broker.account.positions.length + (this.extras.livePositions?.().length ?? 0);
    if (!n) return null;
    return {
      html: `${n} position${n === 1 ? ' is' : 's are'} open. Close ${n === 1 ? 'it' : 'them'} now?`,
      buttons: [[
        { text: 'Close all positions', data: encodeCallback('closeall', 'all') },
        { text: 'Keep positions', data: encodeCallback('keepall', 'all') },
      ]],
    };
  }

  /** Handles callback data from a button. Anything not produced by our codec is refused. */
  async tap(data: string | undefined): Promise<TapResult> {
    const cb = decodeCallback(data);
    if (!cb) return { ok: false, refused: true, text: 'This button is not recognised.' };
    const t = this.rt.trades;
    switch (cb.action) {
      case 'paper': return toast(t.paper(cb.id));
      case 'skip': return toast(t.skip(cb.id));
      case 'live': return toast(await t.live(cb.id));
      case 'confirm': return toast(await t.confirm(cb.id));
      case 'cancel': return t.d.live ? toast(await t.cancel(cb.id)) : { ok: false, text: 'Nothing to cancel.' };
      case 'close': {
        const paper = this.rt.broker.account.positions.find((x) => x.id === cb.id);
        const live = this.extras.livePositions?.().find((x) => x.id === cb.id);
        const p = paper ?? (live ? { ...live, mode: 'live' } : null);
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
      case 'closeyes': {
        const live = await this.extras.closeLive?.(cb.id);
        return live ?? toast(t.closePosition(cb.id));
      }
      case 'closeall': {
        // The offer belongs to a /stop: after /resume it is stale and closes nothing.
        if (!this.rt.risk.state.killSwitch) return { ok: false, text: 'This offer was for a /stop that has been undone; nothing was closed.' };
        const ids = [...(this.extras.livePositions?.() ?? []), ...this.rt.broker.account.positions].map((p) => p.id);
        const results = [];
        for (const id of ids) results.push((await this.extras.closeLive?.(id)) ?? t.closePosition(id));
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
    }
  }
}
