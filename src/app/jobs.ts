import cron from 'node-cron';
import * as cmd from '../commands/index.js';
import { dailySummary, weeklySummary } from '../commands/reports.js';
import { renderDailySummary, renderWeeklySummary } from '../notifier/render-reports.js';
import { renderHeartbeat } from '../notifier/render-settings.js';
import type { Runtime } from '../kernel/kernel.js';

/** A scheduled job: a name for the logs, a cron expression (UTC) and the work. */
export interface Job {
  name: string;
  cron: string;
  run: () => void | Promise<void>;
}

/**
 * The bot's recurring jobs (SPEC §9), all in UTC: the daily summary and day rollover at
 * midnight, an hourly heartbeat in the log, and a state flush every minute. Live mode adds its
 * reconcile job to `extra`.
 */
export function standardJobs(rt: Runtime): Job[] {
  return [
    {
      // About the UTC day that just ended (it used to count from the new day's start: always +0.00).
      name: 'daily-summary',
      cron: '0 0 * * *',
      run: () => {
        const now = rt.clock.now();
        rt.risk.roll(now, rt.broker.equity());
        rt.outbox.enqueue({ kind: 'text', topic: 'summary', priority: 'bulk', ...renderDailySummary(dailySummary(rt.portfolio.closedTrades(), now), rt.config.quote) });
      },
    },
    {
      name: 'weekly-summary',
      cron: '0 0 * * 1',
      run: () => {
        rt.outbox.enqueue({ kind: 'text', topic: 'summary', priority: 'bulk', ...renderWeeklySummary(weeklySummary(rt.portfolio.closedTrades(), rt.clock.now()), rt.config.quote) });
      },
    },
    {
      name: 'heartbeat',
      cron: '0 * * * *',
      run: () => {
        const s = cmd.status(rt);
        rt.log.info({ candles: s.candles, cards: s.cards, equity: s.equity, feed: s.feed, stopped: s.stopped }, 'heartbeat');
        // Off unless the owner turns it on in /settings (then it is dropped at delivery, never sent).
        rt.outbox.enqueue({ kind: 'text', topic: 'heartbeat', ...renderHeartbeat(s) });
      },
    },
    { name: 'state-flush', cron: '* * * * *', run: () => rt.store.flush() },
  ];
}

/** Live mode's reconcile job: every minute, orders and positions are checked against the exchange. */
export function reconcileJob(rt: Runtime, live: { reconcile(): Promise<{ checked: number; failed: number }> }): Job {
  return {
    name: 'live-reconcile',
    cron: '* * * * *',
    run: async () => {
      const r = await live.reconcile();
      if (r.checked) rt.log.info({ ...r }, 'live reconcile');
    },
  };
}

/** Schedules jobs with node-cron in UTC; errors are logged, never thrown. Returns a stop function. */
export function scheduleJobs(rt: Runtime, jobs: Job[]): () => void {
  const tasks = jobs.map((j) =>
    cron.schedule(j.cron, async () => {
      try {
        await j.run();
      } catch (err) {
        rt.log.error({ err, job: j.name }, 'job failed');
      }
    }, { timezone: 'UTC', name: j.name }),
  );
  return () => {
    for (const t of tasks) void t.stop();
  };
}
