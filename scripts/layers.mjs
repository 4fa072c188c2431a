#!/usr/bin/env node
// Import-direction check: every import in src/ must point at the same or a lower layer.
// Usage: node scripts/layers.mjs   (exit 1 and a list when an import runs up the layers)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Layers, lowest first. A folder may import from its own layer or any lower one. */
export const LAYERS = [
  ['core'],
  ['indicator', 'rating'],
  ['config'],
  ['feed'],
  ['portfolio'],
  ['risk', 'signal'],
  ['store'],
  ['kernel'],
  ['execution'],
  ['commands'],
  ['notifier'],
  ['backtest'],
  ['app'],
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const rank = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i])));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|mjs)$/.test(name) ? [p] : [];
  });
}

/** Every import that runs up the layers, as `from → to` (paths relative to src/). */
export function upwardImports() {
  const out = [];
  const unknown = new Set();
  for (const file of files(root)) {
    const from = relative(root, file).split('/')[0];
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      const target = relative(root, resolve(dirname(file), m[1]));
      const to = target.split('/')[0];
      if (!rank.has(from)) unknown.add(from);
      if (!rank.has(to)) unknown.add(to);
      if ((rank.get(to) ?? -1) > (rank.get(from) ?? Infinity)) out.push(`${relative(root, file)} → ${target}`);
    }
  }
  return { upward: out, unknown: [...unknown] };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { upward, unknown } = upwardImports();
  for (const u of unknown) console.log(`folder src/${u} is in no layer (add it to LAYERS in scripts/layers.mjs)`);
  for (const u of upward) console.log(`upward import: ${u}`);
  process.exit(upward.length || unknown.length ? 1 : 0);
}
