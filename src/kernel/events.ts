import type { Card } from './card.js';
import type { LiveAlert } from './live-outcome.js';
import type { RiskLimitHit } from '../risk/limits.js';
import type { KpiAlert } from '../core/kpi.js';

export type { RiskLimit, RiskLimitHit } from '../risk/limits.js';
import type { Position, Trade } from '../portfolio/types.js';
import type { SignalPause } from '../signal/drift-service.js';

/**
 * Everything the engine and its adapters tell the owner, as one discriminated union
 * (freqtrade's RPC message types, in TypeScript). Notifiers switch on `type`.
 */
export type BotEvent =
  /**
   * A new card; `quiet`: recorded but not posted — a risk limit blocked it, and the first card
   * that limit blocked today (its notice) stands for the rest.
   */
  | { type: 'card'; card: Card; quiet?: boolean }
  | { type: 'card-update'; card: Card }
  | { type: 'entry'; position: Position }
  | { type: 'exit'; trade: Trade }
  /** `topic`: what the alert is about when the owner may silence it (`feed`), or a risk-limit alert (`risk`, never off). */
  | { type: 'alert'; level: 'info' | 'warning' | 'error'; text: string; topic?: 'feed' | 'risk' }
  /** Live execution tells the owner something unasked (reconcile, timers, refused protection). */
  | { type: 'live-alert'; level: 'info' | 'warning' | 'error'; alert: LiveAlert }
  /** The drift monitor paused a signal (an alert with a Resume button). */
  | { type: 'signal-paused'; pause: SignalPause }
  /** A risk limit was hit (once per limit per UTC day). */
  | { type: 'risk-limit'; hit: RiskLimitHit }
  /** An execution KPI crossed its threshold (src/kernel/kpi.ts). */
  | { type: 'kpi-alert'; alert: KpiAlert }
  /** The market-data feed went down, came back, or the venue has no candles for a stretch. */
  | { type: 'feed'; level: 'info' | 'warning'; feed: FeedNotice }
  /** The bot process about itself: start, stop, reconcile, storage, downtime. */
  | { type: 'system'; level: 'info' | 'warning' | 'error'; notice: SystemNotice };

/** Feed health the owner hears about. Durations in ms, times ms UTC. */
export type FeedNotice =
  | { code: 'down'; reason: string }
  | { code: 'up'; downtimeMs: number }
  | { code: 'gap'; symbol: string; missingBars: number; toOpenTime: number };

/** How the previous run ended, as the start-up notice reports it (times ms UTC). */
export type PreviousRun = { kind: 'first' } | { kind: 'clean'; stoppedAt: number } | { kind: 'unclean'; startedAt: number };

/** The bot process about itself. Durations in ms, times ms UTC. */
export type SystemNotice =
  | {
    code: 'started'; mode: string; coins: number; venue: string; marketType: string; timeframes: string[]; parameterSets: number; validatedSignals: number;
    previous: PreviousRun; stopped: boolean;
  }
  | { code: 'stopped'; reason: string; clean: boolean }
  /** A fatal condition (dead polling, 409): the process exits for its supervisor to restart it. */
  | { code: 'fatal'; message: string }
  | { code: 'reconciled'; venue: string; checked: number; open: number; failed: number }
  | { code: 'storage-ok' }
  /** The bot was down longer than it catches up on: older closes are not processed. */
  | { code: 'downtime'; downMs: number; maxCatchUpMs: number };

export type BotEventType = BotEvent['type'];
