import type { Exchange } from 'ccxt';
import type { Candle } from '../../core/candle.js';
import type { Clock } from '../../core/clock.js';
import { bucketOpen, timeframeMs, type Timeframe } from '../../core/timeframe.js';
import type { FeedLogger } from '../health.js';
import { backfill } from '../rest.js';

/**
 * Base bars per warm-up window: Binance's kline page (1,000 rows), so each window costs one
 * request per symbol (request weight 2) and windows hold at most 1,000 candles per symbol.
 */
export const WARMUP_WINDOW_BARS = 1000;

/** What the REST backfill reads from and hands candles to (the live feed). */
export interface BackfillContext {
  exchange: Exchange;
  base: Timeframe;
  /** Resolved ccxt market per symbol, when the venue's differs from the symbol. */
  markets?: Readonly<Record<string, string>>;
  clock: Clock;
  log: FeedLogger;
  /** Open time (ms UTC) of the last candle of `symbol` handed on, or -Infinity. */
  consumed(symbol: string): number;
  /** Hands on one candle (the live feed drops what is at or behind its high-water mark). */
  deliver(symbol: string, candle: Candle): void;
  stopped(): boolean;
}

/** REST requests continuing each symbol after its high-water mark; a symbol with no candles yet starts at `start` (ms UTC). */
export function requestsFrom(ctx: BackfillContext, symbols: readonly string[], start: number): { symbol: string; market?: string; from: number }[] {
  const ms = timeframeMs(ctx.base);
  return symbols.map((symbol) => {
    const c = ctx.consumed(symbol);
    const market = ctx.markets?.[symbol];
    return { symbol, ...(market ? { market } : {}), from: Number.isFinite(c) ? c + ms : start };
  });
}

/**
 * Reads every closed candle after each symbol's high-water mark over REST and hands them on
 * merged in close-time order. A symbol with no history yet starts at `from` (ms UTC), by default
 * the last closed candle. Returns the feed-clock time the read covers and how many candles came.
 * @throws ExchangeError when the venue cannot be read
 */
export async function catchUp(ctx: BackfillContext, symbols: readonly string[], from?: number): Promise<{ now: number; candles: number }> {
  const now = ctx.clock.now();
  const start = from ?? bucketOpen(now, ctx.base) - timeframeMs(ctx.base);
  const got = await backfill(ctx.exchange, requestsFrom(ctx, symbols, start), ctx.base, now);
  if (!ctx.stopped()) for (const { symbol, candle } of got) ctx.deliver(symbol, candle);
  return { now, candles: got.length };
}

/**
 * Warm-up from `from` (ms UTC) to now in windows of {@link WARMUP_WINDOW_BARS} base bars: each
 * window is fetched for every symbol (one page each, paced by ccxt's rate limiter), merged and
 * handed on before the next, so months of 1m candles hold one window in memory, not all of it.
 * Returns where the last (partial) window starts: the caller finishes with an ordinary catch-up.
 */
export async function warmUpWindows(ctx: BackfillContext, symbols: readonly string[], from: number): Promise<number> {
  const last = bucketOpen(ctx.clock.now(), ctx.base);
  const span = WARMUP_WINDOW_BARS * timeframeMs(ctx.base);
  let start = from;
  for (; start + span < last; start += span) {
    // `now` = the window's end: the read returns the candles that have closed by it.
    const got = await backfill(ctx.exchange, requestsFrom(ctx, symbols, start), ctx.base, start + span);
    if (ctx.stopped()) return start;
    for (const { symbol, candle } of got) ctx.deliver(symbol, candle);
  }
  return start;
}
