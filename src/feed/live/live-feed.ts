/**
 * The live feed: warm-up history over REST, then Binance kline WebSocket closes (or REST polling),
 * with REST backfill after every reconnect and REST polling while the WebSocket is down — so each
 * base candle close reaches the {@link CandlePipeline} exactly once and in order per symbol.
 *
 * All deliveries go through one serialized "pump": REST catch-ups run first, and WebSocket closes
 * that arrive meanwhile wait in a buffer and are applied after, in arrival order. A per-symbol
 * high-water mark (`consumed`, the last open time handed on) makes every overlap between REST
 * and WebSocket a silent no-op.
 */
import type { Exchange } from 'ccxt';
import { copyCandle, type Candle } from '../../core/candle.js';
import type { Clock } from '../../core/clock.js';
import { ConfigError } from '../../core/errors.js';
import { bucketOpen, timeframeMs, type Timeframe } from '../../core/timeframe.js';
import { DEFAULT_WS_OPTIONS, type BinanceWsOptions } from '../binance/connection.js';
import { BinanceKlineFeed } from '../binance/kline-feed.js';
import { type FeedEvent, type FeedHealth, FeedHealthTracker, type FeedLogger, silentLogger } from '../health.js';
import type { CandlePipeline } from '../pipeline.js';
import { createExchange, type ExchangeConfig, PollSchedule } from '../rest.js';
import { catchUp, warmUpWindows, WARMUP_WINDOW_BARS, type BackfillContext } from './backfill.js';
import { ProvisionalVerifier } from './verify.js';

export type { FeedEvent, FeedHealth } from '../health.js';

/** Options of {@link LiveFeed}. Durations in ms. */
export interface LiveFeedOptions {
  /** edgebot symbols (`BTCUSDT`, `BTCUSD.P`); ties between symbols are delivered in this order. */
  symbols: string[];
  /**
   * The ccxt market of each symbol, resolved from the venue's markets at start
   * (src/feed/markets.ts: `BTCUSD.P` → `BTC/USD:USD`). A symbol not listed is resolved by name.
   */
  markets?: Readonly<Record<string, string>>;
  /** Timeframes the engine uses (for health; the pipeline builds them from the base candles). */
  timeframes: Timeframe[];
  /** Where closes go. Its base timeframe is the one fetched and streamed. */
  pipeline: CandlePipeline;
  /** Market clock: wall clock live, the fake exchange's clock in tests. */
  clock: Clock;
  /** ccxt exchange id and REST base URL (config `exchange.*`). */
  exchange: ExchangeConfig;
  /** `ws` (Binance WebSocket + REST, default) or `rest` (REST polling only, any ccxt exchange). Config `feed.type`. */
  type?: 'ws' | 'rest';
  /** WebSocket settings (config `feed.*`); `closeGraceMs` is also the REST polling delay after each close. */
  ws?: Partial<Omit<BinanceWsOptions, 'reconnect'>> & { reconnect?: Partial<BinanceWsOptions['reconnect']> };
  /** A gap longer than this many base bars that REST cannot fill raises a `gap` event. Default: the pipeline's. */
  maxMissingBars?: number;
  /**
   * Base candles of history fetched per symbol before going live (the app derives it from every
   * lookback: src/signal/lookback.ts `warmupPlan`). Fetched in windows of 1,000 bars.
   */
  warmupBars: number;
  /** How often (wall ms) overdue closes, polls, rotations and verifications are checked. Default 1000. */
  tickMs?: number;
  /** Backoff of failed REST calls (wall ms). Default 1000 / 60 000. */
  restRetry?: { baseMs: number; maxMs: number };
  /**
   * When REST keeps failing for this long (feed clock) while live closes wait behind a catch-up,
   * the live closes go through anyway and the hole is reported as a `gap` — liveness over
   * completeness. Default 5 base intervals.
   */
  catchUpTimeoutMs?: number;
  /** Warm-up attempts before start() gives up. Default 5. */
  warmupAttempts?: number;
  /** An existing ccxt exchange to use instead of creating one from `exchange`. */
  exchangeInstance?: Exchange;
  logger?: FeedLogger;
  /** Receives feed events (down, up, gap, dropped frame, provisional mismatch). */
  onEvent?: (e: FeedEvent) => void;
  /** Random source for backoff jitter (tests may seed it). */
  random?: () => number;
}

type Source = 'warmup' | 'rest' | 'ws' | 'provisional';

interface SymbolState {
  /** Open time (ms UTC) of the last base candle handed to the pipeline, or -Infinity. */
  consumed: number;
  /** A REST catch-up must run before live closes of this symbol are applied. */
  needsCatchUp: boolean;
  /** Feed-clock time the catch-up was last asked for; a catch-up that started before it does not count. */
  flaggedAt: number;
  /** Feed-clock time since which a catch-up has been outstanding. */
  catchUpSince: number;
  /** Live closes were let through without a REST catch-up (REST kept failing): the next hole is a loss. */
  unverifiedHole: boolean;
  /** Everything that had closed by this time (feed clock) has been read over REST. */
  verifiedTo: number;
  /** Its WebSocket connection is open. */
  wsUp: boolean;
  /** Its WebSocket connection has been open before (so the next open is a reconnect). */
  wsSeen: boolean;
}

interface PendingClose {
  symbol: string;
  candle: Candle;
  provisional: boolean;
}

/** See the module comment. Create, `await start()`, read `health()`, `await stop()`. */
export class LiveFeed {
  readonly type: 'ws' | 'rest';
  readonly base: Timeframe;
  readonly #o: LiveFeedOptions;
  readonly #baseMs: number;
  readonly #ws: BinanceWsOptions;
  readonly #maxMissing: number;
  readonly #log: FeedLogger;
  readonly #health: FeedHealthTracker;
  readonly #poll: PollSchedule;
  readonly #state = new Map<string, SymbolState>();
  #ex: Exchange | null = null;
  #kline: BinanceKlineFeed | null = null;
  #pending: PendingClose[] = [];
  readonly #verifier: ProvisionalVerifier;
  #dirty = false;
  #pumping: Promise<void> | null = null;
  #restFailures = 0;
  #restRetryAt = -Infinity;
  #retryTimer: NodeJS.Timeout | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  #started = false;
  #stopped = false;

  constructor(opts: LiveFeedOptions) {
    this.#o = opts;
    this.type = opts.type ?? 'ws';
    this.base = opts.pipeline.base;
    this.#baseMs = timeframeMs(this.base);
    if (this.type === 'ws' && opts.exchange.id !== 'binance') {
      throw new ConfigError(`feed.type "ws" streams Binance klines only; use feed.type "rest" for ${opts.exchange.id}`, 'feed.type');
    }
    if (this.type === 'ws' && this.base === '2m') {
      throw new ConfigError('Binance has no 2m klines; use a 1m base timeframe', 'feed.baseTimeframe');
    }
    if (opts.symbols.length === 0) throw new ConfigError('the live feed needs at least one symbol', 'symbols');
    this.#ws = {
      ...DEFAULT_WS_OPTIONS,
      ...opts.ws,
      reconnect: { ...DEFAULT_WS_OPTIONS.reconnect, ...opts.ws?.reconnect },
    };
    this.#maxMissing = opts.maxMissingBars ?? opts.pipeline.maxMissingBars;
    this.#log = opts.logger ?? silentLogger;
    this.#health = new FeedHealthTracker(this.type, opts.exchange.id, opts.timeframes);
    this.#poll = new PollSchedule(this.base, this.#ws.closeGraceMs);
    this.#verifier = new ProvisionalVerifier({
      exchange: () => this.#ex!, base: this.base, ...(opts.markets ? { markets: opts.markets } : {}), health: this.#health, log: this.#log,
      emit: (e) => this.#emit(e), stopped: () => this.#stopped,
    });
    for (const s of opts.symbols) {
      this.#state.set(s, {
        consumed: opts.pipeline.lastOpenTime(s),
        needsCatchUp: false,
        flaggedAt: -Infinity,
        catchUpSince: -Infinity,
        unverifiedHole: false,
        verifiedTo: -Infinity,
        wsUp: false,
        wsSeen: false,
      });
    }
  }

  /**
   * Fetches warm-up history (the last `warmupBars` closed base candles of every symbol, merged in
   * close-time order; symbols the pipeline already has are continued from where it stopped),
   * then opens the WebSocket or starts polling. Resolves once warm-up is in the pipeline.
   * @throws ExchangeError when warm-up keeps failing (`warmupAttempts`) or fails permanently
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('LiveFeed.start() called twice');
    this.#started = true;
    this.#ex = this.#o.exchangeInstance ?? (await createExchange(this.#o.exchange));
    const now = this.#o.clock.now();
    const from = bucketOpen(now, this.base) - this.#o.warmupBars * this.#baseMs;
    const attempts = this.#o.warmupAttempts ?? 5;
    this.#log.info({
      warmupBars: this.#o.warmupBars, base: this.base, from, symbols: this.#o.symbols.length,
      requests: this.#o.symbols.length * Math.ceil(this.#o.warmupBars / WARMUP_WINDOW_BARS),
    }, 'warm-up');
    for (let i = 1; ; i++) {
      try {
        // A retry resumes from each symbol's high-water mark: windows already delivered stay delivered.
        await this.#warmUp(from);
        break;
      } catch (e) {
        const temporary = (e as { temporary?: boolean }).temporary === true;
        if (!temporary || i >= attempts || this.#stopped) throw e;
        this.#health.restErrors++;
        const delay = this.#backoff(i);
        this.#log.warn({ err: (e as Error).message, attempt: i, delayMs: delay }, 'warm-up failed, retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    if (this.#stopped) return;
    this.#health.state = 'live';
    this.#poll.polled(this.#o.clock.now());
    if (this.type === 'ws') {
      this.#health.restFallback = true; // until the WebSocket is open
      this.#kline = new BinanceKlineFeed(
        this.#o.symbols,
        this.base,
        this.#ws,
        this.#o.clock,
        {
          onClose: (symbol, candle, provisional) => this.#onClose(symbol, candle, provisional),
          onUp: (symbols) => this.#onUp(symbols),
          onDown: (symbols, reason) => this.#onDown(symbols, reason),
          onDropped: (reason, detail) => {
            this.#health.dropFrame(reason);
            this.#log.warn({ reason, detail }, 'dropped kline frame');
            this.#emit({ type: 'dropped-frame', reason, detail });
          },
          onRotated: (reason) => {
            this.#health.rotations++;
            this.#log.info({ reason }, 'kline connection rotated');
          },
        },
        this.#log,
        this.#o.random,
      );
      this.#health.connections = this.#kline.connectionCounts;
      this.#kline.start();
    } else {
      this.#health.restFallback = true;
    }
    this.#tickTimer = setInterval(() => this.#tick(), this.#o.tickMs ?? 1000);
  }

  /** Closes connections and timers; waits for an in-flight delivery step to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#tickTimer);
    clearTimeout(this.#retryTimer);
    this.#kline?.stop();
    this.#health.state = 'stopped';
    await this.#pumping;
    await this.#verifier.idle();
  }

  /** Current health, for `/status`. */
  health(): FeedHealth {
    let laggard = Infinity;
    for (const st of this.#state.values()) laggard = Math.min(laggard, st.consumed);
    if (this.#kline) this.#health.connections = this.#kline.connectionCounts;
    return this.#health.snapshot(this.#o.clock.now(), Number.isFinite(laggard) ? laggard + this.#baseMs : null);
  }

  /** Open time (ms UTC) of the last base candle of `symbol` handed to the pipeline, or -Infinity. */
  lastOpenTime(symbol: string): number {
    return this.#state.get(symbol)?.consumed ?? -Infinity;
  }

  // --- WebSocket callbacks -------------------------------------------------------------------

  #onClose(symbol: string, candle: Candle, provisional: boolean): void {
    if (this.#stopped) return;
    this.#pending.push({ symbol, candle: copyCandle(candle), provisional });
    this.#kick();
  }

  #onUp(symbols: string[]): void {
    const now = this.#o.clock.now();
    let reconnect = false;
    for (const s of symbols) {
      const st = this.#state.get(s)!;
      reconnect ||= st.wsSeen;
      st.wsUp = st.wsSeen = true;
      // Whatever closed while this connection was down comes over REST before live closes.
      this.#flag(st, now);
    }
    if (reconnect) this.#health.reconnects++;
    if (this.#allWsUp()) {
      this.#health.restFallback = false;
      this.#markUp(now);
    }
    this.#kick();
  }

  #onDown(symbols: string[], reason: string): void {
    for (const s of symbols) this.#state.get(s)!.wsUp = false;
    this.#health.restFallback = true;
    this.#poll.asap();
    this.#markDown(reason);
  }

  #allWsUp(): boolean {
    for (const st of this.#state.values()) if (!st.wsUp) return false;
    return true;
  }

  #markDown(reason: string): void {
    if (this.#health.downSince !== null) return;
    const at = this.#o.clock.now();
    this.#health.downSince = at;
    this.#log.warn({ reason }, 'feed down');
    this.#emit({ type: 'feed-down', reason, at });
  }

  #markUp(at: number): void {
    const since = this.#health.downSince;
    if (since === null) return;
    this.#health.downSince = null;
    this.#log.info({ downtimeMs: at - since }, 'feed up');
    this.#emit({ type: 'feed-up', downtimeMs: at - since, at });
  }

  // --- periodic checks -----------------------------------------------------------------------

  #tick(): void {
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    this.#kline?.tick(now);
    // REST polling: the REST feed always, the WebSocket feed for symbols whose socket is down.
    const polled = this.#o.symbols.filter((s) => this.type === 'rest' || !this.#state.get(s)!.wsUp);
    if (polled.length && this.#poll.due(now)) {
      const lastClosedOpen = bucketOpen(now - this.#ws.closeGraceMs, this.base) - this.#baseMs;
      const behind = polled.filter((s) => this.#state.get(s)!.consumed < lastClosedOpen);
      if (behind.length) {
        this.#poll.polled(now);
        for (const s of behind) this.#flag(this.#state.get(s)!, now);
        this.#kick();
      }
    }
    this.#verifier.poke(now);
  }

  #flag(st: SymbolState, now: number): void {
    if (!st.needsCatchUp) st.catchUpSince = now;
    st.needsCatchUp = true;
    st.flaggedAt = now;
  }

  // --- the pump: the only place that hands candles to the pipeline -------------------------------

  /** Runs the pump (or makes the running one go round again). */
  #kick(): void {
    this.#dirty = true;
    if (this.#pumping || this.#stopped) return;
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = null;
      if (this.#dirty && !this.#stopped) this.#kick();
    });
  }

  async #pump(): Promise<void> {
    while (this.#dirty && !this.#stopped) {
      this.#dirty = false;
      const need = this.#o.symbols.filter((s) => this.#state.get(s)!.needsCatchUp);
      if (need.length) {
        const wait = this.#restRetryAt - performance.now();
        if (wait > 0) this.#retryIn(wait);
        else {
          try {
            await this.#catchUp(need, 'rest');
            this.#restSucceeded();
          } catch (e) {
            this.#restFailed(e);
          }
        }
      }
      if (this.#stopped) return;
      this.#applyPending();
    }
  }

  /** The REST backfill's view of this feed, delivering as `source`. */
  #backfill(source: Source): BackfillContext {
    const market = this.#o.markets;
    return {
      exchange: this.#ex!, base: this.base, ...(market ? { markets: market } : {}), clock: this.#o.clock, log: this.#log,
      consumed: (symbol) => this.#state.get(symbol)!.consumed,
      deliver: (symbol, candle) => this.#deliver(symbol, candle, source),
      stopped: () => this.#stopped,
    };
  }

  /** Warm-up: windows of history, then a catch-up to now. */
  async #warmUp(from: number): Promise<void> {
    const start = await warmUpWindows(this.#backfill('warmup'), this.#o.symbols, from);
    if (this.#stopped) return;
    await this.#catchUp(this.#o.symbols, 'warmup', start);
  }

  /** A REST catch-up of `symbols` (see {@link catchUp}); what it covered no longer needs one. */
  async #catchUp(symbols: string[], source: 'warmup' | 'rest', from?: number): Promise<void> {
    const { now, candles } = await catchUp(this.#backfill(source), symbols, from);
    if (this.#stopped) return;
    for (const s of symbols) {
      const st = this.#state.get(s)!;
      if (st.flaggedAt <= now) st.needsCatchUp = false;
      st.verifiedTo = Math.max(st.verifiedTo, now);
    }
    if (candles) this.#log.info({ source, candles, symbols: symbols.length }, 'candles fetched over REST');
  }

  /** Applies buffered WebSocket closes in arrival order; a symbol with a hole waits for a catch-up. */
  #applyPending(): void {
    const keep: PendingClose[] = [];
    const blocked = new Set<string>();
    const now = this.#o.clock.now();
    const timeout = this.#o.catchUpTimeoutMs ?? 5 * this.#baseMs;
    for (const p of this.#pending) {
      const st = this.#state.get(p.symbol)!;
      if (st.needsCatchUp && !blocked.has(p.symbol) && this.#restFailures > 0 && now - st.catchUpSince > timeout) {
        // REST has been failing too long: stop holding live closes back; the hole is lost.
        st.needsCatchUp = false;
        st.verifiedTo = now;
        st.unverifiedHole = true;
        this.#log.error({ symbol: p.symbol, waitedMs: now - st.catchUpSince }, 'REST catch-up keeps failing; resuming live closes without it');
      }
      if (blocked.has(p.symbol) || st.needsCatchUp) {
        blocked.add(p.symbol);
        keep.push(p);
        continue;
      }
      const t = p.candle.openTime;
      if (t <= st.consumed) continue; // already delivered (REST got there first)
      // A hole before this close that REST has not been asked about yet: fetch it first.
      if (Number.isFinite(st.consumed) && t !== st.consumed + this.#baseMs && st.verifiedTo < t) {
        this.#flag(st, now);
        if (performance.now() >= this.#restRetryAt) this.#dirty = true;
        blocked.add(p.symbol);
        keep.push(p);
        continue;
      }
      this.#deliver(p.symbol, p.candle, p.provisional ? 'provisional' : 'ws');
      if (p.provisional) this.#verifier.add(p.symbol, p.candle);
    }
    this.#pending = keep;
  }

  /** Hands one base candle to the pipeline unless it is at or behind the high-water mark. */
  #deliver(symbol: string, candle: Candle, source: Source): void {
    const st = this.#state.get(symbol)!;
    if (candle.openTime <= st.consumed) return;
    if (Number.isFinite(st.consumed)) {
      const missingBars = Math.round((candle.openTime - st.consumed) / this.#baseMs) - 1;
      // Any hole REST could not be asked about is a loss worth an alert, however short.
      const unverified = st.unverifiedHole && missingBars > 0;
      if (missingBars > this.#maxMissing || unverified) {
        this.#health.gaps++;
        this.#log.warn({ symbol, missingBars, from: st.consumed, to: candle.openTime, unverified }, 'gap in candles');
        this.#emit({ type: 'gap', symbol, missingBars, fromOpenTime: st.consumed, toOpenTime: candle.openTime, unverified });
      }
    }
    st.unverifiedHole = false;
    st.consumed = candle.openTime;
    if (source === 'provisional') this.#health.provisional.closed++;
    this.#health.candles[source === 'provisional' ? 'ws' : source]++;
    this.#o.pipeline.push(symbol, candle);
  }

  #restSucceeded(): void {
    this.#restFailures = 0;
    if (this.type === 'rest' && !this.#health.restOk) {
      this.#health.restOk = true;
      this.#health.restFallback = true;
      this.#markUp(this.#o.clock.now());
    }
  }

  #restFailed(e: unknown): void {
    this.#restFailures++;
    this.#health.restErrors++;
    const delay = this.#backoff(this.#restFailures);
    this.#restRetryAt = performance.now() + delay;
    this.#log.warn({ err: (e as Error).message, delayMs: delay }, 'REST catch-up failed, retrying');
    if (this.type === 'rest' && this.#health.restOk) {
      this.#health.restOk = false;
      this.#markDown((e as Error).message);
    }
    this.#retryIn(delay);
  }

  /** Runs the pump again in `ms` (wall), when the REST backoff is over. */
  #retryIn(ms: number): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#kick(), Math.ceil(ms) + 1);
  }

  #backoff(attempt: number): number {
    const { baseMs, maxMs } = this.#o.restRetry ?? { baseMs: 1000, maxMs: 60_000 };
    const r = this.#o.random ?? Math.random;
    return Math.round(Math.min(maxMs, baseMs * 2 ** (attempt - 1)) * (0.5 + 0.5 * r()));
  }

  #emit(e: FeedEvent): void {
    try {
      this.#o.onEvent?.(e);
    } catch (err) {
      this.#log.error({ err: (err as Error).message, event: e.type }, 'feed event handler threw');
    }
  }
}
