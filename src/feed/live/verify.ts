import type { Exchange } from 'ccxt';
import type { Candle } from '../../core/candle.js';
import type { Timeframe } from '../../core/timeframe.js';
import type { FeedEvent, FeedHealthTracker, FeedLogger } from '../health.js';
import { fetchHistory } from '../rest.js';

interface ToVerify {
  symbol: string;
  candle: Candle;
  attempts: number;
}

/**
 * Candles the WebSocket feed closed by timer (their final frame never came) are compared with what
 * REST reports once they are final there; a difference is counted, logged and reported as a
 * `provisional-mismatch` event. A failed request keeps the rest for the next pass; a candle REST
 * does not have yet is tried 3 times.
 */
export class ProvisionalVerifier {
  #queue: ToVerify[] = [];
  #running: Promise<void> | null = null;

  constructor(readonly o: {
    exchange: () => Exchange;
    base: Timeframe;
    markets?: Readonly<Record<string, string>>;
    health: FeedHealthTracker;
    log: FeedLogger;
    emit: (e: FeedEvent) => void;
    stopped: () => boolean;
  }) {}

  /** Queues a provisional close for verification. */
  add(symbol: string, candle: Candle): void {
    this.#queue.push({ symbol, candle, attempts: 0 });
  }

  /** Starts a pass over the queue unless one is running or there is nothing to do. `now`: feed clock, ms UTC. */
  poke(now: number): void {
    if (this.#running || !this.#queue.length) return;
    this.#running = this.#pass(now).finally(() => (this.#running = null));
  }

  /** Resolves once the running pass (if any) is done. */
  async idle(): Promise<void> {
    await this.#running;
  }

  async #pass(now: number): Promise<void> {
    const { o } = this;
    const items = this.#queue;
    this.#queue = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (o.stopped()) return;
      const { symbol, candle } = item;
      let rows: Candle[];
      try {
        const market = o.markets?.[symbol];
        rows = await fetchHistory(o.exchange(), { symbol, ...(market ? { market } : {}), timeframe: o.base, since: candle.openTime, until: candle.openTime + 1, now, pageLimit: 1 });
      } catch (e) {
        o.health.restErrors++;
        o.log.warn({ err: (e as Error).message }, 'REST verification of a provisional close failed');
        this.#queue.push(...items.slice(i));
        return;
      }
      const rest = rows[0];
      if (!rest) {
        if (++item.attempts < 3) this.#queue.push(item);
        else o.log.warn({ symbol, openTime: candle.openTime }, 'REST has no candle to verify a provisional close against');
        continue;
      }
      const same = rest.open === candle.open && rest.high === candle.high && rest.low === candle.low && rest.close === candle.close && rest.volume === candle.volume;
      if (!same) {
        o.health.provisional.mismatched++;
        o.log.warn({ symbol, openTime: candle.openTime, provisional: candle, rest }, 'provisional close differs from REST');
        o.emit({ type: 'provisional-mismatch', symbol, openTime: candle.openTime, provisional: candle, rest });
      }
    }
  }
}
