import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import direction of src/ (issue #11): a folder may import from its own layer or any lower
 * one, never from a higher one. Lowest first.
 */
const LAYERS = [
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

const SRC = resolve(import.meta.dirname, '../../src');
const rank = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|mts|mjs)$/.test(name) ? [p] : [];
  });
}

/** Every relative import in src/, as [importing file, imported module] relative to src/ (no extension). */
function imports(): [string, string][] {
  const out: [string, string][] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      out.push([relative(SRC, file), relative(SRC, resolve(dirname(file), m[1])).replace(/\.(js|ts|mjs)$/, '')]);
    }
  }
  return out;
}

describe('import direction', () => {
  const all = imports();

  it('reads the whole tree (the check is not vacuous)', () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all).toContainEqual(['kernel/engine.ts', 'kernel/card']);
  });

  it('every folder of src/ is in a layer', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    expect(folders.filter((f) => !rank.has(f))).toEqual([]);
  });

  it('no import runs up the layers', () => {
    const upward = all
      .filter(([from, to]) => rank.get(to.split('/')[0])! > rank.get(from.split('/')[0])!)
      .map(([from, to]) => `${from} → ${to}`);
    expect(upward).toEqual([]);
  });
});
