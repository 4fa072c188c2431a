import { existsSync, readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import {
  ConfigSchema, LiveParamsSchema, TelegramFileSchema,
  type Config, type LiveParams, type TelegramFile,
} from './schema.js';

/**
 * The object keys a schema accepts at `path` (through defaults, records and arrays), or [] when
 * the path leads nowhere known. Used to suggest the nearest valid key for a misspelt one.
 */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  let i = 0;
  for (let guard = 0; s && guard < 100; guard++) {
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type)) {
      s = def.innerType as z.ZodType;
    } else if (def.type === 'pipe') {
      s = def.in as z.ZodType;
    } else if (i === path.length) {
      return def.type === 'object' ? Object.keys(def.shape as object) : [];
    } else if (def.type === 'object') {
      s = (def.shape as Record<string, z.ZodType>)[String(path[i++])];
    } else if (def.type === 'record') {
      s = def.valueType as z.ZodType;
      i++;
    } else if (def.type === 'array') {
      s = def.element as z.ZodType;
      i++;
    } else {
      return [];
    }
  }
  return [];
}

/** "did you mean maxOpenPositions?" when a valid key is within a few edits of `key`, else the valid keys. */
function suggest(key: string, valid: readonly string[]): string {
  if (valid.length === 0) return '';
  const best = closest(key, [...valid]);
  const near = distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.ceil(key.length / 3));
  return near ? ` — did you mean ${best}?` : ` — valid keys: ${valid.join(', ')}`;
}

/** `risk.maxOpenPositions`, `(root)` for the top level; JSON keys with dots or odd characters quoted. */
function dotted(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p) => (typeof p === 'string' && !/^[\w-]+$/.test(p) ? JSON.stringify(p) : String(p))).join('.');
}

/** One issue's field path: for an unknown key, the key itself (`risk.maxOpenPosition`). */
function issuePath(i: z.core.$ZodIssue): string {
  if (i.code === 'unrecognized_keys') return dotted([...i.path, i.keys[0]]);
  return dotted(i.path);
}

/**
 * Turns zod issues into one clause per bad field: `risk.maxOpenPositions: expected number, received
 * string`; an unknown key (at any depth) reads `unknown key risk.maxOpenPosition — did you mean
 * maxOpenPositions?`. Pass `schema` to get the suggestions.
 */
export function describeIssues(error: z.ZodError, schema?: z.ZodType): string {
  return error.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') {
        const valid = schema ? keysAt(schema, i.path) : [];
        return i.keys.map((k) => `unknown key ${dotted([...i.path, k])}${suggest(k, valid)}`).join('; ');
      }
      return `${dotted(i.path)}: ${i.message}`;
    })
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
    throw new ConfigError(`${what} is invalid — ${describeIssues(r.error, schema)}`, first ? issuePath(first) : undefined);
  }
  return r.data;
}

/** Deep merge of plain objects; arrays and scalars from `over` replace those of `base`. */
function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // defineProperty: a JSON key "__proto__" stays an own (and so unknown, refused) key.
    Object.defineProperty(out, k, { value: merge(Object.hasOwn(base, k) ? base[k] : undefined, v), enumerable: true, writable: true, configurable: true });
  }
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
  if (fromFile !== undefined && !isObject(fromFile)) throw new ConfigError(`telegram config ${path} must be a JSON object with token and chat_id`);
  if (fromFile === undefined && !env.TELEGRAM_BOT_TOKEN) return null;
  const raw = {
    ...(isObject(fromFile) ? fromFile : {}),
    ...(env.TELEGRAM_BOT_TOKEN ? { token: env.TELEGRAM_BOT_TOKEN } : {}),
    ...(env.TELEGRAM_CHAT_ID ? { chat_id: env.TELEGRAM_CHAT_ID } : {}),
  };
  const source = fromFile === undefined ? 'TELEGRAM_BOT_TOKEN' : path;
  return validate(TelegramFileSchema, raw, `telegram config ${source}`);
}
