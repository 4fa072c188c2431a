import type { View } from '../../commands/views.js';
import type { Runtime } from '../../kernel/kernel.js';
import type { Action } from '../codec.js';
import type { Rendered } from '../rendered.js';

/** What a tap produced: whether it worked, the toast text, and optionally a new message (confirmations). */
export interface TapResult {
  ok: boolean;
  text: string;
  /** The callback data was not ours (forged, old version, truncated): refused without effect. */
  refused?: boolean;
  reply?: Rendered;
}

/** What a feature's commands and taps work with. */
export interface FeatureContext {
  rt: Runtime;
  /** Runs any command (a Refresh tap runs /status again). */
  command(name: string, args?: string): Promise<View>;
  /** Words for any view (money in the configured quote). */
  render(v: View): Rendered;
  /** Every command with its menu description, in menu order. */
  commands: readonly { command: string; description: string }[];
}

/** A command: its menu entry and what it answers (a view model, or an action's outcome as a view). */
export interface FeatureCommand {
  command: string;
  description: string;
  run(ctx: FeatureContext, args: string): View | Promise<View>;
}

type ViewOf<K extends View['kind']> = Extract<View, { kind: K }>;

/**
 * One chat feature (issue #11): its commands, its taps and the words for its views, in one file.
 * `src/notifier/features/index.ts` installs every feature from one list; the router and
 * `renderView` find commands, taps and renderers there. Chat-specific extras (the Telegram menu,
 * photos) live in `src/notifier/telegram/features/`.
 */
export interface ChatFeature {
  commands?: readonly FeatureCommand[];
  taps?: { [A in Action]?: (ctx: FeatureContext, id: string) => TapResult | Promise<TapResult> };
  views?: { [K in View['kind']]?: (v: ViewOf<K>, quote: string) => Rendered };
}
