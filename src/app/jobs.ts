import * as cmd from '../commands/index.js';
import { dailySummary, weeklySummary } from '../commands/reports.js';
import { every, type TimerClock } from '../core/clock.js';
import { renderDailySummary, renderWeeklySummary } from '../notifier/render-reports.js';
import { renderHeartbeat } from '../notifier/render-settings.js';
import type { Runtime } from '../kernel/kernel.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** 1970-01-01 was a Thursday: Monday boundaries are 4 days after multiples of a week. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;
/**
 * The summaries go out a minute after midnight: live, the day's last candle (closing at 00:00)
 * reaches the engine a few seconds later, and an exit it fills is stamped with the old day — a
 * summary at 00:00:00 would miss it, where a replay (whose clock fires timers after the candles
 * closing at their time) would not. A minute covers the close grace and the rating sync grace.
 */
const SUMMARY_DELAY_MS = MINUTE_MS;

/**
 * A recurring job: a name for the logs, when it runs (every `everyMs` of UTC time, shifted by
 * `offsetMs`: `{ everyMs: DAY }` is 00:00 UTC daily) and the work. It runs on the runtime's
 * clock, so a replay runs it at the simulated time.
 */
export interface Job {
  name: string;
  everyMs: number;
  offsetMs?: number;
  /** `at`: the scheduled time, ms UTC (the clock reads the same while it runs). */
  run: (at: number) => void | Promise<void>;
}

/**
 * The bot's recurring jobs (SPEC §9), all in UTC: the daily summary and day rollover at 00:01
 * and the weekly summary at Monday 00:01 (see SUMMARY_DELAY_MS); except in a replay (whose state is rebuilt on every run
 * and written at its end, which has no live feed, and whose log should not get a line per
 * simulated hour), an hourly heartbeat in the log, a state flush and a feed-uptime KPI sample
 * every minute.
 * Live mode adds {@link reconcileJob}.
 */
export function standardJobs(rt: Runtime): Job[] {
  const jobs: Job[] = [
    {
      // About the UTC day that just ended (it used to count from the new day's start: always +0.00).
      name: 'daily-summary',
      everyMs: DAY_MS,
      offsetMs: SUMMARY_DELAY_MS,
      run: () => {
        const now = rt.clock.now();
        rt.risk.roll(now, rt.broker.equity());
        rt.outbox.enqueue({ kind: 'text', topic: 'summary', priority: 'bulk', ...renderDailySummary(dailySummary(rt.portfolio.closedTrades(), now), rt.config.quote) });
      },
    },
    {
      name: 'weekly-summary',
      everyMs: 7 * DAY_MS,
      offsetMs: MONDAY_OFFSET_MS + SUMMARY_DELAY_MS,
      run: () => {
        rt.outbox.enqueue({ kind: 'text', topic: 'summary', priority: 'bulk', ...renderWeeklySummary(weeklySummary(rt.portfolio.closedTrades(), rt.clock.now()), rt.config.quote) });
      },
    },
  ];
  if (rt.mode !== 'replay') {
    jobs.push(
      {
        name: 'heartbeat',
        everyMs: HOUR_MS,
        run: () => {
          const s = cmd.status(rt);
          rt.log.info({ candles: s.candles, cards: s.cards, equity: s.equity, feed: s.feed, stopped: s.stopped }, 'heartbeat');
          // Off unless the owner turns it on in /settings (then it is dropped at delivery, never sent).
          rt.outbox.enqueue({ kind: 'text', topic: 'heartbeat', priority: 'bulk', ...renderHeartbeat(s) });
        },
      },
      { name: 'state-flush', everyMs: MINUTE_MS, run: () => rt.store.flush() },
      // Feed uptime KPI: one connected-or-not sample a minute (a replay has no live feed).
      { name: 'kpi-feed-sample', everyMs: MINUTE_MS, run: () => rt.kpi.sampleFeed(rt.feedStatus()) },
    );
  }
  return jobs;
}

/** Live mode's reconcile job: every minute, orders and positions are checked against the exchange. */
export function reconcileJob(rt: Runtime, live: { reconcile(): Promise<{ checked: number; failed: number }> }): Job {
  return {
    name: 'live-reconcile',
    everyMs: MINUTE_MS,
    run: async () => {
      const r = await live.reconcile();
      if (r.checked) rt.log.info({ ...r }, 'live reconcile');
    },
  };
}

/**
 * Schedules jobs on `clock` (the runtime's clock by default); errors are logged, never thrown.
 * A job still running when its next time comes is not started twice. Returns a stop function.
 */
export function scheduleJobs(rt: Pick<Runtime, 'log'> & { clock: TimerClock }, jobs: readonly Job[], clock: TimerClock = rt.clock): () => void {
  const stops = jobs.map((j) => {
    let busy = false;
    return every(clock, j.everyMs, j.offsetMs ?? 0, (at) => {
      if (busy) {
        rt.log.warn({ job: j.name, at }, 'job still running; this run is skipped');
        return;
      }
      busy = true;
      let result: void | Promise<void>;
      try {
        result = j.run(at);
      } catch (err) {
        busy = false;
        rt.log.error({ err, job: j.name }, 'job failed');
        return;
      }
      if (!(result instanceof Promise)) {
        busy = false;
        return;
      }
      void result
        .catch((err) => rt.log.error({ err, job: j.name }, 'job failed'))
        .finally(() => (busy = false));
    });
  });
  return () => {
    for (const s of stops) s();
  };
}
