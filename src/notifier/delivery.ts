import type { Logger } from './logger.js';
import type { Rendered } from './render.js';
import type { Outbox } from '../store/outbox.js';
import type { OutboxItem } from '../store/schema.js';
import type { StateStore } from '../store/state-store.js';

/**
 * Sends outbox items to one chat. Given the head of the queue and what follows it, it delivers
 * the head (and may take following items with it, e.g. cards of the same close as one digest)
 * and returns the ids it delivered. Throws when the chat refused or could not be reached.
 */
export type OutboxTransport = (head: OutboxItem, rest: readonly OutboxItem[]) => Promise<number[]>;

export interface DelivererOptions {
  /** Pause between sends, ms (Telegram allows about 1 message/s per chat). */
  pauseMs: number;
  /** Backoff after a failed send, ms. */
  retry?: { baseMs: number; maxMs: number };
  /** An error the chat will never accept (the item is dropped and logged instead of retried). */
  isPermanent?: (err: unknown) => boolean;
}

/**
 * The write-ahead delivery loop: waits until the state holding a message is on disk, then hands
 * the message to the chat, then removes it. Volatile messages (storage alerts) go first and never
 * wait for the disk. While the state cannot be written, persisted messages wait (they are not
 * shown before they are saved) and volatile ones still go out.
 */
export class Deliverer {
  readonly #outbox: Outbox;
  readonly #store: StateStore;
  readonly #send: OutboxTransport;
  readonly #log: Logger;
  readonly #o: DelivererOptions;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #idle: (() => void)[] = [];
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  #failMs = 0;

  constructor(outbox: Outbox, store: StateStore, send: OutboxTransport, log: Logger, opts: DelivererOptions) {
    this.#outbox = outbox;
    this.#store = store;
    this.#send = send;
    this.#log = log;
    this.#o = opts;
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
      const v = this.#outbox.nextVolatile();
      if (v) {
        await this.#attempt(v, []);
        continue;
      }
      const pending = this.#outbox.pending();
      if (!pending.length) return;
      try {
        await this.#store.flush();
      } catch {
        // Not on disk, so not shown: wait for the store to recover (its background write
        // retries) or for a volatile message to arrive.
        if (await this.#sleep(Math.max(250, this.#failMs || 1000))) return;
        continue;
      }
      const [head, ...rest] = pending;
      if (!(await this.#attempt(head, rest))) continue;
      if (this.#outbox.size && this.#o.pauseMs > 0 && (await this.#sleep(this.#o.pauseMs))) return;
    }
  }

  /** Sends one item; true when it left the outbox (delivered or dropped as undeliverable). */
  async #attempt(head: OutboxItem, rest: readonly OutboxItem[]): Promise<boolean> {
    try {
      const ids = await this.#send(head, rest);
      this.#outbox.done(ids.length ? ids : [head.id]);
      this.#failMs = 0;
      return true;
    } catch (err) {
      if (this.#o.isPermanent?.(err)) {
        this.#log.error({ err, item: head.kind, id: head.id }, 'chat refused a message; dropped');
        this.#outbox.done([head.id], false);
        return true;
      }
      const r = this.#o.retry ?? { baseMs: 1000, maxMs: 60_000 };
      this.#failMs = Math.min(r.maxMs, this.#failMs ? this.#failMs * 2 : r.baseMs);
      this.#log.warn({ err, item: head.kind, id: head.id, retryInMs: this.#failMs }, 'chat send failed; will retry');
      await this.#sleep(this.#failMs);
      return false;
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
  const item = { kind: 'text' as const, html: r.html, buttons: r.buttons, ...(chatId !== undefined ? { chatId } : {}) };
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
