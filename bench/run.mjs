#!/usr/bin/env node
// `npm run bench`: builds dist/ (the demo bench runs it), bundles each bench/*.bench.ts with
// esbuild into bench/.out/ (plain JS, as the shipped bundle runs — no tsx loader or __name
// wrappers in the timings), then runs them one after another, each in a fresh process, and
// prints their one-line JSON results. Figures that matter are ratios measured in the same process.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, root } from '../bin/bundle.js';

const only = process.argv.slice(2);
const benches = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((b) => only.length === 0 || only.includes(b)).sort();
execFileSync(process.execPath, [join(root, 'bin', 'build.js')], { stdio: 'inherit' });
const out = join(root, 'bench', '.out');
await bundle(Object.fromEntries(benches.map((b) => [b, `bench/${b}.bench.ts`])), 'bench/.out');
for (const b of benches) execFileSync(process.execPath, [join(out, `${b}.js`)], { cwd: root, stdio: 'inherit' });
