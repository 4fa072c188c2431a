/**
 * The backtest's worker-thread entry (piscina): simulates one shard of a data folder's candidates
 * with {@link runDataset} and returns its {@link DatasetRun}. Progress goes back over `port`:
 * `{ pushed, total }` about every 1 % and `{ line }` for shard 0's log lines.
 */
import type { MessagePort } from 'node:worker_threads';
import { runDataset, type DatasetOptions, type DatasetRun } from './dataset.js';

/** One task: a folder, the run's options (plain data, no callbacks) and which shard. */
export interface ShardTask {
  dir: string;
  options: Omit<DatasetOptions, 'progress' | 'tick' | 'shard'>;
  shard: { index: number; count: number };
  port: MessagePort;
}

/** Messages a shard posts on its port. */
export type ShardMessage = { pushed: number; total: number } | { line: string };

export default async function runShard(t: ShardTask): Promise<DatasetRun> {
  try {
    return await runDataset(t.dir, {
      ...t.options,
      shard: t.shard,
      tick: (pushed, total) => t.port.postMessage({ pushed, total } satisfies ShardMessage),
      // One shard's lines stand for all (the same folder, plan and timeframes); its percentages do not.
      progress: (line) => {
        if (t.shard.index === 0 && !/: \d+% \(/.test(line)) t.port.postMessage({ line } satisfies ShardMessage);
      },
    });
  } finally {
    t.port.close();
  }
}
