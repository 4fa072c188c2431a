import type { RunningBot } from './live.js';

/**
 * Runs a started bot until SIGINT/SIGTERM (exit code 0) or a fatal condition such as dead
 * Telegram polling (exit code 1), stopping it cleanly either way. An uncaught exception or
 * unhandled rejection is logged, told to the owner (best effort, bounded), the state is flushed,
 * and the process exits with 70, so a supervisor (systemd `Restart=always`) starts it again.
 */
export async function runUntilStopped(bot: RunningBot): Promise<number> {
  let crashing = false;
  const onCrash = (err: unknown) => {
    if (crashing) return;
    crashing = true;
    void bot.reportCrash(err).finally(() => process.exit(70));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const outcome = await new Promise<{ signal: string } | { fatal: Error }>((resolve) => {
    process.once('SIGINT', () => resolve({ signal: 'SIGINT' }));
    process.once('SIGTERM', () => resolve({ signal: 'SIGTERM' }));
    void bot.fatal.then((fatal) => resolve({ fatal }));
  });
  if ('fatal' in outcome) {
    bot.rt.log.fatal({ err: outcome.fatal }, 'cannot go on');
    bot.rt.bus.emit({ type: 'alert', level: 'error', text: `${outcome.fatal.message}. edgebot exits so that its supervisor restarts it.` });
    await bot.stop(`fatal: ${outcome.fatal.message}`);
    return 1;
  }
  await bot.stop(outcome.signal);
  return 0;
}
