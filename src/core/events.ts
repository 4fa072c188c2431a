import type { Card } from '../engine/card.js';
import type { KpiAlert } from './kpi.js';
import type { Position, Trade } from '../portfolio/types.js';
import type { SignalPause } from '../signal/drift-service.js';

/**
 * Everything the engine and its adapters tell the owner, as one discriminated union
 * (freqtrade's RPC message types, in TypeScript). Notifiers switch on `type`.
 */
export type BotEvent =
  | { type: 'card'; card: Card }
  | { type: 'card-update'; card: Card }
  | { type: 'entry'; position: Position }
  | { type: 'exit'; trade: Trade }
  | { type: 'alert'; level: 'info' | 'warning' | 'error'; text: string }
  /** The drift monitor paused a signal (an alert with a Resume button). */
  | { type: 'signal-paused'; pause: SignalPause }
  /** An execution KPI crossed its threshold (src/kpi). */
  | { type: 'kpi-alert'; alert: KpiAlert };

export type BotEventType = BotEvent['type'];
