import type { View } from '../../commands/views.js';
import type { Rendered } from '../rendered.js';
import { balance } from './balance.js';
import { basics } from './basics.js';
import { cards } from './cards.js';
import type { ChatFeature } from './feature.js';
import { killSwitch } from './kill-switch.js';
import { kpi } from './kpi.js';
import { pnl } from './pnl.js';
import { positions } from './positions.js';
import { reports } from './reports.js';
import { settings } from './settings.js';
import { signals } from './signals.js';
import { status } from './status.js';
import { trades } from './trades.js';

/**
 * Every chat feature, in menu order: adding a command is adding a file and a line here. The
 * router runs commands and taps from it; {@link renderView} words views from it.
 */
export const FEATURES: readonly ChatFeature[] = [basics, status, positions, trades, pnl, balance, signals, reports, settings, kpi, killSwitch, cards];

/** The bot's commands with their menu descriptions (setMyCommands, /help). */
export const COMMANDS: readonly { command: string; description: string }[] = FEATURES.flatMap((f) => (f.commands ?? []).map(({ command, description }) => ({ command, description })));

const RENDERERS = new Map<string, (v: never, quote: string) => Rendered>();
for (const f of FEATURES) for (const [kind, r] of Object.entries(f.views ?? {})) RENDERERS.set(kind, r as (v: never, quote: string) => Rendered);

/** Renders a command's view model; money in `quote`. */
export function renderView(v: View, quote = 'USDT'): Rendered {
  const r = RENDERERS.get(v.kind);
  if (!r) throw new Error(`no chat feature renders ${v.kind} views`);
  return r(v as never, quote);
}
