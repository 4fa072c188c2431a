import cron from 'node-cron';
import * as cmd from '../commands/index.js';
import { money } from '../notifier/format.js';
import type { Runtime } from './runtime.js';

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
      name: 'daily-summary',
      cron: '0 0 * * *',
      run: () => {
        const p = cmd.pnl(rt);
        const s = cmd.status(rt);
        rt.risk.roll(rt.clock.now(), rt.broker.equity());
        rt.bus.emit({
          type: 'alert',
          level: 'info',
          text: `Daily summary — equity ${money(s.equity)} ${s.quote}, realized P&L yesterday ${money(p.dayPnl, true)}, all time ${money(p.allTimePnl, true)}, ` +
            `${s.openPositions} open position${s.openPositions === 1 ? '' : 's'}, ${s.cards} cards since start.`,
        });
      },
    },
    {
      name: 'heartbeat',
      cron: '0 * * * *',
      run: () => {
        const s = cmd.status(rt);
        rt.log.info({ candles: s.candles, cards: s.cards, equity: s.equity, feed: s.feed, stopped: s.stopped }, 'heartbeat');
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
