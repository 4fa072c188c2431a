import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import {
  ConfigSchema, LiveParamsSchema, TelegramFileSchema,
  type Config, type LiveParams, type TelegramFile,
} from './schema.js';

/** Turns zod issues into one line per bad field: `risk.maxOpenPositions: expected number, received string`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${what} ${path} cannot be read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new ConfigError(`${what} is invalid — ${describeIssues(r.error)}`, first?.path.join('.'));
  }
  return r.data;
}

/** Deep merge of plain objects; arrays and scalars from `over` replace those of `base`. */
function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}
function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Loads `config/default.json` (when present), overlays `file` and then `overrides`, and validates.
 * @throws ConfigError naming the bad field(s) and the file
 */
export function loadConfig(opts: { file?: string; defaults?: string; overrides?: unknown } = {}): Config {
  const defaults = opts.defaults ?? 'config/default.json';
  let raw: unknown = existsSync(defaults) ? readJson(defaults, 'config') : {};
  if (opts.file) raw = merge(raw, readJson(opts.file, 'config'));
  if (opts.overrides) raw = merge(raw, opts.overrides);
  return validate(ConfigSchema, raw, `config${opts.file ? ` ${opts.file}` : ` ${defaults}`}`);
}

/** Validates an already-parsed config object (tests, `validate-config`). */
export function parseConfig(raw: unknown, what = 'config'): Config {
  return validate(ConfigSchema, raw, what);
}

/** Loads config/live-params.json. @throws ConfigError naming the symbol and field */
export function loadLiveParams(path: string): LiveParams {
  if (!existsSync(path)) throw new ConfigError(`parameter sets file ${path} not found`);
  return validate(LiveParamsSchema, readJson(path, 'parameter sets'), `parameter sets ${path}`);
}

/**
 * Telegram settings from `.telegram_config.json`, with `TELEGRAM_BOT_TOKEN` / `TELEGRAM_CHAT_ID`
 * overriding it. Returns null when neither gives a token (the console chat is used then).
 * @throws ConfigError when the file exists but is malformed
 */
export function loadTelegramConfig(path: string, env: NodeJS.ProcessEnv = process.env): TelegramFile | null {
  const fromFile = existsSync(path) ? readJson(path, 'telegram config') : undefined;
  if (fromFile === undefined && !env.TELEGRAM_BOT_TOKEN) return null;
  const raw = {
    ...(isObject(fromFile) ? fromFile : {}),
    ...(env.TELEGRAM_BOT_TOKEN ? { token: env.TELEGRAM_BOT_TOKEN } : {}),
    ...(env.TELEGRAM_CHAT_ID ? { chat_id: env.TELEGRAM_CHAT_ID } : {}),
  };
  const r = TelegramFileSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(`telegram config ${path} is invalid — ${describeIssues(r.error)}`);
  return r.data;
}
