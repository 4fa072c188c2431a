#!/usr/bin/env node
// Builds dist/ from src/ with esbuild (npm's `prepare` runs it on `npm ci`): one ESM bundle per
// entry point, dependencies left in node_modules. Bundling is why the CLI starts fast: Node loads
// two files instead of ~150 TypeScript modules through tsx's loader, and no `__name` wrappers are
// added around closures (esbuild only adds them with keepNames).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // cli: what bin/edgebot.js runs; worker: the backtest's worker-thread entry (src/backtest/pool.ts
  // loads it from beside its own chunk). Code both use is split into shared chunks.
  entryPoints: { cli: 'src/app/cli.ts', worker: 'src/backtest/worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
