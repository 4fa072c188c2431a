import { mkdirSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';

export type Logger = pino.Logger;

/** Bot tokens have this shape; grammY puts them in URLs inside error messages. */
const TOKEN_RE = /(?<![0-9])\d{5,}:[A-Za-z0-9_-]{30,}/g;
/** `bot<token>` as grammY builds Bot API URLs (`…/bot123:ABC/getMe`), whatever the token's shape. */
const BOT_SEGMENT_RE = /\bbot\d+:[^/\s"'<>?#&]+/g;
/** Any `/bot<something>/` URL path segment (a token of an unexpected shape inside a Bot API URL). */
const BOT_PATH_RE = /\/bot[^/\s"'<>?#&]+(?=\/)/g;

/** The names of the environment variables that hold secrets (SPEC §7, §9). */
export const SECRET_ENV_VARS = ['TELEGRAM_BOT_TOKEN', 'EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET', 'EXCHANGE_API_PASSWORD'] as const;

/** The secret values set in `env` (bot token, exchange key, secret and password), for {@link redact}. */
export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return SECRET_ENV_VARS.map((k) => env[k]).filter((v): v is string => !!v);
}

/**
 * Replaces every secret in `text` with `[REDACTED]`: the given secrets verbatim, URL-encoded and
 * JSON-escaped (log lines are JSON), plus anything shaped like a Telegram bot token and any
 * `bot<token>` in a Bot API URL. The one scrubber of logs and CLI output alike.
 * Secrets shorter than 6 characters are ignored (they would redact ordinary words).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is not left half-redacted.
  for (const s of [...secrets].sort((a, b) => (b?.length ?? 0) - (a?.length ?? 0))) {
    if (!s || s.length < 6) continue;
    for (const form of new Set([s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])) {
      out = out.split(form).join('[REDACTED]');
    }
  }
  return out
    .replace(TOKEN_RE, '[REDACTED]')
    .replace(BOT_SEGMENT_RE, 'bot[REDACTED]')
    .replace(BOT_PATH_RE, '/bot[REDACTED]');
}

/** Former name of {@link redact}, kept for existing callers. */
export const scrub = redact;

/** A line-oriented stream that scrubs secrets before passing each chunk on. */
class ScrubStream extends Writable {
  constructor(readonly target: NodeJS.WritableStream, readonly secrets: () => readonly string[]) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.target.write(redact(chunk.toString('utf8'), this.secrets()));
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
  /**
   * Secrets to scrub besides those of the environment ({@link secretsFromEnv}): the bot token of
   * the Telegram file, API keys. Read at every write, so secrets loaded later count too.
   */
  secrets?: () => readonly string[];
}

/**
 * pino logger writing JSON lines to `<dir>/edgebot.log` and optionally a console stream. Every
 * line passes through `redact`, so no token or key reaches a log — not even inside an error message
 * or stack that embeds the token in a URL.
 */
export function createLogger(o: LoggerOptions = {}): Logger {
  // The environment's secrets always count, even when the caller forgot to list them.
  const fromEnv = secretsFromEnv();
  const given = o.secrets ?? (() => []);
  const secrets = () => [...given(), ...fromEnv];
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
