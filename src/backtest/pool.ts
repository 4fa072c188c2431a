import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { SingleBar } from 'cli-progress';
import { Piscina } from 'piscina';
import { DataError } from '../core/errors.js';
import { runDataset, type DatasetOptions, type DatasetRun } from './dataset.js';
import type { ShardMessage, ShardTask } from './worker.js';

/** Worker threads used when none are asked for: one per core. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** Options of {@link BacktestPool}. */
export interface PoolOptions {
  /** Worker threads; 1 simulates in this thread, as before the pool existed. */
  workers: number;
  /** Draw a progress bar on this stream (a TTY) instead of percentage lines. */
  bar?: NodeJS.WriteStream;
}

/**
 * Runs a data folder's backtest on all cores: the candidates (and z-score sets) are split into
 * one shard per worker thread (piscina; see shardOf in dataset.ts), each shard replays the folder on its own
 * (parsing and aggregation are repeated per shard — seconds against minutes of simulation), and
 * the shards' results are merged back into the single-thread order. Every candidate runs on its
 * own engine, broker and risk manager, so the merged run equals the one-thread run exactly
 * (test/backtest/pool.test.ts).
 *
 * The worker entry is dist/worker.js next to the bundle, or src/backtest/worker.ts through tsx
 * when running from sources.
 */
export class BacktestPool {
  readonly workers: number;
  readonly #bar: NodeJS.WriteStream | undefined;
  #pool: Piscina | undefined;

  constructor(o: PoolOptions) {
    this.workers = Math.max(1, Math.floor(o.workers));
    this.#bar = o.bar;
  }

  #piscina(): Piscina {
    if (!this.#pool) {
      // Bundled (dist/*.js): the worker bundle sits beside this chunk; from sources: the tsx shim.
      const fromSource = import.meta.url.endsWith('.ts');
      const filename = new URL(fromSource ? './worker-tsx.mjs' : './worker.js', import.meta.url).href;
      this.#pool = new Piscina({ filename, minThreads: this.workers, maxThreads: this.workers, idleTimeout: 1000 });
    }
    return this.#pool;
  }

  /** {@link runDataset} over all workers; same result as one thread. */
  async run(dir: string, o: DatasetOptions): Promise<DatasetRun> {
    const { progress, tick: _tick, shard: _shard, ...options } = o;
    const log = progress ?? (() => {});
    const bar = this.#bar ? new SingleBar({ stream: this.#bar, format: `${dir} [{bar}] {percentage}% | {eta_formatted} left | {value}/{total} candles`, hideCursor: true }) : undefined;
    if (this.workers === 1 && !bar) return runDataset(dir, o);
    const t0 = performance.now();
    const count = this.workers;
    const pushed = new Array<number>(count).fill(0);
    let total = 0;
    let started = false;
    let nextLine = 0.1;
    const onTick = (k: number, m: { pushed: number; total: number }) => {
      pushed[k] = m.pushed;
      // Every shard replays all candles: progress is their mean position in the data.
      total = m.total;
      const done = Math.round(pushed.reduce((a, b) => a + b, 0) / count);
      if (bar) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      } else if (done >= nextLine * total) {
        log(`${dir}: ${Math.round((done / total) * 100)}% (${((performance.now() - t0) / 1000).toFixed(1)} s, ${count} workers)`);
        while (nextLine * total <= done) nextLine += 0.1;
      }
    };
    let shards: DatasetRun[];
    try {
      if (count === 1) shards = [await runDataset(dir, { ...o, shard: { index: 0, count: 1 }, tick: (p, n) => onTick(0, { pushed: p, total: n }) })];
      else {
        log(`${dir}: simulating in ${count} shards on ${count} worker threads`);
        shards = await Promise.all(Array.from({ length: count }, (_, index) => {
          const { port1, port2 } = new MessageChannel();
          port1.on('message', (m: ShardMessage) => ('line' in m ? log(m.line) : onTick(index, m)));
          const task: ShardTask = { dir, options, shard: { index, count }, port: port2 };
          return this.#piscina().run(task, { transferList: [port2] }).finally(() => port1.close()) as Promise<DatasetRun>;
        }));
      }
    } finally {
      if (started) bar!.stop();
    }
    return merge(shards, performance.now() - t0);
  }

  /** Ends the worker threads. */
  async close(): Promise<void> {
    await this.#pool?.destroy();
    this.#pool = undefined;
  }
}

/** Puts the shards' candidates and z-score sets back at their positions in the one-thread run. */
function merge(shards: DatasetRun[], elapsedMs: number): DatasetRun {
  const place = <T>(pick: (s: DatasetRun) => T[], at: (s: DatasetRun) => number[]): T[] => {
    const out: T[] = [];
    for (const s of shards) pick(s).forEach((x, j) => (out[at(s)[j]] = x));
    return out;
  };
  const { positions: _, ...first } = shards[0];
  return {
    ...first,
    candidates: place((s) => s.candidates, (s) => s.positions!.candidates),
    zscore: place((s) => s.zscore, (s) => s.positions!.zscore),
    elapsedMs,
    // Errors cross the thread boundary as plain Errors: restore the class callers test for.
    skipped: first.skipped.map((b) => ({ file: b.file, error: b.error instanceof DataError ? b.error : new DataError((b.error as Error).message) })),
  };
}
