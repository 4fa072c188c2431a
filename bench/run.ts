/**
 * Speed and memory of the hot path, measured in one run and reported as ratios against targets
 * (never asserted in tests). `npm run bench`.
 *
 * - replay: the whole engine (pipeline, aggregation, ratings, z-score rule, broker, cards)
 *   over the bundled 14 × 48,096 5m candles, no chat; target ≥ 1,000,000 candles/s.
 * - glicko: `rate()` calls per second on the paper's example.
 * - csv: loading and parsing the bundled set.
 */
import { Writable } from 'node:stream';
import { prepareReplay } from '../src/app/replay.js';
import { loadCandleDir } from '../src/feed/csv.js';
import { rate } from '../src/rating/glicko2.js';

const DATA = 'data/binance-2025-5m';
const TARGET_CPS = 1_000_000;

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(0) + ' MB';
}

async function replayBench() {
  const session = await prepareReplay({
    data: DATA,
    input: null,
    output: new Writable({ write: (_c, _e, cb) => cb() }),
    statePath: '/tmp/edgebot-bench-state.json',
  });
  const heap0 = process.memoryUsage().heapUsed;
  const s = await session.run();
  return { ...s, heapGrowth: process.memoryUsage().heapUsed - heap0 };
}

function glickoBench() {
  const player = { rating: 1500, rd: 200, volatility: 0.06 };
  const games = [{ rating: 1400, rd: 30, score: 1 }, { rating: 1550, rd: 100, score: 0 }, { rating: 1700, rd: 300, score: 0 }];
  const n = 500_000;
  const t0 = performance.now();
  let acc = 0;
  for (let i = 0; i < n; i++) acc += rate(player, games, 0.5).rating;
  const ms = performance.now() - t0;
  return { callsPerSecond: Math.round((n / ms) * 1000), check: acc / n };
}

function csvBench() {
  const t0 = performance.now();
  const series = loadCandleDir(DATA);
  const ms = performance.now() - t0;
  const candles = series.reduce((a, s) => a + s.length, 0);
  return { candles, ms: Math.round(ms), candlesPerSecond: Math.round((candles / ms) * 1000) };
}

const csv = csvBench();
const glicko = glickoBench();
const replay = await replayBench();
const rss = process.memoryUsage().rss;
console.log(`csv     ${csv.candles} candles parsed in ${csv.ms} ms (${csv.candlesPerSecond.toLocaleString('en-US')}/s)`);
console.log(`glicko  ${glicko.callsPerSecond.toLocaleString('en-US')} rate() calls/s`);
console.log(`replay  ${replay.candles} candles in ${replay.elapsedMs} ms = ${replay.candlesPerSecond.toLocaleString('en-US')} candles/s` +
  ` → ${(replay.candlesPerSecond / TARGET_CPS).toFixed(2)}× the 1,000,000/s target; ${replay.cards} cards, ${replay.trades} trades`);
console.log(`memory  rss ${mb(rss)}, heap growth during replay ${mb(replay.heapGrowth)}`);
console.log(JSON.stringify({ csv, glicko, replay, rssBytes: rss, targetCandlesPerSecond: TARGET_CPS }));
