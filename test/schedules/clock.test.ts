import { describe, expect, it } from 'vitest';
import { every, ReplayClock, WallClock, withTimers, systemClock } from '../../src/core/clock.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 1, 1, 23, 50); // Saturday 2025-02-01 23:50 UTC

describe('ReplayClock timers', () => {
  it('runs a timer once time moves past it, with now() at its own time, in time order', () => {
    const c = new ReplayClock(T0);
    const seen: [string, number][] = [];
    c.setTimer(T0 + 20 * 60_000, () => seen.push(['b', c.now()]));
    c.setTimer(T0 + 10 * 60_000, () => seen.push(['a', c.now()]));
    const cancelled = c.setTimer(T0 + 15 * 60_000, () => seen.push(['x', c.now()]));
    cancelled();
    c.advance(T0 + 10 * 60_000); // the candle closing exactly at the timer's time comes first
    expect(seen).toEqual([]);
    c.advance(T0 + 25 * 60_000);
    expect(seen).toEqual([['a', T0 + 10 * 60_000], ['b', T0 + 20 * 60_000]]);
    expect(c.now()).toBe(T0 + 25 * 60_000);
    expect(c.pendingTimers).toBe(0);
  });

  it('every(): daily at 00:00 and weekly at Monday 00:00 across two midnights and a Monday', () => {
    const c = new ReplayClock(T0);
    const daily: number[] = [];
    const weekly: number[] = [];
    every(c, DAY, 0, (at) => daily.push(at));
    const stopWeekly = every(c, 7 * DAY, 4 * DAY, (at) => weekly.push(at));
    for (let t = T0; t <= T0 + 2 * DAY; t += 5 * 60_000) c.advance(t);
    expect(daily.map((t) => new Date(t).toISOString())).toEqual(['2025-02-02T00:00:00.000Z', '2025-02-03T00:00:00.000Z']);
    expect(weekly.map((t) => new Date(t).toISOString())).toEqual(['2025-02-03T00:00:00.000Z']);
    stopWeekly();
    c.advance(T0 + 20 * DAY);
    expect(weekly).toHaveLength(1);
    expect(daily).toHaveLength(20);
    expect(() => every(c, 0, 0, () => {})).toThrow(RangeError);
  });
});

describe('WallClock timers', () => {
  it('never runs a timer before its time, even when the timeout wakes early', async () => {
    let now = 1_000;
    let reads = 0;
    const c = new WallClock(() => (reads++, now), { pollMs: 1 });
    let ranAt: number | undefined;
    const done = new Promise<void>((r) => c.setTimer(5_000, () => r(void (ranAt = c.now()))));
    // The source stands still below the time: the timer keeps re-checking and must not run.
    while (reads < 5) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 0));
    expect(ranAt).toBeUndefined();
    now = 5_000;
    await done;
    expect(ranAt).toBe(5_000);
  });

  it('withTimers keeps a timer clock and wraps a bare time source', () => {
    expect(withTimers(systemClock)).toBe(systemClock);
    const bare = { now: () => 42 };
    const w = withTimers(bare);
    expect(w.now()).toBe(42);
    expect(typeof w.setTimer).toBe('function');
  });
});
