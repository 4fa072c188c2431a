/**
 * Signal latency: from the moment a candle close reaches the engine to the moment the fake Bot
 * API (loopback, the real grammY client) receives the card's `sendMessage`, at 14 instruments
 * (the bundled real 5m candles) and at 1,000 (synthetic random walks), every one rated cross-coin. The state store is the
 * durable one the bot runs on (fsync before every send), charts are off (a chart is ~100–200 ms
 * of rendering by design) and the outbox pacing is 0: the figure excludes deliberate pacing only.
 * Each card is waited for before the replay goes on, as closes arrive minutes apart live.
 * Goal: p99 ≤ 10 ms.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openChat } from '../src/app/chat.js';
import { ReplayClock } from '../src/core/clock.js';
import type { Candle } from '../src/core/candle.js';
import { createLogger } from '../src/core/log.js';
import type { Timeframe } from '../src/core/timeframe.js';
import { loadConfig } from '../src/config/load.js';
import { loadCandleDir, type CandleSeries } from '../src/feed/csv.js';
import { ReplayFeed } from '../src/feed/replay.js';
import { createRuntime } from '../src/kernel/kernel.js';
import { renderEvent } from '../src/notifier/render.js';
import type { CandleRule } from '../src/signal/rule.js';
import type { Setup } from '../src/signal/types.js';
import { StateStore } from '../src/store/state-store.js';
import { startFakeTelegramApi } from '../test/fakes/telegram-api.js';
import { report, round } from './common.js';

const OWNER = 1001;
const CARDS = 120;

/** A rule that fires a tradable long setup on every `every`-th 5m close it sees. */
class EveryNth implements CandleRule {
  #n = 0;
  constructor(readonly every: number) {}
  onCandle(symbol: string, timeframe: Timeframe, c: Candle, out: Setup[]): void {
    if (timeframe !== '5m' || ++this.#n % this.every) return;
    out.push({
      signalId: `bench:${symbol}`, rule: 'bench', name: 'Bench', symbol, timeframe, direction: 'long', time: c.closeTime,
      entry: c.close, stop: c.close * 0.99, target: c.close * 1.02, reason: 'bench', tradable: true,
    });
  }
}

/** `n` synthetic 5m series of `bars` candles (deterministic random walks). */
function synthetic(n: number, bars: number): CandleSeries[] {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const t0 = Date.UTC(2025, 0, 1);
  return Array.from({ length: n }, (_, s) => {
    const col = () => new Float64Array(bars);
    const x = { symbol: `S${String(s).padStart(4, '0')}USDT`, timeframe: '5m' as Timeframe, length: bars, openTime: col(), open: col(), high: col(), low: col(), close: col(), volume: col() };
    let p = 10 + 100 * rnd();
    for (let k = 0; k < bars; k++) {
      const open = p;
      p *= 1 + (rnd() - 0.5) * 0.01;
      x.openTime[k] = t0 + k * 300_000;
      x.open[k] = open;
      x.high[k] = Math.max(open, p) * 1.001;
      x.low[k] = Math.min(open, p) * 0.999;
      x.close[k] = p;
      x.volume[k] = 1000 * rnd();
    }
    return x;
  });
}

/** Latencies (ms) of CARDS cards over `series`, one card at a time. */
async function measure(series: CandleSeries[]): Promise<{ ms: number[]; stateBytes: number }> {
  const api = await startFakeTelegramApi();
  const dir = mkdtempSync(join(tmpdir(), 'edgebot-bench-latency-'));
  writeFileSync(join(dir, 'tg.json'), JSON.stringify({ token: api.token, chat_id: OWNER, allowed_user_ids: [OWNER] }));
  const config = loadConfig({
    overrides: {
      chat: { type: 'telegram', charts: false },
      telegram: { apiRoot: api.apiRoot, configFile: join(dir, 'tg.json') },
      execution: { autoTrade: 'off' }, risk: { maxOpenPositions: 1000 },
      paths: { liveParams: join(dir, 'none.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
    },
  });
  const store = await StateStore.open(join(dir, 'state.json'), config.broker.startingBalance, { durable: true });
  const closes = series[0].length;
  const rule = new EveryNth(Math.max(1, Math.floor((closes * series.length) / (CARDS + 10))));
  const rt = createRuntime({
    notice: renderEvent, mode: 'paper', config, liveParams: {}, clock: new ReplayClock(series[0].openTime[0]), store,
    log: createLogger(), baseTimeframe: '5m', coinSymbols: series.map((s) => s.symbol), rules: [rule],
  });
  const chat = await openChat(rt, { input: null, output: new Writable({ write: (_c, _e, cb) => cb() }), secrets: [], minIntervalMs: 0 });
  // When each card left the engine, and when the fake received the message carrying it.
  const made = new Map<string, number>();
  const received = new Map<string, number>();
  rt.bus.subscribe((e) => {
    if (e.type === 'card') made.set(e.card.id, performance.now());
  });
  const push = api.calls.push.bind(api.calls);
  api.calls.push = (...calls) => {
    const t = performance.now();
    for (const c of calls) {
      if (c.method !== 'sendMessage') continue;
      for (const id of made.keys()) if (!received.has(id) && JSON.stringify(c.payload).includes(id)) received.set(id, t);
    }
    return push(...calls);
  };
  const feed = new ReplayFeed(series, rt.pipeline);
  while (made.size < CARDS) {
    const before = made.size;
    const ended = await feed.run({ pauseWhen: () => made.size > before });
    await api.waitFor(() => [...made.keys()].every((id) => received.has(id)), 30_000);
    if (ended) break;
  }
  await chat.stop();
  await store.close();
  await api.close();
  const stateBytes = statSync(join(dir, 'state.json')).size;
  rmSync(dir, { recursive: true, force: true });
  return { ms: [...made].map(([id, t]) => received.get(id)! - t), stateBytes };
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
for (const [label, series] of [['14', loadCandleDir('data/binance-2025-5m', { to: Date.UTC(2025, 0, 10) })], ['1000', synthetic(1000, 400)]] as const) {
  const { ms, stateBytes } = await measure(series);
  const p99 = pct(ms, 0.99);
  report(`signal-latency-${label}-series`, { series: series.length, cards: ms.length, p50Ms: round(pct(ms, 0.5)), p99Ms: round(p99), maxMs: round(Math.max(...ms)), stateFileKb: round(stateBytes / 1024, 0) },
    'candle close → sendMessage at the fake Bot API, p99 ≤ 10 ms (durable state, no pacing)', p99 <= 10);
}
