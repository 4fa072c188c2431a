import { createRequire } from 'node:module';
import type { Logger } from '../core/log.js';

interface DgramSocket {
  sendto(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', f: (err: Error) => void): void;
}

/** A systemd notifier: READY/WATCHDOG/STOPPING, or a no-op when not run under systemd. */
export interface Notifier {
  readonly active: boolean;
  ready(status: string): void;
  /** Feeds the watchdog; call only while the bot is healthy. */
  watchdog(): void;
  stopping(status: string): void;
  /** Interval at which {@link watchdog} should be called (half of WatchdogSec), or null. */
  readonly watchdogIntervalMs: number | null;
}

/**
 * The sd_notify protocol (man sd_notify): datagrams like `READY=1` to the unix socket named by
 * `NOTIFY_SOCKET`. Node has no unix datagram sockets, so it goes through the optional
 * `unix-dgram` package; without systemd (no NOTIFY_SOCKET), or without that package, every
 * call is a no-op and the reason is logged once. Abstract sockets (`@…`) are not supported by
 * `unix-dgram`; systemd's default for services is a path (/run/systemd/notify).
 */
export function systemdNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env): Notifier {
  const socketPath = env.NOTIFY_SOCKET;
  const usec = Number(env.WATCHDOG_USEC);
  const watchdogIntervalMs = usec > 0 && (!env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid) ? Math.max(500, usec / 2000) : null;
  const off: Notifier = { active: false, ready() {}, watchdog() {}, stopping() {}, watchdogIntervalMs: null };
  if (!socketPath) return off;
  if (socketPath.startsWith('@')) {
    log.warn({ socket: socketPath }, 'systemd notify socket is abstract; not supported, watchdog not fed');
    return off;
  }
  let createSocket: (type: 'unix_dgram') => DgramSocket;
  try {
    createSocket = createRequire(import.meta.url)('unix-dgram').createSocket;
  } catch (err) {
    log.warn({ err }, 'unix-dgram is not installed; systemd notifications disabled');
    return off;
  }
  const send = (msg: string) => {
    try {
      const s = createSocket('unix_dgram');
      s.on('error', (err) => log.warn({ err }, 'systemd notify failed'));
      const buf = Buffer.from(msg);
      s.sendto(buf, 0, buf.length, socketPath, () => s.close());
    } catch (err) {
      log.warn({ err }, 'systemd notify failed');
    }
  };
  return {
    active: true,
    watchdogIntervalMs,
    ready: (status) => send(`READY=1\nSTATUS=${status}\nMAINPID=${process.pid}`),
    watchdog: () => send('WATCHDOG=1'),
    stopping: (status) => send(`STOPPING=1\nSTATUS=${status}`),
  };
}
