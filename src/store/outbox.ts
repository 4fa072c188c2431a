import type { OutboxItem, Priority } from './schema.js';
import type { StateStore } from './state-store.js';

/** An outbox item before it has an id. */
export type NewOutboxItem = OutboxItem extends infer T ? (T extends OutboxItem ? Omit<T, 'id'> : never) : never;

/** A message that is not persisted (storage alerts while the disk fails): delivered from memory, ahead of the rest. */
export type VolatileItem = Extract<NewOutboxItem, { kind: 'text' }>;

/** Delivery order of the classes: lower goes first. */
export const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, normal: 1, bulk: 2 };

/** An item's delivery class; items stored before classes existed are `normal`. */
export function priorityOf(item: Pick<OutboxItem, 'priority'>): Priority {
  return item.priority ?? 'normal';
}

/**
 * Items that must go out in the order they were queued: a card and its edits share a key (an
 * edit never overtakes the send it edits); other items have none.
 */
export function orderKey(item: OutboxItem): string | undefined {
  return item.kind === 'text' ? undefined : `card:${item.cardId}`;
}

/**
 * The persisted outbox (SPEC §9 write-ahead): every message for the owner is recorded in the
 * state, the state is written, and only then is the message delivered; it leaves the outbox once
 * the chat has it. A crash before delivery delivers it after the restart; a crash in the instant
 * between the chat accepting it and the removal being written delivers it twice — the only
 * duplicate possible, and one no protocol without idempotency keys on Telegram's side avoids.
 *
 * Each item has a delivery class (`urgent`, `normal`, `bulk`; see PrioritySchema) that the
 * Deliverer serves in that order, and the time it was queued. Storage alerts cannot wait for the
 * disk they are about: they go in a volatile queue that is delivered first and never written.
 */
export class Outbox {
  readonly #store: StateStore;
  readonly #volatile: (VolatileItem & { id: number })[] = [];
  readonly #listeners: (() => void)[] = [];
  /** Ids being handed to the chat right now (still in the outbox until the chat has them). */
  readonly #inFlight = new Set<number>();
  readonly #delivered: ((items: readonly OutboxItem[]) => void)[] = [];
  #volatileSeq = 0;

  constructor(store: StateStore, readonly maxItems = 2000) {
    this.#store = store;
  }

  get #box() {
    return this.#store.data.outbox;
  }

  /**
   * Records a message; it is delivered after the next successful state write. `at` (enqueue time,
   * ms UTC, wall clock) is stamped here for delivery-delay figures.
   */
  enqueue(item: NewOutboxItem): void {
    const box = this.#box;
    // An edit of a card still waiting to be sent is moot: the send renders the card as it is then.
    // Not so while that send is in flight: it may have rendered the card before this change.
    if (item.kind === 'edit' && box.items.some((x) => x.kind === 'card' && x.cardId === item.cardId && !this.#inFlight.has(x.id))) return;
    box.items.push({ at: Date.now(), ...item, id: box.nextId++ } as OutboxItem);
    if (box.items.length > this.maxItems) box.items.splice(0, box.items.length - this.maxItems);
    this.#store.save();
    this.#notify();
  }

  /** Queues a message in memory only, ahead of the persisted ones (always `urgent`). */
  enqueueVolatile(item: VolatileItem): void {
    this.#volatile.push({ at: Date.now(), ...item, priority: 'urgent', id: -++this.#volatileSeq });
    this.#notify();
  }

  /** The next volatile message, if any. */
  nextVolatile(): (VolatileItem & { id: number }) | undefined {
    return this.#volatile[0];
  }

  /** Volatile messages in order (negative ids). */
  volatile(): readonly (VolatileItem & { id: number })[] {
    return this.#volatile;
  }

  /** Marks items as being handed to the chat (`true`) or back to waiting (`false`). */
  setInFlight(ids: readonly number[], on: boolean): void {
    for (const id of ids) on ? this.#inFlight.add(id) : this.#inFlight.delete(id);
  }

  isInFlight(id: number): boolean {
    return this.#inFlight.has(id);
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
      this.#inFlight.delete(id);
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
