import type { View } from '../commands/views.js';
import type { Runtime } from '../kernel/kernel.js';
import { decodeCallback, type Action } from './codec.js';
import { COMMANDS, FEATURES, renderView } from './features/index.js';
import type { FeatureCommand, FeatureContext, TapResult } from './features/feature.js';
import { stopFollowUp } from './features/kill-switch.js';
import type { Rendered } from './rendered.js';

export type { TapResult } from './features/feature.js';

/**
 * Routes commands and taps to the chat features (src/notifier/features), for every chat adapter
 * (Telegram, console). It knows nothing about transports; adapters authorize first, then call it.
 */
export class ChatRouter {
  readonly #commands = new Map<string, FeatureCommand>();
  readonly #taps = new Map<Action, (ctx: FeatureContext, id: string) => TapResult | Promise<TapResult>>();
  readonly #ctx: FeatureContext;

  constructor(readonly rt: Runtime) {
    for (const f of FEATURES) {
      for (const c of f.commands ?? []) this.#commands.set(c.command, c);
      for (const [action, tap] of Object.entries(f.taps ?? {})) this.#taps.set(action as Action, tap);
    }
    this.#ctx = {
      rt,
      command: (name, args) => this.command(name, args),
      render: (v) => renderView(v, rt.config.quote),
      commands: COMMANDS,
    };
  }

  /** Runs a command (`status`, `trades` …) with its argument text; unknown commands get a pointer to /help. */
  async command(name: string, args = ''): Promise<View> {
    const c = this.#commands.get(name);
    return c ? c.run(this.#ctx, args) : { kind: 'text', text: `Unknown command /${name}. /help lists the commands.` };
  }

  /** Buttons offered after `/stop` when positions are open. */
  stopFollowUp(): Rendered | null {
    return stopFollowUp(this.rt);
  }

  /** Handles callback data from a button. Anything not produced by our codec is refused. */
  async tap(data: string | undefined): Promise<TapResult> {
    const cb = decodeCallback(data);
    const tap = cb && this.#taps.get(cb.action);
    if (!cb || !tap) return { ok: false, refused: true, text: 'This button is not recognised.' };
    return tap(this.#ctx, cb.id);
  }
}
