import type { Composer, Context } from 'grammy';
import type { BotDeps } from '../deps.js';
import { pnlFeature } from './pnl.js';
import { positionsFeature } from './positions.js';
import { refreshFeature } from './refresh.js';
import { settingsFeature } from './settings.js';

/**
 * The chat features with their own commands and taps, one file each (command, view, taps).
 * Installed ahead of the generic command and tap handlers, which handle everything else.
 */
export const FEATURES: readonly ((d: BotDeps) => Composer<Context>)[] = [settingsFeature, positionsFeature, refreshFeature, pnlFeature];
