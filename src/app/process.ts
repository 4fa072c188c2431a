import type { RunningBot } from './live.js';

/**
 * Runs a started bot until SIGINT/SIGTERM (exit code 0) or a fatal condition such as dead
 * Telegram polling (exit code 1), stopping it cleanly either way. (Uncaught exceptions are the
 * CLI's process handlers' job: they call `bot.reportCrash` and exit 70.)
 */
export async function runUntilStopped(bot: RunningBot): Promise<number> {
  const outcome = await new Promise<{ signal: string } | { fatal: Error }>((resolve) => {
    process.once('SIGINT', () => resolve({ signal: 'SIGINT' }));
    process.once('SIGTERM', () => resolve({ signal: 'SIGTERM' }));
    void bot.fatal.then((fatal) => resolve({ fatal }));
  });
  if ('fatal' in outcome) {
    bot.rt.log.fatal({ err: outcome.fatal }, 'cannot go on');
    bot.rt.bus.emit({ type: 'system', level: 'error', notice: { code: 'fatal', message: outcome.fatal.message } });
    await bot.stop(`fatal: ${outcome.fatal.message}`);
    return 1;
  }
  await bot.stop(outcome.signal);
  return 0;
}
