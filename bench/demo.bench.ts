/**
 * `npm run demo` wall time (node bin/edgebot.js replay --data data/binance-2025-5m, output
 * discarded) running the dist/ bundle vs the TypeScript sources through tsx
 * (EDGEBOT_FROM_SOURCE=1), alternated 3 times. bench/run.mjs builds dist/ first.
 * Goal: ≤ 1 s (was about 4 s).
 */
import { spawnSync } from 'node:child_process';
import { median, report, round } from './common.js';

function demo(fromSource: boolean): { ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/edgebot.js', 'replay', '--data', 'data/binance-2025-5m'], {
    env: { ...process.env, EDGEBOT_FROM_SOURCE: fromSource ? '1' : '' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`demo exited ${r.status}`);
  return { ms };
}

const dist: number[] = [];
const src: number[] = [];
for (let i = 0; i < 3; i++) {
  dist.push(demo(false).ms);
  src.push(demo(true).ms);
}
const ms = median(dist);
report('demo', { wallMs: round(ms, 0), fromSourceWallMs: round(median(src), 0), ratio: round(ms / median(src)), baselineMs: 4000 }, '≤ 1 s wall', ms <= 1000);
