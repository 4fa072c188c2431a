import { z } from 'zod';

/**
 * What an owner-bound message is about. The first five are the owner's to set (loud, silent or
 * off); the rest always reach the owner: `error` (error alerts), `risk` (risk-limit alerts),
 * `reply` (answers to the owner's commands and taps: kill-switch replies, live confirmations),
 * `alert` (other notices, e.g. start and stop).
 */
export const TOPICS = ['cards', 'fills', 'feed', 'summary', 'heartbeat', 'alert', 'error', 'risk', 'reply'] as const;
export type Topic = (typeof TOPICS)[number];

/** The topics the owner can make silent or turn off in /settings, in menu order. */
export const SETTABLE_TOPICS = ['cards', 'fills', 'feed', 'summary', 'heartbeat'] as const;
export type SettableTopic = (typeof SETTABLE_TOPICS)[number];

/** How a message arrives: with a sound, without one (`disable_notification`), or not at all. */
export const LEVELS = ['loud', 'silent', 'off'] as const;
export type Level = (typeof LEVELS)[number];

const level = z.enum(LEVELS);
/** `HH:MM`, 24-hour clock. */
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like 23:00');

/**
 * The owner's notification settings (state.json `settings`). `notify`: level per settable topic
 * (absent = default). `quietHours`: local `start`–`end` in an IANA `timeZone` (wraps midnight when
 * end ≤ start); only errors, risk alerts and replies ring then. `mutes`: instrument → muted until
 * (ms UTC, engine clock); that instrument's cards are not sent meanwhile.
 */
export const SettingsSchema = z.object({
  notify: z.object({
    cards: level.optional(), fills: level.optional(), feed: level.optional(), summary: level.optional(), heartbeat: level.optional(),
  }).prefault({}),
  quietHours: z.object({ start: hhmm, end: hhmm, timeZone: z.string().min(1) }).optional(),
  mutes: z.record(z.string(), z.number()).prefault({}),
});
export type Settings = z.infer<typeof SettingsSchema>;
