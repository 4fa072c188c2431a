/** Clock port: the time source. Replay and backtest advance it from candle close times; live reads wall time. */
export interface Clock {
  /** Current time, ms UTC. */
  now(): number;
}

/**
 * The Clock port with timers: everything that runs "at a time" (daily summary, heartbeat, state
 * flush, reconcile) goes through it, never through wall time, so a replay runs it at the
 * simulated time exactly as live would (Nautilus strategies set timers on the clock the same way).
 */
export interface TimerClock extends Clock {
  /**
   * Runs `fn` once when the clock reaches `at` (ms UTC). A replay clock runs it while advancing
   * past `at` (after the candles closing at `at`), with `now()` reading `at`; a wall clock on a
   * real timer, never before `at`. A time already past runs at the next opportunity. Returns a
   * function that cancels the timer.
   */
  setTimer(at: number, fn: () => void): () => void;
}

/** setTimeout's limit (2^31 − 1 ms); longer waits are chained. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Wall clock for paper and live modes: `now()` from `source` (Date.now by default; tests pass a
 * simulated exchange's time), timers on setTimeout. A timer re-checks `source` when it wakes and
 * waits again if it is early, so a job at 00:00 never runs at 23:59:59.999 (it would summarize
 * the wrong day). `pollMs` caps each wait, so a source that runs faster than the wall (a
 * simulated clock) is still followed within that long.
 */
export class WallClock implements TimerClock {
  readonly #source: () => number;
  readonly #pollMs: number;
  constructor(source: () => number = Date.now, opts: { pollMs?: number } = {}) {
    this.#source = source;
    this.#pollMs = opts.pollMs ?? 60_000;
  }
  now(): number {
    return this.#source();
  }
  setTimer(at: number, fn: () => void): () => void {
    let t: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = () => {
      const wait = at - this.#source();
      if (wait <= 0) {
        t = undefined;
        fn();
        return;
      }
      t = setTimeout(() => !cancelled && arm(), Math.min(wait, this.#pollMs, MAX_TIMEOUT_MS));
      // A timer never keeps the process up on its own: the feed and the chat do while it runs.
      t.unref();
    };
    // A due timer still runs on a later turn, never inside the caller.
    t = setTimeout(() => !cancelled && arm(), 0);
    t.unref();
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }
}

/** Wall clock for paper and live modes. */
export const systemClock: TimerClock = new WallClock();

/** `clock` itself when it runs timers, else a {@link WallClock} reading its time. */
export function withTimers(clock: Clock): TimerClock {
  return typeof (clock as Partial<TimerClock>).setTimer === 'function' ? (clock as TimerClock) : new WallClock(() => clock.now());
}

interface ReplayTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Clock driven by the feed: set to each candle's close time as it is processed. A timer runs
 * inside {@link advance} once time moves past it — after every candle closing at or before its
 * time, so a 00:00 summary sees the exits of the candle closing at 00:00 — in time order, each
 * with `now()` reading its own time, before time moves on.
 */
export class ReplayClock implements TimerClock {
  #t: number;
  /** Pending timers, sorted by time then creation. */
  #timers: ReplayTimer[] = [];
  #seq = 0;
  /** Earliest pending timer time (Infinity when none): the per-candle check is one comparison. */
  #nextDue = Infinity;
  #firing = false;

  constructor(start = 0) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  /** Moves time forward to `t` (never backwards), running the timers due on the way. */
  advance(t: number): void {
    if (t > this.#nextDue && !this.#firing) this.#fire(t);
    if (t > this.#t) this.#t = t;
  }
  setTimer(at: number, fn: () => void): () => void {
    const timer: ReplayTimer = { at, seq: this.#seq++, fn };
    const list = this.#timers;
    let i = list.length;
    while (i > 0 && list[i - 1].at > at) i--;
    list.splice(i, 0, timer);
    this.#nextDue = list[0].at;
    return () => {
      const k = this.#timers.indexOf(timer);
      if (k >= 0) this.#timers.splice(k, 1);
      this.#nextDue = this.#timers[0]?.at ?? Infinity;
    };
  }
  /** Pending timers (for tests and diagnostics). */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  #fire(t: number): void {
    this.#firing = true;
    try {
      // Timers a timer sets for a time before t run in this same pass.
      while (this.#timers.length && this.#timers[0].at < t) {
        const timer = this.#timers.shift()!;
        this.#nextDue = this.#timers[0]?.at ?? Infinity;
        if (timer.at > this.#t) this.#t = timer.at;
        timer.fn();
      }
    } finally {
      this.#firing = false;
      this.#nextDue = this.#timers[0]?.at ?? Infinity;
    }
  }
}

/**
 * Runs `fn` at every `periodMs` boundary of UTC time shifted by `offsetMs`, starting with the
 * first one after `clock.now()`: daily at 00:00 is (DAY, 0); Mondays 00:00 is (7 DAY, 4 DAY),
 * since 1970-01-01 was a Thursday. The next run is set from the boundary just run, so a late
 * wake-up never skips or repeats one. Returns a function that stops it.
 * @throws RangeError when periodMs is not a positive number
 */
export function every(clock: TimerClock, periodMs: number, offsetMs: number, fn: (at: number) => void): () => void {
  if (!(periodMs > 0)) throw new RangeError(`timer period must be positive, got ${periodMs}`);
  let cancel: (() => void) | undefined;
  let stopped = false;
  const arm = (after: number) => {
    const at = Math.floor((after - offsetMs) / periodMs) * periodMs + offsetMs + periodMs;
    cancel = clock.setTimer(at, () => {
      if (stopped) return;
      arm(at);
      fn(at);
    });
  };
  arm(clock.now());
  return () => {
    stopped = true;
    cancel?.();
  };
}
