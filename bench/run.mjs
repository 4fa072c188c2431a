#!/usr/bin/env node
// `npm run bench`: builds dist/ (the demo bench runs it), bundles each bench/*.bench.ts with
// esbuild into bench/.out/ (plain JS, as the shipped bundle runs — no tsx loader or __name
// wrappers in the timings), then runs them one after another, each in a fresh process, and
// prints their one-line JSON results. Figures that matter are ratios measured in the same process.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((b) => only.length === 0 || only.includes(b)).sort();
execFileSync(process.execPath, [join(root, 'bin', 'build.js')], { stdio: 'inherit' });
const out = join(root, 'bench', '.out');
rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The backtest pool loads ./worker.js from beside its chunk.
  entryPoints: { ...Object.fromEntries(benches.map((b) => [b, `bench/${b}.bench.ts`])), worker: 'src/backtest/worker.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
for (const b of benches) execFileSync(process.execPath, [join(out, `${b}.js`)], { cwd: root, stdio: 'inherit' });
