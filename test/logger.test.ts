import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, redact, scrub, secretsFromEnv } from '../src/core/log.js';

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

  it('redact: bot<token> in any URL shape, JSON-escaped secrets, a secret inside another, env secrets', () => {
    expect(redact('GET http://127.0.0.1:9/bot42:odd/getMe', [])).toBe('GET http://127.0.0.1:9/bot[REDACTED]/getMe');
    expect(redact('url /botNOT-A-TOKEN-SHAPE/getUpdates', [])).toBe('url /bot[REDACTED]/getUpdates');
    expect(redact('a robot walks; bots are fine', [])).toBe('a robot walks; bots are fine');
    expect(redact('{"msg":"k=quo\\"te123"}', ['quo"te123'])).toBe('{"msg":"k=[REDACTED]"}');
    expect(redact('x=SECRETKEY-LONGER', ['SECRETKEY', 'SECRETKEY-LONGER'])).toBe('x=[REDACTED]');
    expect(redact('short abc stays', ['abc'])).toBe('short abc stays');
    expect(secretsFromEnv({ TELEGRAM_BOT_TOKEN: 't', EXCHANGE_API_KEY: 'k', EXCHANGE_API_SECRET: 's', HOME: '/h' })).toEqual(['t', 'k', 's']);
  });
});
