import type { OutboxItem, State } from './schema.js';
import { SETTABLE_TOPICS, type Level, type SettableTopic, type Settings, type Topic } from './settings-schema.js';

export * from './settings-schema.js';

/** Defaults: everything rings as before settings existed; the hourly heartbeat is off. */
export const DEFAULT_LEVELS: Record<SettableTopic, Level> = { cards: 'loud', fills: 'loud', feed: 'loud', summary: 'loud', heartbeat: 'off' };

/** How long `🔕 Mute 4h` mutes an instrument's cards, ms (engine clock). */
export const MUTE_MS = 4 * 3_600_000;

/** The state's settings, created with the defaults on first use (older state files have none). */
export function settingsOf(state: State): Settings {
  state.settings ??= { notify: {}, mutes: {} };
  return state.settings;
}

/** The level of a topic: the owner's choice for settable topics; the others are always loud. */
export function levelOf(s: Settings, topic: Topic): Level {
  return (SETTABLE_TOPICS as readonly string[]).includes(topic) ? (s.notify[topic as SettableTopic] ?? DEFAULT_LEVELS[topic as SettableTopic]) : 'loud';
}

/** The next level in the menu's cycle: loud → silent → off → loud. */
export function nextLevel(l: Level): Level {
  return l === 'loud' ? 'silent' : l === 'silent' ? 'off' : 'loud';
}

/** Minutes since local midnight of `t` (ms UTC) in `timeZone`. @throws RangeError on an unknown zone */
function localMinutes(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(t);
  const get = (k: string) => Number(parts.find((p) => p.type === k)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `t` (ms UTC) falls in the quiet hours (start inclusive, end exclusive; wraps midnight). */
export function inQuietHours(s: Settings, t: number): boolean {
  const q = s.quietHours;
  if (!q) return false;
  const m = localMinutes(t, q.timeZone);
  const a = minutes(q.start);
  const b = minutes(q.end);
  return a < b ? m >= a && m < b : m >= a || m < b;
}

/** Whether `symbol`'s cards made at `t` (ms UTC) are muted. */
export function isMuted(s: Settings, symbol: string, t: number): boolean {
  return (s.mutes[symbol] ?? -Infinity) > t;
}

/** What an outbox item is about: cards and their edits are `cards`, text items carry their topic (absent: `alert`). */
export function topicOf(item: OutboxItem): Topic {
  return item.kind === 'text' ? (item.topic ?? 'alert') : 'cards';
}

/** Topics that ring during quiet hours. */
const ALWAYS_RING: ReadonlySet<Topic> = new Set(['error', 'risk', 'reply']);

/**
 * Decides at delivery how a message of `topic` reaches the owner at `now` (ms UTC, engine clock):
 * the topic's level, made silent during quiet hours unless it is an error, a risk alert or a reply.
 * Errors, risk alerts and replies are never off.
 */
export function deliveryLevel(s: Settings, topic: Topic, now: number): Level {
  const l = levelOf(s, topic);
  if (l === 'loud' && !ALWAYS_RING.has(topic) && inQuietHours(s, now)) return 'silent';
  return l;
}

/** Outcome of a settings change; the chat words it. */
export type SettingsOutcome =
  | { ok: true; change: 'level'; topic: SettableTopic; level: Level }
  | { ok: true; change: 'quiet'; quietHours: Settings['quietHours'] }
  | { ok: true; change: 'mute'; symbol: string; until: number }
  | { ok: true; change: 'unmute'; symbol: string }
  | { ok: false; reason: 'unknown-topic' | 'unknown-level' | 'bad-time' | 'unknown-zone' | 'not-muted'; input: string };

/** Sets a settable topic's level; refuses an unknown topic or level (`input` names it). */
export function setLevel(s: Settings, topic: string, level: string): SettingsOutcome {
  if (!(SETTABLE_TOPICS as readonly string[]).includes(topic)) return { ok: false, reason: 'unknown-topic', input: topic };
  if (!['loud', 'silent', 'off'].includes(level)) return { ok: false, reason: 'unknown-level', input: level };
  s.notify[topic as SettableTopic] = level as Level;
  return { ok: true, change: 'level', topic: topic as SettableTopic, level: level as Level };
}

/** Sets quiet hours (`HH:MM`, `HH:MM`, IANA zone), or clears them when `start` is `off`. */
export function setQuietHours(s: Settings, start: string, end?: string, timeZone = 'UTC'): SettingsOutcome {
  if (start === 'off') {
    delete s.quietHours;
    return { ok: true, change: 'quiet', quietHours: undefined };
  }
  const re = /^([01]\d|2[0-3]):[0-5]\d$/;
  for (const x of [start, end ?? '']) if (!re.test(x)) return { ok: false, reason: 'bad-time', input: x };
  try {
    localMinutes(0, timeZone);
  } catch {
    return { ok: false, reason: 'unknown-zone', input: timeZone };
  }
  s.quietHours = { start, end: end!, timeZone };
  return { ok: true, change: 'quiet', quietHours: s.quietHours };
}

/** Mutes `symbol`'s cards until `now + MUTE_MS`, and forgets mutes that have run out. */
export function mute(s: Settings, symbol: string, now: number): SettingsOutcome {
  for (const [k, until] of Object.entries(s.mutes)) if (until <= now) delete s.mutes[k];
  const until = now + MUTE_MS;
  s.mutes[symbol] = until;
  return { ok: true, change: 'mute', symbol, until };
}

/** Lifts a mute. */
export function unmute(s: Settings, symbol: string): SettingsOutcome {
  if (!(symbol in s.mutes)) return { ok: false, reason: 'not-muted', input: symbol };
  delete s.mutes[symbol];
  return { ok: true, change: 'unmute', symbol };
}

/**
 * Applies `/settings` arguments: `<topic> loud|silent|off`, `quiet HH:MM HH:MM [Zone]`, `quiet off`,
 * `unmute SYMBOL`. `now` (ms UTC) prunes expired mutes. Returns the outcome, or an `unknown-topic`
 * refusal naming the first word when it is none of these.
 */
export function applySettingsArgs(s: Settings, args: string, now: number): SettingsOutcome {
  for (const [k, until] of Object.entries(s.mutes)) if (until <= now) delete s.mutes[k];
  const [what = '', ...rest] = args.trim().split(/\s+/);
  const w = what.toLowerCase();
  if (w === 'quiet') return setQuietHours(s, rest[0] ?? '', rest[1], rest[2]);
  if (w === 'unmute') return unmute(s, (rest[0] ?? '').toUpperCase());
  return setLevel(s, w, (rest[0] ?? '').toLowerCase());
}
