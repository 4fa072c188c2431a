import { mkdirSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';

export type Logger = pino.Logger;

/** Bot tokens have this shape; grammY puts them in URLs inside error messages. */
const TOKEN_RE = /(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}/g;

/**
 * Replaces every secret in `text` with `[REDACTED]`: the given secrets verbatim (and URL-encoded),
 * plus anything shaped like a Telegram bot token.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 6) continue;
    out = out.split(s).join('[REDACTED]');
    const enc = encodeURIComponent(s);
    if (enc !== s) out = out.split(enc).join('[REDACTED]');
  }
  return out.replace(TOKEN_RE, '[REDACTED]');
}

/** A line-oriented stream that scrubs secrets before passing each chunk on. */
class ScrubStream extends Writable {
  constructor(readonly target: NodeJS.WritableStream, readonly secrets: () => readonly string[]) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.target.write(scrub(chunk.toString('utf8'), this.secrets()));
    cb();
  }
}

export interface LoggerOptions {
  level?: string;
  /** Folder for `edgebot.log`; no file when omitted. */
  dir?: string;
  /** Also write to this stream (stdout in Telegram mode, stderr when stdout belongs to the console chat). */
  console?: NodeJS.WritableStream | null;
  /** Level for the console stream (default: same as level). */
  consoleLevel?: string;
  /** Secrets to scrub: bot token, API keys. Read at every write, so secrets loaded later count too. */
  secrets?: () => readonly string[];
}

/**
 * pino logger writing JSON lines to `<dir>/edgebot.log` and optionally a console stream. Every
 * line passes through `scrub`, so no token or key reaches a log — not even inside an error message
 * or stack that embeds the token in a URL.
 */
export function createLogger(o: LoggerOptions = {}): Logger {
  const secrets = o.secrets ?? (() => []);
  const streams: pino.StreamEntry[] = [];
  const level = o.level ?? 'info';
  if (o.dir) {
    mkdirSync(o.dir, { recursive: true });
    streams.push({ level: level as pino.Level, stream: new ScrubStream(createWriteStream(join(o.dir, 'edgebot.log'), { flags: 'a' }), secrets) });
  }
  if (o.console) streams.push({ level: (o.consoleLevel ?? level) as pino.Level, stream: new ScrubStream(o.console, secrets) });
  if (streams.length === 0) return pino({ level: 'silent' });
  return pino({ level, base: { app: 'edgebot' } }, pino.multistream(streams));
}
