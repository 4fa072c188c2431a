import { describe, expect, it } from 'vitest';
import { StateSchema } from '../../src/store/schema.js';
import { emptyState } from '../../src/store/state-store.js';
import {
  applySettingsArgs, deliveryLevel, inQuietHours, isMuted, levelOf, mute, MUTE_MS, settingsOf, topicOf,
} from '../../src/store/settings.js';

describe('notification settings', () => {
  it('a state file from before settings loads, and gets the defaults', () => {
    const old = JSON.parse(JSON.stringify(emptyState(10_000)));
    expect(old.settings).toBeUndefined();
    const state = StateSchema.parse(old);
    const s = settingsOf(state);
    expect([levelOf(s, 'cards'), levelOf(s, 'fills'), levelOf(s, 'feed'), levelOf(s, 'summary'), levelOf(s, 'heartbeat')]).toEqual(['loud', 'loud', 'loud', 'loud', 'off']);
    // And the settings it then holds survive a round trip through the schema.
    applySettingsArgs(s, 'fills silent', 0);
    expect(StateSchema.parse(JSON.parse(JSON.stringify(state))).settings?.notify.fills).toBe('silent');
  });

  it('quiet hours are local to their IANA zone and wrap midnight (Berlin, summer time UTC+2)', () => {
    const s = settingsOf(emptyState(1));
    expect(applySettingsArgs(s, 'quiet 23:00 07:00 Europe/Berlin', 0)).toMatchObject({ ok: true, change: 'quiet' });
    expect(inQuietHours(s, Date.parse('2025-06-01T20:59Z'))).toBe(false); // 22:59 in Berlin
    expect(inQuietHours(s, Date.parse('2025-06-01T21:00Z'))).toBe(true); // 23:00
    expect(inQuietHours(s, Date.parse('2025-06-02T04:59Z'))).toBe(true); // 06:59
    expect(inQuietHours(s, Date.parse('2025-06-02T05:00Z'))).toBe(false); // 07:00
    // In winter Berlin is UTC+1: 23:00 local is 22:00 UTC.
    expect(inQuietHours(s, Date.parse('2025-01-10T22:00Z'))).toBe(true);
    expect(inQuietHours(s, Date.parse('2025-01-10T21:59Z'))).toBe(false);
  });

  it('during quiet hours only errors, risk alerts and replies ring; errors, risk alerts and replies can never be off', () => {
    const s = settingsOf(emptyState(1));
    applySettingsArgs(s, 'quiet 00:00 06:00 UTC', 0);
    const night = Date.parse('2025-06-01T03:00Z');
    const day = Date.parse('2025-06-01T12:00Z');
    expect(deliveryLevel(s, 'cards', night)).toBe('silent');
    expect(deliveryLevel(s, 'cards', day)).toBe('loud');
    expect(deliveryLevel(s, 'alert', night)).toBe('silent');
    for (const t of ['error', 'risk', 'reply'] as const) expect(deliveryLevel(s, t, night)).toBe('loud');
    applySettingsArgs(s, 'cards off', 0);
    expect(deliveryLevel(s, 'cards', day)).toBe('off');
    expect(applySettingsArgs(s, 'error off', 0)).toEqual({ ok: false, reason: 'unknown-topic', input: 'error' });
    expect(applySettingsArgs(s, 'reply silent', 0)).toEqual({ ok: false, reason: 'unknown-topic', input: 'reply' });
    expect(deliveryLevel(s, 'error', day)).toBe('loud');
    expect(topicOf({ id: 1, kind: 'edit', cardId: 'x' })).toBe('cards');
    expect(topicOf({ id: 1, kind: 'text', html: '', buttons: [] })).toBe('alert');
  });

  it('refuses bad input by name', () => {
    const s = settingsOf(emptyState(1));
    expect(applySettingsArgs(s, 'cards loudly', 0)).toEqual({ ok: false, reason: 'unknown-level', input: 'loudly' });
    expect(applySettingsArgs(s, 'quiet 25:00 07:00', 0)).toEqual({ ok: false, reason: 'bad-time', input: '25:00' });
    expect(applySettingsArgs(s, 'quiet 23:00', 0)).toEqual({ ok: false, reason: 'bad-time', input: '' });
    expect(applySettingsArgs(s, 'quiet 23:00 07:00 Mars/Olympus', 0)).toEqual({ ok: false, reason: 'unknown-zone', input: 'Mars/Olympus' });
    expect(applySettingsArgs(s, 'unmute BTCUSDT', 0)).toEqual({ ok: false, reason: 'not-muted', input: 'BTCUSDT' });
    expect(s.quietHours).toBeUndefined();
  });

  it('a mute lasts 4 hours from the tap and expired mutes are forgotten', () => {
    const s = settingsOf(emptyState(1));
    const t = Date.parse('2025-05-05T10:00Z');
    expect(mute(s, 'BTCUSDT', t)).toEqual({ ok: true, change: 'mute', symbol: 'BTCUSDT', until: t + MUTE_MS });
    expect(isMuted(s, 'BTCUSDT', t + MUTE_MS - 1)).toBe(true);
    expect(isMuted(s, 'BTCUSDT', t + MUTE_MS)).toBe(false);
    expect(isMuted(s, 'ETHUSDT', t)).toBe(false);
    mute(s, 'ETHUSDT', t + MUTE_MS);
    expect(Object.keys(s.mutes)).toEqual(['ETHUSDT']);
    expect(applySettingsArgs(s, 'unmute ethusdt', t + MUTE_MS)).toEqual({ ok: true, change: 'unmute', symbol: 'ETHUSDT' });
  });
});
