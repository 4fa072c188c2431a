import { renameSync, writeFileSync } from 'node:fs';

/**
 * Simulated market time shared with bot child processes (see sim-clock.mjs): runs at
 * `msPerMinute` real ms per simulated minute while the bot is up, and is paused while it is down
 * or starting, so a kill never lets candles pass unobserved by the test's accounting.
 */
export class SimTime {
  #base: number;
  #anchor = 0;
  #running = false;

  constructor(readonly file: string, start: number, readonly msPerMinute: number) {
    this.#base = start;
    this.#write();
  }

  now(): number {
    return this.#running ? Math.floor(this.#base + ((Date.now() - this.#anchor) * 60_000) / this.msPerMinute) : this.#base;
  }

  get running(): boolean {
    return this.#running;
  }

  resume(): void {
    if (this.#running) return;
    this.#anchor = Date.now();
    this.#running = true;
    this.#write();
  }

  /** Stops time where it is. */
  pause(): void {
    this.#base = this.now();
    this.#running = false;
    this.#write();
  }

  #write(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ base: this.#base, anchor: this.#anchor, msPerMinute: this.msPerMinute, running: this.#running }));
    renameSync(tmp, this.file);
  }
}
