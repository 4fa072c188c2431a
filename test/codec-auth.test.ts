import { describe, expect, it } from 'vitest';
import { decodeCallback, encodeCallback } from '../src/notifier/codec.js';
import { isAllowed } from '../src/notifier/telegram/auth.js';

describe('callback codec v1:<action>:<cardId>', () => {
  it('round-trips and stays within 64 bytes', () => {
    const d = encodeCallback('paper', 'AbC_123-xyz0');
    expect(d).toBe('v1:paper:AbC_123-xyz0');
    expect(decodeCallback(d)).toEqual({ action: 'paper', id: 'AbC_123-xyz0' });
    expect(Buffer.byteLength(encodeCallback('closeyes', 'x'.repeat(40)))).toBeLessThanOrEqual(64);
  });

  it('refuses anything else', () => {
    for (const bad of [
      undefined, '', 'paper:abc', 'v2:paper:abc', 'v1:buy:abc', 'v1:paper:', 'v1:paper:a:b',
      'v1:paper:../etc', 'v1:paper:' + 'x'.repeat(41), 'v1:paper:abc\n', `v1:paper:${'é'.repeat(30)}`,
    ]) expect(decodeCallback(bad)).toBeNull();
    expect(() => encodeCallback('paper', 'has space')).toThrow(RangeError);
  });
});

describe('allow-list', () => {
  const policy = { allowedUserIds: [111, 222], chatId: 111 };
  it('admits listed users in their private chat or the configured chat', () => {
    expect(isAllowed(policy, 111, 111)).toBe(true);
    expect(isAllowed(policy, 222, 222)).toBe(true);
    expect(isAllowed(policy, 222, 111)).toBe(true);
  });
  it('refuses strangers, unknown senders and other chats', () => {
    expect(isAllowed(policy, 333, 333)).toBe(false);
    expect(isAllowed(policy, undefined, 111)).toBe(false);
    expect(isAllowed(policy, 222, -100999)).toBe(false);
  });
  it('with an empty list, only the owner chat id is allowed', () => {
    expect(isAllowed({ allowedUserIds: [], chatId: 555 }, 555, 555)).toBe(true);
    expect(isAllowed({ allowedUserIds: [], chatId: 555 }, 556, 556)).toBe(false);
  });
});
