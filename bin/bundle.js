// The one esbuild setup for edgebot's bundles (dist/ and the benches): ESM, code shared between
// entry points split into chunks, dependencies left in node_modules. The backtest pool loads
// ./worker.js from beside its own chunk, so every bundle that may run a backtest includes it.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles `entryPoints` (name → source path) plus the backtest worker into `outdir` (emptied first). */
export async function bundle(entryPoints, outdir, extra = {}) {
  rmSync(join(root, outdir), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { ...entryPoints, worker: 'src/backtest/worker.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    ...extra,
  });
}
