import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { ConfigError } from '../core/errors.js';

/**
 * A lowdb adapter that makes each write durable before it resolves: the JSON goes to
 * `<file>.tmp`, is fsync'ed, renamed over the file, and the directory is fsync'ed so the rename
 * itself survives a power cut. lowdb's own JSONFile renames without fsync, which is atomic but
 * not durable — and the owner must never be shown something the disk could still forget.
 * A failed write removes its temp file and rejects; the previous file stays intact.
 */
export class DurableJSONFile<T> implements Adapter<T> {
  readonly #tmp: string;
  constructor(readonly file: string, readonly opts: { fsync: boolean } = { fsync: true }) {
    this.#tmp = `${file}.tmp`;
  }

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async write(data: T): Promise<void> {
    const json = JSON.stringify(data);
    try {
      const fh = await open(this.#tmp, 'w');
      try {
        await fh.writeFile(json, 'utf8');
        if (this.opts.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(this.#tmp, this.file);
    } catch (e) {
      await rm(this.#tmp, { force: true }).catch(() => {});
      throw e;
    }
    if (this.opts.fsync) syncDir(dirname(this.file));
  }
}

/** fsync of a directory, so a rename in it is on disk (a no-op where directories cannot be opened). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes `<file>.tmp` left by a write that a crash interrupted. Returns the names removed. */
export function removeStaleTemp(file: string): string[] {
  const dir = dirname(file);
  const name = `${basename(file)}.tmp`;
  let removed: string[] = [];
  try {
    removed = readdirSync(dir).filter((f) => f === name);
  } catch {
    return [];
  }
  for (const f of removed) rmSync(join(dir, f), { force: true });
  return removed;
}

/**
 * Creates the folder of the state file.
 * @throws ConfigError naming the folder and the OS's reason when it cannot be created
 */
export function ensureStateDir(statePath: string): void {
  try {
    mkdirSync(dirname(statePath), { recursive: true });
  } catch (e) {
    throw new ConfigError(`cannot create the state directory ${dirname(statePath)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set paths.state to a writable location`, 'paths.state', { cause: e });
  }
}
