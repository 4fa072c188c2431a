import type { BotEvent } from './events.js';

export type EventListener = (e: BotEvent) => void;

/**
 * Fans each event out to every subscriber synchronously, catching errors per subscriber so a
 * broken chat never stops the engine (freqtrade's RPCManager). Subscribers that do I/O queue it.
 */
export class EventBus {
  readonly #listeners: EventListener[] = [];
  constructor(readonly onListenerError: (err: unknown, e: BotEvent) => void = () => {}) {}

  subscribe(l: EventListener): () => void {
    this.#listeners.push(l);
    return () => {
      const i = this.#listeners.indexOf(l);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  emit(e: BotEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        this.onListenerError(err, e);
      }
    }
  }
}
