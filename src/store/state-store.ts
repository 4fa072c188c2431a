import { existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { ConfigError, DataError, StorageError } from '../core/errors.js';
import { newPaperAccount } from '../portfolio/account.js';
import { newRiskState } from '../risk/risk.js';
import { describeIssues } from '../config/load.js';
import { DurableJSONFile, ensureStateDir, removeStaleTemp } from './durable-file.js';
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
    engine: { through: {} },
    outbox: { nextId: 1, items: [] },
    runs: {},
  };
}

/** What happened when the state file was opened. */
export type LoadOutcome =
  | { kind: 'fresh' }
  | { kind: 'loaded' }
  | { kind: 'corrupt'; movedTo: string; problem: string };

/** Options of {@link StateStore.open}. */
export interface StateStoreOptions {
  /** Used to name the moved-aside corrupt file (ms UTC). */
  now?: number;
  /**
   * true (paper, live): every flush is fsync'ed before it resolves. false (replay, tests of the
   * engine): flushes are plain atomic writes — a replay's state is rebuilt from its data anyway.
   */
  durable?: boolean;
  /**
   * true (replay): the file is written once, at {@link StateStore.close}; `save` and `flush` only
   * mark it changed. A replay's state is rebuilt from its data on every run, so writing it ahead
   * of every message would only cost time. Default false.
   */
  writeOnClose?: boolean;
  /** Told when writing starts failing (with the error) and when it works again. */
  onHealth?: (ok: boolean, err?: Error) => void;
  /** Backoff of the background retry after a failed write, ms. Default 1 000 → 60 000. */
  retry?: { baseMs: number; maxMs: number };
}

/**
 * The state file (SPEC §9), through lowdb with a durable adapter (temp file, fsync, rename,
 * fsync of the directory). Validated by zod on load; a corrupt or invalid file is moved aside
 * (`state.json.corrupt-<time>`) and reported — never silently replaced.
 *
 * Write-ahead contract: whoever is about to show the owner something, or act on the exchange,
 * first awaits {@link flush}; it resolves only once everything changed so far is on disk.
 * {@link save} only marks the state changed (engine counters, marks): a background write picks
 * it up within 250 ms. A failed write never throws out of the background: it is retried with
 * backoff, `onHealth(false)` is called once, and {@link healthy} is false until a write works.
 */
export class StateStore {
  readonly #db: Low<State>;
  readonly #opts: StateStoreOptions;
  /** Bumped on every change; `#written` is the generation last on disk. */
  #generation = 0;
  #written = 0;
  #writing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #retryMs = 0;
  #healthy = true;
  #lastError: Error | undefined;
  #closed = false;
  #closing = false;
  readonly #beforeWrite: (() => void)[] = [];

  private constructor(readonly path: string, db: Low<State>, readonly outcome: LoadOutcome, opts: StateStoreOptions) {
    this.#db = db;
    this.#opts = opts;
  }

  /**
   * Opens (or creates) the state file and writes it once, so a path that cannot be written fails
   * here, at start, with a clear message.
   * @throws ConfigError when the state directory cannot be created or the file cannot be written
   */
  static async open(path: string, startingBalance: number, opts: StateStoreOptions = {}): Promise<StateStore> {
    ensureStateDir(path);
    removeStaleTemp(path);
    let outcome: LoadOutcome = { kind: 'fresh' };
    let state = emptyState(startingBalance);
    if (existsSync(path)) {
      const problem = check(path);
      if (problem) {
        const movedTo = `${path}.corrupt-${new Date(opts.now ?? Date.now()).toISOString().replace(/[:.]/g, '-')}`;
        renameSync(path, movedTo);
        outcome = { kind: 'corrupt', movedTo, problem };
      } else {
        outcome = { kind: 'loaded' };
        state = StateSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
      }
    }
    const db = new Low<State>(new DurableJSONFile<State>(path, { fsync: opts.durable ?? true }), state);
    const store = new StateStore(path, db, outcome, opts);
    try {
      await db.write();
    } catch (e) {
      throw new ConfigError(`cannot write the state file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the disk and the permissions of ${dirname(path)}`, 'paths.state', { cause: e });
    }
    return store;
  }

  get data(): State {
    return this.#db.data;
  }

  /**
   * Registers `f` to copy derived state into `data` right before each write (e.g. the ratings
   * snapshot): cheaper than keeping it current on every candle.
   */
  beforeWrite(f: () => void): void {
    this.#beforeWrite.push(f);
  }

  /** false while writes fail (disk full, read-only): new entries must be refused meanwhile. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Marks the state changed; a background write follows within `delayMs`. */
  save(delayMs = 250): void {
    this.#generation++;
    this.#schedule(this.#healthy ? delayMs : Math.max(delayMs, this.#retryMs));
  }

  /**
   * Resolves once everything marked with {@link save} so far is on disk.
   * @throws StorageError when the write fails; the background keeps retrying
   */
  async flush(): Promise<void> {
    if (this.#opts.writeOnClose && !this.#closing) return;
    const want = this.#generation;
    while (this.#written < want) {
      if (this.#writing) {
        await this.#writing.catch(() => {});
        continue;
      }
      await this.#writeOnce();
    }
  }

  /** Final write at shutdown; stops the background timer. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#generation++;
    await this.flush().catch(() => {});
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#timer || this.#closed || this.#opts.writeOnClose) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#written < this.#generation && !this.#writing) void this.#writeOnce().catch(() => {});
    }, delayMs);
    this.#timer.unref?.();
  }

  #writeOnce(): Promise<void> {
    const gen = this.#generation;
    for (const f of this.#beforeWrite) f();
    const d = this.#db.data;
    if (d.cards.length > MAX_CARDS) d.cards.splice(0, d.cards.length - MAX_CARDS);
    if (d.signalLog.length > MAX_SIGNAL_LOG) d.signalLog.splice(0, d.signalLog.length - MAX_SIGNAL_LOG);
    const p = this.#db.write().then(
      () => {
        this.#written = Math.max(this.#written, gen);
        this.#retryMs = 0;
        if (!this.#healthy) {
          this.#healthy = true;
          this.#lastError = undefined;
          this.#opts.onHealth?.(true);
        }
      },
      (e: Error) => {
        const first = this.#healthy;
        this.#healthy = false;
        this.#lastError = e;
        const r = this.#opts.retry ?? { baseMs: 1000, maxMs: 60_000 };
        this.#retryMs = Math.min(r.maxMs, this.#retryMs ? this.#retryMs * 2 : r.baseMs);
        if (first) this.#opts.onHealth?.(false, e);
        // Keep trying in the background until the disk takes it again.
        this.#schedule(this.#retryMs);
        throw new StorageError(`cannot write ${this.path}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { cause: e });
      },
    ).finally(() => {
      if (this.#writing === p) this.#writing = undefined;
    });
    this.#writing = p;
    return p;
  }

  /** The last write error while unhealthy. */
  get lastError(): Error | undefined {
    return this.#lastError;
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
