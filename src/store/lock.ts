import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { FatalError } from '../core/errors.js';
import { ensureStateDir } from './durable-file.js';

/** A held single-instance lock; `release()` removes it (idempotent). */
export interface InstanceLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the single-instance lock of a state file: `<state>.lock`, created exclusively, holding
 * the owner's pid. A lock whose pid is no longer running is stale (its owner was killed) and is
 * taken over at once, so a supervisor restarts a crashed bot without waiting.
 *
 * Why not proper-lockfile: it judges staleness by the lock's mtime, so after a SIGKILL every
 * restart would wait out the stale period (≥ 2 s, 10 s by default); the kernel knows at once
 * whether a pid lives. Both protect one machine's state file, which is all edgebot needs.
 * @throws FatalError when another live process holds the lock
 * @throws ConfigError when the state directory cannot be created
 */
export function lockInstance(statePath: string, pid = process.pid): InstanceLock {
  const path = `${statePath}.lock`;
  ensureStateDir(statePath);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid, since: new Date().toISOString() }));
      closeSync(fd);
      let held = true;
      return {
        path,
        release() {
          if (!held) return;
          held = false;
          if (ownerPid(path) === pid) rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FatalError(`cannot create the lock file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
      }
      const owner = ownerPid(path);
      if (owner !== null && owner !== pid && isRunning(owner)) {
        throw new FatalError(`another edgebot (pid ${owner}) is already running on ${statePath}; stop it first (two instances would trade twice and corrupt the state)`);
      }
      // Stale: its owner died without releasing it.
      rmSync(path, { force: true });
    }
  }
  throw new FatalError(`could not take the lock ${path}: another process keeps re-creating it`);
}

function ownerPid(path: string): number | null {
  try {
    const pid = Number(JSON.parse(readFileSync(path, 'utf8')).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
