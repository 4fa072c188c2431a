import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Trade } from '../portfolio/types.js';
import type { DriftSignalState } from './drift.js';
import { cusumLower, expectationOf, type DriftExpectation, type DriftResult } from './drift.js';
import type { EvidenceBook, SignalEvidence } from './evidence.js';

/**
 * A signal paused by the drift monitor, as the `signal-paused` alert carries it: the forward
 * record (R), the expectation it was held to, the CUSUM (σ) and the key of its Resume button.
 */
export interface SignalPause {
  signalId: string;
  /** Short id for the Resume button's callback data (12 base64url chars of sha256(signalId)). */
  key: string;
  at: number;
  forward: DriftResult;
  expectation: DriftExpectation;
  /** The out-of-sample record the expectation comes from. */
  evidence: SignalEvidence;
}

/** One signal's forward record against its backtest, for `/signals`. */
export interface ForwardRow {
  signalId: string;
  /** Forward trades since the last resume, their mean R and the CUSUM (null without evidence to test against). */
  trades: number;
  meanR: number;
  drift: DriftResult | null;
  expectation: DriftExpectation | null;
  paused: boolean;
}

/** The answer to a Resume tap. */
export type ResumeOutcome =
  | { ok: true; signalId: string }
  | { ok: false; reason: 'unknown' | 'not-paused'; signalId?: string };

export interface DriftServiceDeps {
  /** `state.drift.signals` (persisted: mutate, then `persist`). */
  signals: Record<string, DriftSignalState>;
  evidence: EvidenceBook;
  /** Every closed trade, paper and live, in exit order. */
  trades: () => readonly Trade[];
  clock: Clock;
  /** Announces a pause (after the state is changed and `persist` called). */
  /** Tells the chat (the runtime passes the event bus; a `signal-paused` BotEvent). */
  emit: (e: { type: 'signal-paused'; pause: SignalPause }) => void;
  persist: () => void;
}

/** The Resume button's id for a signal: 12 base64url chars of sha256(signalId) (callback data ≤ 64 bytes). */
export function driftKey(signalId: string): string {
  return createHash('sha256').update(signalId).digest('base64url').slice(0, 12);
}

/**
 * The drift monitor (SPEC §5): after each closed trade, the signal's forward record (its paper
 * and live trades closed since the last resume) is tested against its out-of-sample expectation
 * with the lower CUSUM of src/signal/drift.ts; an alarm pauses the signal — state first, then
 * `persist`, then a `signal-paused` event — and its later cards are paper-only until the owner
 * resumes it. Signals without out-of-sample evidence are not tested. The test is recomputed from
 * the stored trades, so a crash between a close and the pause loses nothing: {@link sweep} at
 * start pauses what should have been paused.
 */
export class DriftService {
  constructor(readonly d: DriftServiceDeps) {}

  /** True while the signal is paused. */
  isPaused(signalId: string): boolean {
    return this.d.signals[signalId]?.paused !== undefined;
  }

  #forward(signalId: string, extra?: Trade): number[] {
    const since = this.d.signals[signalId]?.since ?? 0;
    const rs: number[] = [];
    let seen = false;
    for (const t of this.d.trades()) {
      if (t.signalId !== signalId || t.exitTime <= since) continue;
      if (extra && t.id === extra.id) seen = true;
      rs.push(t.r);
    }
    if (extra && !seen && extra.exitTime > since) rs.push(extra.r);
    return rs;
  }

  #expectation(signalId: string): { e: DriftExpectation; ev: SignalEvidence } | null {
    const ev = this.d.evidence.get(signalId);
    if (!ev) return null;
    const e = expectationOf({ trades: ev.trades, avgR: ev.meanR, sharpe: ev.sharpe, ...(ev.meanRLower !== undefined ? { lower: ev.meanRLower } : {}) });
    return e ? { e, ev } : null;
  }

  /** Tests the signal of a trade that just closed; pauses it on an alarm. Returns the pause, if any. */
  onTradeClosed(trade: Trade): SignalPause | null {
    return this.#check(trade.signalId, trade);
  }

  /**
   * Tests every signal with closed trades (at start, before any chat listens). Returns the pauses
   * it made without emitting them: the caller queues their alerts.
   */
  sweep(): SignalPause[] {
    const ids = new Set<string>();
    for (const t of this.d.trades()) ids.add(t.signalId);
    const out: SignalPause[] = [];
    for (const id of ids) {
      const p = this.#check(id, undefined, false);
      if (p) out.push(p);
    }
    return out;
  }

  #check(signalId: string, trade?: Trade, emit = true): SignalPause | null {
    if (this.isPaused(signalId)) return null;
    const x = this.#expectation(signalId);
    if (!x) return null;
    const forward = cusumLower(this.#forward(signalId, trade), x.e);
    if (!forward.alarm) return null;
    const at = this.d.clock.now();
    const s = (this.d.signals[signalId] ??= { since: 0 });
    s.paused = {
      at, trades: forward.trades, meanR: forward.meanR, cusum: forward.peak, threshold: forward.threshold,
      expectedMeanR: x.e.mean, sigma: x.e.sigma,
    };
    this.d.persist();
    const pause: SignalPause = { signalId, key: driftKey(signalId), at, forward, expectation: x.e, evidence: x.ev };
    if (emit) this.d.emit({ type: 'signal-paused', pause });
    return pause;
  }

  /** The paused signal whose Resume key is `key`. */
  pausedByKey(key: string): string | undefined {
    for (const [id, s] of Object.entries(this.d.signals)) if (s.paused && driftKey(id) === key) return id;
    return undefined;
  }

  /**
   * Resumes a paused signal (the Resume button's second tap): its forward record restarts now —
   * after every trade of it closed so far, even if the clock is behind them (a replay clock).
   */
  resume(key: string): ResumeOutcome {
    const signalId = this.pausedByKey(key);
    if (!signalId) {
      const known = Object.keys(this.d.signals).find((id) => driftKey(id) === key);
      return known ? { ok: false, reason: 'not-paused', signalId: known } : { ok: false, reason: 'unknown' };
    }
    let since = this.d.clock.now();
    for (const t of this.d.trades()) if (t.signalId === signalId && t.exitTime > since) since = t.exitTime;
    this.d.signals[signalId] = { since };
    this.d.persist();
    return { ok: true, signalId };
  }

  /** Forward vs backtest of one signal (null when it has neither trades nor drift state). */
  row(signalId: string): ForwardRow {
    const rs = this.#forward(signalId);
    const x = this.#expectation(signalId);
    const drift = x ? cusumLower(rs, x.e) : null;
    return {
      signalId, trades: rs.length, meanR: rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : 0,
      drift, expectation: x?.e ?? null, paused: this.isPaused(signalId),
    };
  }

  /** Signal ids with forward trades or drift state. */
  signalIds(): string[] {
    const ids = new Set<string>(Object.keys(this.d.signals));
    for (const t of this.d.trades()) ids.add(t.signalId);
    return [...ids];
  }
}
