/**
 * Test harness around the fake Binance: a recording sink, a reference replay, a step driver
 * that advances the simulated clock minute by minute, and small utilities (seeded RNG, waitFor).
 */
import { fileURLToPath } from 'node:url';
import { copyCandle, type Candle } from '../../../src/core/candle.js';
import { timeframeMs, type Timeframe } from '../../../src/core/timeframe.js';
import type { CandleSeries } from '../../../src/feed/csv.js';
import { CandlePipeline, type CandleSink, type FeedNotice } from '../../../src/feed/pipeline.js';
import { ReplayFeed } from '../../../src/feed/replay.js';
import type { FakeBinance } from '../binance.js';

/** `data/binance-2021-1m` (1m, BTC ETH SOL BNB DOGE). */
export const DATA_2021_1M = fileURLToPath(new URL('../../../data/binance-2021-1m', import.meta.url));

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** One delivery the sink received. */
export interface Delivery {
  symbol: string;
  tf: Timeframe;
  candle: Candle;
}

/** A CandleSink that keeps a copy of everything it receives, in order. */
export class RecordingSink implements CandleSink {
  readonly deliveries: Delivery[] = [];
  onCandle(symbol: string, tf: Timeframe, candle: Candle): void {
    this.deliveries.push({ symbol, tf, candle: copyCandle(candle) });
  }
  /** The candles of one (symbol, timeframe), in delivery order. */
  of(symbol: string, tf: Timeframe): Candle[] {
    return this.deliveries.filter((d) => d.symbol === symbol && d.tf === tf).map((d) => d.candle);
  }
}

/** A pipeline into a fresh recording sink, with its notices collected. */
export function recordingPipeline(base: Timeframe, timeframes: Timeframe[], maxMissingBars = 5) {
  const sink = new RecordingSink();
  const notices: FeedNotice[] = [];
  const pipeline = new CandlePipeline(base, timeframes, sink, (n) => notices.push(n), maxMissingBars);
  return { sink, notices, pipeline };
}

/** What a plain ReplayFeed delivers for `series` clipped to open times in [from, to). */
export async function referenceDeliveries(series: CandleSeries[], timeframes: Timeframe[], from: number, to: number): Promise<RecordingSink> {
  const clipped = series.map((s) => clip(s, from, to));
  const { sink, pipeline } = recordingPipeline(series[0].timeframe, timeframes);
  await new ReplayFeed(clipped, pipeline).run();
  return sink;
}

/** The source candles of one series with open time in [from, to), as Candle objects. */
export function sourceCandles(s: CandleSeries, from: number, to: number): Candle[] {
  const ms = timeframeMs(s.timeframe);
  const out: Candle[] = [];
  for (let i = 0; i < s.length; i++) {
    const t = s.openTime[i];
    if (t < from || t >= to) continue;
    out.push({ openTime: t, closeTime: t + ms, open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] });
  }
  return out;
}

function clip(s: CandleSeries, from: number, to: number): CandleSeries {
  let a = 0;
  while (a < s.length && s.openTime[a] < from) a++;
  let b = a;
  while (b < s.length && s.openTime[b] < to) b++;
  const sub = (x: Float64Array) => x.subarray(a, b);
  return { ...s, length: b - a, openTime: sub(s.openTime), open: sub(s.open), high: sub(s.high), low: sub(s.low), close: sub(s.close), volume: sub(s.volume) };
}

/** Open time of the last candle of `s` with open time ≤ t, or -Infinity. */
export function lastOpenAtOrBefore(s: CandleSeries, t: number): number {
  let r = -Infinity;
  for (let i = 0; i < s.length && s.openTime[i] <= t; i++) r = s.openTime[i];
  return r;
}

/** Mulberry32, the seeded RNG the bootstrap uses too. */
export { mulberry32 } from '../../../src/backtest/evidence.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when `cond()` holds; rejects after `timeoutMs` of real time naming `what`. */
export async function waitFor(cond: () => boolean, what: string | (() => string), timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Spin on setImmediate first (socket reads land within a few loop turns), then sleep.
  for (let i = 0; !cond(); i++) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    if (i < 200) await new Promise<void>((r) => setImmediate(r));
    else await sleep(1);
  }
}

/** What the step driver needs from a feed: how far each symbol has been delivered. */
export interface FeedProgress {
  lastOpenTime(symbol: string): number;
}

/**
 * Drives one base candle of simulated time in two phases, the way time flows for a real feed:
 * 1. advance to the candle's close (the fake sends its frames) and wait until every symbol whose
 *    final frame was sent has it delivered — so the simulated clock never jumps past the
 *    close-by-timer deadline of a frame still in flight;
 * 2. advance a further `afterCloseMs` (past the feed's grace, so REST polling is due) and wait
 *    until every symbol has everything the exchange has up to that candle.
 */
export class StepDriver {
  readonly #ms: number;
  constructor(
    readonly fake: FakeBinance,
    readonly feed: FeedProgress,
    readonly series: CandleSeries[],
    readonly afterCloseMs: number,
  ) {
    this.#ms = timeframeMs(series[0].timeframe);
  }

  /** Phase 1 only: advance to the close of the candle opening at `open` and wait for its final frames. */
  async toClose(open: number, opts: { wait?: boolean } = {}): Promise<void> {
    this.fake.advanceTo(open + this.#ms);
    // Final frames handed to a connection (possibly still delayed by `delayFrames`).
    const sent = this.series.filter((s) => this.fake.lastFinalSent(s.symbol) === open).map((s) => s.symbol);
    if (opts.wait === false || sent.length === 0) return;
    await waitFor(
      () => sent.every((sym) => this.feed.lastOpenTime(sym) >= open),
      () => `final frames of ${new Date(open).toISOString()} (${sent.join(',')})`,
    );
  }

  /** Phase 2: advance past the grace and wait until everything up to `open` is delivered. */
  async settle(open: number, timeoutMs = 5000): Promise<void> {
    this.fake.advanceTo(open + this.#ms + this.afterCloseMs);
    await this.waitDelivered(open, timeoutMs);
  }

  /** Waits until every symbol has every source candle with open time ≤ `open`. */
  async waitDelivered(open: number, timeoutMs = 5000): Promise<void> {
    const want = this.series.map((s) => [s.symbol, lastOpenAtOrBefore(s, open)] as const);
    await waitFor(
      () => want.every(([sym, t]) => this.feed.lastOpenTime(sym) >= t),
      () => `delivery up to ${new Date(open).toISOString()}: ${want.map(([s]) => `${s}@${new Date(this.feed.lastOpenTime(s)).toISOString()}`).join(' ')}`,
      timeoutMs,
    );
  }

  /** Both phases. */
  async step(open: number): Promise<void> {
    await this.toClose(open);
    await this.settle(open);
  }
}

/** A Binance combined-stream kline frame (for hand-made malformed frames). */
export function klineFrame(symbol: string, c: Candle, final: boolean, override: Record<string, unknown> = {}): string {
  const k = {
    t: c.openTime,
    T: c.closeTime - 1,
    s: symbol,
    i: '1m',
    f: 1,
    L: 2,
    o: c.open.toFixed(8),
    c: c.close.toFixed(8),
    h: c.high.toFixed(8),
    l: c.low.toFixed(8),
    v: c.volume.toFixed(8),
    n: 2,
    x: final,
    q: '0',
    V: '0',
    Q: '0',
    B: '0',
    ...override,
  };
  return JSON.stringify({ stream: `${symbol.toLowerCase()}@kline_1m`, data: { e: 'kline', E: c.closeTime, s: symbol, k } });
}
