import type { Logger } from '../core/log.js';
import type { Rendered } from './render.js';
import { orderKey, PRIORITY_RANK, priorityOf, type Outbox } from '../store/outbox.js';
import type { OutboxItem } from '../store/schema.js';
import type { StateStore } from '../store/state-store.js';

/**
 * Sends outbox items to one chat. Given the item to send and the items it takes along (see
 * {@link DelivererOptions.group}), it delivers them and returns the ids it delivered. Throws when
 * the chat refused or could not be reached.
 */
export type OutboxTransport = (head: OutboxItem, rest: readonly OutboxItem[]) => Promise<number[]>;

/** What a failed send means for its retry. */
export type SendFailure =
  /** The chat will never accept it: dropped and logged. */
  | { kind: 'permanent' }
  /** The chat asked to wait (Telegram 429 `retry_after`): nothing goes to that chat before then, ms. */
  | { kind: 'rate-limited'; retryAfterMs: number }
  /** Network error or server error: this item backs off on its own; others go on. */
  | { kind: 'temporary' };

export interface DelivererOptions {
  /** Pause between sends to one chat, ms (Telegram allows about 1 message/s per chat). */
  pauseMs: number;
  /** Per-chat pause override, ms (Telegram groups allow 20 messages/min). */
  pauseFor?: (chat: number | string) => number;
  /** Backoff of an item after a temporary failure, ms: `baseMs`, doubling, at most `maxMs`. */
  retry?: { baseMs: number; maxMs: number };
  /** An error the chat will never accept (the item is dropped and logged instead of retried). */
  isPermanent?: (err: unknown) => boolean;
  /** Classifies a failed send; default: {@link isPermanent} or temporary. */
  classify?: (err: unknown) => SendFailure;
  /**
   * The items `head` takes along when it goes (cards of one close → one digest), `head` first;
   * they are in flight, backed off and delivered together. `rest` is what waits after `head` in
   * its class. Default: `head` alone.
   */
  group?: (head: OutboxItem, rest: readonly OutboxItem[]) => OutboxItem[];
  /** The chat an item goes to (pacing and 429 waits are per chat). Default: one chat. */
  chatOf?: (item: OutboxItem) => number | string;
  /**
   * Multiplies every wait (pacing, backoff, retry_after): 1 in production; benches and tests use
   * a small factor so that minutes of Telegram time pass in seconds.
   */
  timeScale?: number;
  /** Told of every item the chat accepted, with its delay since enqueue (ms, wall clock, unscaled). */
  onDelivered?: (item: OutboxItem, delayMs: number) => void;
}

/** Per-item retry state (in memory: after a restart everything is tried again at once). */
interface Backoff {
  failMs: number;
  notBefore: number;
}

/**
 * The write-ahead delivery loop with priorities: waits until the state holding a message is on
 * disk, then hands the message to the chat, then removes it. It picks, every time, the first
 * item of the highest class (urgent → normal → bulk) that may go now: not backing off after a
 * failure, its chat not paced or rate-limited, and no earlier item of the same card still
 * waiting (an edit never overtakes its card's send). So a message in retry holds back neither
 * higher classes nor the rest of its own class. Volatile messages (storage alerts) go first and
 * never wait for the disk; while the state cannot be written persisted messages wait (they are
 * not shown before they are saved).
 *
 * One call is in flight at a time; retries are the outbox's own (no transport-level retry should
 * wait inside a send, or it would hold every class behind it).
 */
export class Deliverer {
  readonly #outbox: Outbox;
  readonly #store: StateStore;
  readonly #send: OutboxTransport;
  readonly #log: Logger;
  readonly #o: DelivererOptions;
  readonly #scale: number;
  readonly #backoff = new Map<number, Backoff>();
  /** Per chat: no send before this time (pacing, or a 429's retry_after), ms wall clock. */
  readonly #chatReady = new Map<number | string, number>();
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #idle: (() => void)[] = [];
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  #storeFailMs = 0;

  constructor(outbox: Outbox, store: StateStore, send: OutboxTransport, log: Logger, opts: DelivererOptions) {
    this.#outbox = outbox;
    this.#store = store;
    this.#send = send;
    this.#log = log;
    this.#o = opts;
    this.#scale = opts.timeScale ?? 1;
  }

  /** Starts delivering, beginning with whatever a previous run left in the outbox. */
  start(): void {
    this.#unsubscribe = this.#outbox.onEnqueue(() => this.#kick());
    this.#kick();
  }

  #kick(): void {
    if (this.#stopped) return;
    if (this.#wake) {
      const w = this.#wake;
      this.#wake = undefined;
      w();
      return;
    }
    // Deferred one turn, so every card of one close is queued before the first is sent.
    this.#running ??= new Promise<void>((r) => setImmediate(r)).then(() => this.#loop()).finally(() => {
      this.#running = undefined;
      for (const f of this.#idle.splice(0)) f();
    });
  }

  /** Something waits to be delivered and the loop is not running (a kick that raced its exit). */
  get #stalled(): boolean {
    return !this.#running && !this.#stopped && this.#outbox.size > 0;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const next = this.#pick(Date.now());
      if (next === null) return;
      if (typeof next === 'number') {
        if (await this.#sleep(next)) return;
        continue;
      }
      if (next[0].id > 0) {
        try {
          await this.#store.flush();
          this.#storeFailMs = 0;
        } catch {
          // Not on disk, so not shown: wait for the store to recover (its background write
          // retries) or for a volatile message to arrive.
          this.#storeFailMs = Math.min(30_000, this.#storeFailMs ? this.#storeFailMs * 2 : 1000);
          if (await this.#sleep(Math.max(250, this.#storeFailMs))) return;
          continue;
        }
      }
      await this.#attempt(next);
    }
  }

  #chat(item: OutboxItem): number | string {
    return this.#o.chatOf?.(item) ?? 0;
  }

  /**
   * The items to send now (the chosen one first, with what it takes along), or how long to wait
   * until one may go (ms), or null when the outbox is empty.
   */
  #pick(now: number): OutboxItem[] | number | null {
    const volatile = this.#outbox.volatile();
    const persisted = this.#outbox.pending();
    if (!volatile.length && !persisted.length) return null;
    let wait = Infinity;
    const ready = (x: OutboxItem): boolean => {
      const at = Math.max(this.#backoff.get(x.id)?.notBefore ?? 0, this.#chatReady.get(this.#chat(x)) ?? 0);
      if (at <= now) return true;
      wait = Math.min(wait, at - now);
      return false;
    };
    for (const v of volatile) if (ready(v)) return [v];
    // Only the first waiting item of a card may go; the rest of its card waits behind it.
    const firstOfKey = new Map<string, number>();
    for (const x of persisted) {
      const k = orderKey(x);
      if (k !== undefined && !firstOfKey.has(k)) firstOfKey.set(k, x.id);
    }
    const order = [...persisted].sort((a, b) => PRIORITY_RANK[priorityOf(a)] - PRIORITY_RANK[priorityOf(b)] || a.id - b.id);
    for (const x of order) {
      const k = orderKey(x);
      if (k !== undefined && firstOfKey.get(k) !== x.id) continue;
      if (!ready(x)) continue;
      if (!this.#o.group) return [x];
      const p = priorityOf(x);
      const rest = persisted.filter((y) => y.id > x.id && priorityOf(y) === p && !this.#outbox.isInFlight(y.id));
      const g = this.#o.group(x, rest);
      return g.length && g[0].id === x.id ? g : [x, ...g.filter((y) => y.id !== x.id)];
    }
    return Number.isFinite(wait) ? Math.max(1, wait) : 1000;
  }

  /** Sends one item (with what it takes along); a failure schedules its retry. */
  async #attempt(group: OutboxItem[]): Promise<void> {
    const [head, ...rest] = group;
    const ids = group.map((x) => x.id);
    const chat = this.#chat(head);
    const start = Date.now();
    this.#chatReady.set(chat, start + (this.#o.pauseFor?.(chat) ?? this.#o.pauseMs) * this.#scale);
    this.#outbox.setInFlight(ids, true);
    try {
      const sent = await this.#send(head, rest);
      const done = sent.length ? sent : [head.id];
      this.#outbox.done(done);
      // Items of the group the chat did not take (a card gone from memory) wait again.
      this.#outbox.setInFlight(ids, false);
      const now = Date.now();
      for (const x of group) {
        this.#backoff.delete(x.id);
        if (done.includes(x.id)) this.#o.onDelivered?.(x, now - (x.at ?? now));
      }
    } catch (err) {
      this.#outbox.setInFlight(ids, false);
      const f = this.#o.classify?.(err) ?? (this.#o.isPermanent?.(err) ? { kind: 'permanent' as const } : { kind: 'temporary' as const });
      if (f.kind === 'permanent') {
        this.#log.error({ err, item: head.kind, id: head.id }, 'chat refused a message; dropped');
        this.#backoff.delete(head.id);
        this.#outbox.done([head.id], false);
        return;
      }
      if (f.kind === 'rate-limited') {
        // The chat said when: everything for it waits, nothing else backs off.
        this.#chatReady.set(chat, Math.max(this.#chatReady.get(chat) ?? 0, Date.now() + f.retryAfterMs * this.#scale));
        this.#log.warn({ err, item: head.kind, id: head.id, retryInMs: f.retryAfterMs }, 'chat rate-limited; waiting as asked');
        return;
      }
      const r = this.#o.retry ?? { baseMs: 1000, maxMs: 30_000 };
      const prev = this.#backoff.get(head.id)?.failMs ?? 0;
      const failMs = Math.min(r.maxMs, prev ? prev * 2 : r.baseMs);
      const b = { failMs, notBefore: Date.now() + failMs * this.#scale };
      for (const id of ids) this.#backoff.set(id, b);
      this.#log.warn({ err, item: head.kind, id: head.id, retryInMs: failMs }, 'chat send failed; will retry');
    }
  }

  /** Sleeps up to `ms`, or until something is enqueued. Resolves true when stopped meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const t = setTimeout(() => {
        this.#wake = undefined;
        resolve(this.#stopped);
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve(this.#stopped);
      };
    });
  }

  /** Resolves when nothing is left to deliver. */
  async flush(): Promise<void> {
    if (this.#stalled) this.#kick();
    while (this.#running) {
      await new Promise<void>((r) => this.#idle.push(r));
      if (this.#stalled) this.#kick();
    }
  }

  /** Delivers what it can (bounded by `timeoutMs`), then stops. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.#unsubscribe?.();
    if (this.#running) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.flush(), new Promise<void>((r) => (t = setTimeout(r, timeoutMs)))]);
      clearTimeout(t);
    }
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
  }
}

/** What {@link reply} and {@link commit} need. */
export interface DeliveryDeps {
  outbox: Outbox;
  store: StateStore;
  log: Logger;
}

/**
 * Queues a reply to the owner. While the state cannot be written the reply still goes out (the
 * owner must hear that `/stop` was taken), from memory and saying that it is not saved yet.
 */
export function reply(d: DeliveryDeps, r: Rendered, chatId?: number): void {
  // Replies (and with them confirmations and kill-switch answers) go ahead of cards and bulk.
  const item = { kind: 'text' as const, priority: 'urgent' as const, html: r.html, buttons: r.buttons, topic: 'reply' as const, ...(chatId !== undefined ? { chatId } : {}) };
  if (d.store.healthy) d.outbox.enqueue(item);
  else d.outbox.enqueueVolatile({ ...item, html: `${r.html}\n\n⚠️ <i>Not saved to disk yet: the state file cannot be written. It will be once the disk recovers.</i>` });
}

/** Writes the state now; false (logged) when it cannot be written. */
export async function commit(d: DeliveryDeps): Promise<boolean> {
  try {
    await d.store.flush();
    return true;
  } catch (err) {
    d.log.warn({ err }, 'state not saved');
    return false;
  }
}
