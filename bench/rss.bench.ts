/**
 * Memory at scale: 1,000 synthetic instruments × 1,000 5m candles (1,000,000 candles; random
 * walks, deterministic) written as CSV to a temp folder and replayed by the real CLI
 * (`node bin/edgebot.js replay --data DIR`: every coin rated cross-coin, the whole engine). The
 * child's RSS is sampled from /proc every 25 ms. Goal: peak ≤ 200 MB and flat (was 310–480 MB).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report, round } from './common.js';

const SERIES = 1000;
const CANDLES = 1000;
const dir = mkdtempSync(join(tmpdir(), 'edgebot-bench-rss-'));
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const T0 = Date.UTC(2025, 0, 1);
for (let s = 0; s < SERIES; s++) {
  const rows = ['open_time_ms,open,high,low,close,volume'];
  let p = 10 + 100 * rnd();
  for (let k = 0; k < CANDLES; k++) {
    const open = p;
    p *= 1 + (rnd() - 0.5) * 0.01;
    const hi = Math.max(open, p) * (1 + rnd() * 0.002);
    const lo = Math.min(open, p) * (1 - rnd() * 0.002);
    rows.push(`${T0 + k * 300_000},${open.toFixed(6)},${hi.toFixed(6)},${lo.toFixed(6)},${p.toFixed(6)},${(1000 * rnd()).toFixed(3)}`);
  }
  writeFileSync(join(dir, `S${String(s).padStart(4, '0')}USDT.csv`), rows.join('\n') + '\n');
}

/** VmRSS of `pid` in bytes, or NaN once it has exited. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

const samples: number[] = [];
const t0 = performance.now();
const child = spawn(process.execPath, ['bin/edgebot.js', 'replay', '--data', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
let out = '';
child.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-2000)));
const timer = setInterval(() => {
  const r = rssOf(child.pid!);
  if (r === r) samples.push(r);
}, 25);
const code = await new Promise<number | null>((res) => child.on('exit', res));
clearInterval(timer);
const wallMs = performance.now() - t0;
rmSync(dir, { recursive: true, force: true });
if (code !== 0) throw new Error(`replay exited ${code}: ${out}`);
const summary = JSON.parse(out.trim().split('\n').pop()!) as { candles: number };
const mb = (x: number) => round(x / 1024 / 1024, 0);
const peak = Math.max(...samples);
// RSS at 25/50/75/100 % of the run: flat means the last quarter is no higher than the second.
const at = [0.25, 0.5, 0.75, 1].map((q) => mb(samples[Math.min(samples.length - 1, Math.floor(q * (samples.length - 1)))]));
report('rss-1000-series', { series: SERIES, candles: summary.candles, wallMs: round(wallMs, 0), peakRssMb: mb(peak), rssMbAtQuarters: at, samples: samples.length, baselineMb: '310–480' },
  '≤ 200 MB peak and flat', mb(peak) <= 200 && at[3] <= at[1] * 1.1);
