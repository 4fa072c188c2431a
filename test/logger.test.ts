import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, scrub } from '../src/notifier/logger.js';

const TOKEN = '7011223344:AAH-secret_token-abcdefghijklmnopqrstu';

describe('log redaction', () => {
  it('scrubs known secrets, URL-encoded forms and any token-shaped string', () => {
    expect(scrub(`GET https://api.telegram.org/bot${TOKEN}/getMe failed`, [])).toBe('GET https://api.telegram.org/bot[REDACTED]/getMe failed');
    expect(scrub('key=abcDEF123456 and a%2Bb%2Fc%3D', ['abcDEF123456', 'a+b/c='])).toBe('key=[REDACTED] and [REDACTED]');
  });

  it('never writes the token to the log file, not even inside an error message and stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-log-'));
    const log = createLogger({ dir, secrets: () => [TOKEN] });
    const err = new Error(`Network request for 'getUpdates' failed! (https://api.telegram.org/bot${TOKEN}/getUpdates)`);
    log.error({ err, url: `https://api.telegram.org/bot${TOKEN}/x` }, `call to bot${TOKEN} failed`);
    log.flush();
    await new Promise((r) => setTimeout(r, 100));
    const text = readFileSync(join(dir, 'edgebot.log'), 'utf8');
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('getUpdates');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('AAH-secret_token');
  });
});
