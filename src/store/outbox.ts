import type { OutboxItem } from './schema.js';
import type { StateStore } from './state-store.js';

/** An outbox item before it has an id. */
export type NewOutboxItem = OutboxItem extends infer T ? (T extends OutboxItem ? Omit<T, 'id'> : never) : never;

/** A message that is not persisted (storage alerts while the disk fails): delivered from memory, ahead of the rest. */
export type VolatileItem = Extract<NewOutboxItem, { kind: 'text' }>;

/**
 * The persisted outbox (SPEC §9 write-ahead): every message for the owner is recorded in the
 * state, the state is written, and only then is the message delivered; it leaves the outbox once
 * the chat has it. A crash before delivery delivers it after the restart; a crash in the instant
 * between the chat accepting it and the removal being written delivers it twice — the only
 * duplicate possible, and one no protocol without idempotency keys on Telegram's side avoids.
 *
 * Storage alerts cannot wait for the disk they are about: they go in a volatile queue that is
 * delivered first and never written.
 */
export class Outbox {
  readonly #store: StateStore;
  readonly #volatile: (VolatileItem & { id: number })[] = [];
  readonly #listeners: (() => void)[] = [];
  readonly #delivered: ((items: readonly OutboxItem[]) => void)[] = [];
  #volatileSeq = 0;

  constructor(store: StateStore, readonly maxItems = 2000) {
    this.#store = store;
  }

  get #box() {
    return this.#store.data.outbox;
  }

  /** Records a message; it is delivered after the next successful state write. */
  enqueue(item: NewOutboxItem): void {
    const box = this.#box;
    // An edit of a card still waiting to be sent is moot: the send renders the card as it is then.
    if (item.kind === 'edit' && box.items.some((x) => x.kind === 'card' && x.cardId === item.cardId)) return;
    box.items.push({ ...item, id: box.nextId++ } as OutboxItem);
    if (box.items.length > this.maxItems) box.items.splice(0, box.items.length - this.maxItems);
    this.#store.save();
    this.#notify();
  }

  /** Queues a message in memory only, ahead of the persisted ones. */
  enqueueVolatile(item: VolatileItem): void {
    this.#volatile.push({ ...item, id: -++this.#volatileSeq });
    this.#notify();
  }

  /** The next volatile message, if any. */
  nextVolatile(): (VolatileItem & { id: number }) | undefined {
    return this.#volatile[0];
  }

  /** Persisted messages in order (the head first). */
  pending(): readonly OutboxItem[] {
    return this.#box.items;
  }

  get size(): number {
    return this.#volatile.length + this.#box.items.length;
  }

  /**
   * Removes delivered messages (persisted ones are forgotten with the next write). `delivered`
   * false: dropped as undeliverable (the chat refused it for good), not shown.
   */
  done(ids: readonly number[], delivered = true): void {
    const shown: OutboxItem[] = [];
    for (const id of ids) {
      if (id < 0) {
        const i = this.#volatile.findIndex((x) => x.id === id);
        if (i >= 0) this.#volatile.splice(i, 1);
        continue;
      }
      const items = this.#box.items;
      const i = items.findIndex((x) => x.id === id);
      if (i >= 0) shown.push(...items.splice(i, 1));
    }
    this.#store.save();
    if (delivered && shown.length) for (const f of this.#delivered) f(shown);
  }

  /** Calls `f` with the persisted messages a chat has just delivered (the KPI service times cards). */
  onDelivered(f: (items: readonly OutboxItem[]) => void): void {
    this.#delivered.push(f);
  }

  /** Calls `f` whenever something is enqueued. Returns an unsubscribe function. */
  onEnqueue(f: () => void): () => void {
    this.#listeners.push(f);
    return () => {
      const i = this.#listeners.indexOf(f);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  #notify(): void {
    for (const f of this.#listeners) f();
  }
}
