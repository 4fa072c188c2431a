import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SIM_CLOCK = fileURLToPath(new URL('./sim-clock.mjs', import.meta.url));
const CRASH_ON_SIGNAL = fileURLToPath(new URL('./crash-on-signal.mjs', import.meta.url));

/** `edgebot <args>` as a real child process: stdout/stderr collected, stdin writable, killable. */
export class BotProcess {
  readonly child: ChildProcess;
  out = '';
  err = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: (() => void)[] = [];

  /** `crashOnSignal`: SIGUSR2 makes the process throw an uncaught exception (see crash-on-signal.mjs). */
  constructor(args: string[], env: NodeJS.ProcessEnv = {}, simClockFile?: string, opts: { crashOnSignal?: boolean } = {}) {
    const preloads = [...(simClockFile ? ['--import', SIM_CLOCK] : []), ...(opts.crashOnSignal ? ['--import', CRASH_ON_SIGNAL] : [])];
    this.child = spawn(process.execPath, [...preloads, 'bin/edgebot.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, ...(simClockFile ? { EDGEBOT_SIM_CLOCK: simClockFile } : {}), NODE_ENV: 'production' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.out += d.toString();
      this.#notify();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.err += d.toString();
      this.#notify();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => {
      resolve({ code, signal });
      this.#notify();
    }));
  }

  #notify(): void {
    for (const f of this.#waiters.splice(0)) f();
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when `cond(stdout)` holds; rejects if the process exits first (or after `timeoutMs`, a hang guard only). */
  async waitOut(cond: (out: string) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond(this.out)) {
      if (!this.alive) throw new Error(`bot exited while waiting for ${what}\nstdout:\n${this.out.slice(-2000)}\nstderr:\n${this.err.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstdout:\n${this.out.slice(-2000)}\nstderr:\n${this.err.slice(-2000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  send(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL') {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }
}
