import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { DataError } from '../core/errors.js';
import { newPaperAccount } from '../execution/simulated.js';
import { newRiskState } from '../risk/risk.js';
import { describeIssues } from '../config/load.js';
import { MAX_CARDS, MAX_SIGNAL_LOG, STATE_VERSION, StateSchema, type State } from './schema.js';

/** A fresh state for a paper account of `startingBalance` quote currency. */
export function emptyState(startingBalance: number): State {
  return {
    version: STATE_VERSION,
    risk: newRiskState(startingBalance),
    paper: newPaperAccount(startingBalance),
    cards: [],
    signalLog: [],
    telegram: { lastUpdateId: 0 },
    live: { trades: [] },
  };
}

/** What happened when the state file was opened. */
export type LoadOutcome =
  | { kind: 'fresh' }
  | { kind: 'loaded' }
  | { kind: 'corrupt'; movedTo: string; problem: string };

/**
 * The state file, through lowdb's JSONFile adapter (one instance per file; not JSONFilePreset,
 * which turns into an in-memory store under NODE_ENV=test). Validated by zod on load. A corrupt
 * or invalid file is moved aside (`state.json.corrupt-<time>`) and reported — never silently
 * replaced. Writes are serialised by lowdb and coalesced here.
 */
export class StateStore {
  readonly #db: Low<State>;
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  private constructor(readonly path: string, db: Low<State>, readonly outcome: LoadOutcome) {
    this.#db = db;
  }

  /**
   * Opens (or creates) the state file.
   * @param now used to name the moved-aside corrupt file
   */
  static async open(path: string, startingBalance: number, now = Date.now()): Promise<StateStore> {
    mkdirSync(dirname(path), { recursive: true });
    let outcome: LoadOutcome = { kind: 'fresh' };
    let state = emptyState(startingBalance);
    if (existsSync(path)) {
      const problem = check(path);
      if (problem) {
        const movedTo = `${path}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
        renameSync(path, movedTo);
        outcome = { kind: 'corrupt', movedTo, problem };
      } else {
        outcome = { kind: 'loaded' };
        state = StateSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
      }
    }
    const db = new Low<State>(new JSONFile<State>(path), state);
    const store = new StateStore(path, db, outcome);
    if (outcome.kind !== 'loaded') await db.write();
    return store;
  }

  get data(): State {
    return this.#db.data;
  }

  /** Marks the state changed; it is written within `delayMs` (coalescing bursts of changes). */
  save(delayMs = 250): void {
    this.#dirty = true;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, delayMs);
    this.#timer.unref?.();
  }

  /** Writes now if anything changed (after user actions and on shutdown). */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (!this.#dirty) return this.#writing;
    this.#dirty = false;
    const d = this.#db.data;
    if (d.cards.length > MAX_CARDS) d.cards.splice(0, d.cards.length - MAX_CARDS);
    if (d.signalLog.length > MAX_SIGNAL_LOG) d.signalLog.splice(0, d.signalLog.length - MAX_SIGNAL_LOG);
    this.#writing = this.#writing.then(() => this.#db.write());
    return this.#writing;
  }
}

/** Returns what is wrong with the file, or null when it parses and validates. */
function check(path: string): string | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return `not valid JSON (${(e as Error).message})`;
  }
  const r = StateSchema.safeParse(raw);
  return r.success ? null : `does not match the state schema v${STATE_VERSION}: ${describeIssues(r.error)}`;
}

/** Builds the operator-facing message for a corrupt state file. */
export function corruptStateMessage(o: Extract<LoadOutcome, { kind: 'corrupt' }>, path: string): string {
  return `State file ${path} was unreadable — ${o.problem}. It was moved to ${o.movedTo} and a fresh state was started; nothing was deleted.`;
}

export { DataError };
