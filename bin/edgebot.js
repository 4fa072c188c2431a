#!/usr/bin/env node
// Launcher. Runs the compiled bundle (dist/cli.js, built by `npm run build`, which `npm ci` runs
// as `prepare`) when it is newer than every file under src/; otherwise — a dev checkout with
// edited sources, no build yet, or EDGEBOT_FROM_SOURCE=1 — registers tsx and runs the TypeScript
// sources, so a stale bundle can never run instead of the code being edited or tested.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.js');

/** True when dist/cli.js exists and no file under src/ was modified after it (mtimes, ms). */
function bundleIsFresh() {
  if (process.env.EDGEBOT_FROM_SOURCE === '1' || !existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  const src = join(root, 'src');
  // ~150 stats, about a millisecond: cheap enough to do on every start.
  for (const f of readdirSync(src, { recursive: true })) if (statSync(join(src, f)).mtimeMs > built) return false;
  return true;
}

let main;
if (bundleIsFresh()) ({ main } = await import(pathToFileURL(bundle).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/app/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
