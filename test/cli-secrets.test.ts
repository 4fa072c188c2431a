import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real CLI as a child process, with distinctive secrets in its environment: whatever fails,
 * no secret may reach stdout, stderr or the log folder.
 */
const BIN = fileURLToPath(new URL('../bin/edgebot.js', import.meta.url));
const DATA = fileURLToPath(new URL('../data/binance-2025-1h', import.meta.url));
const SECRETS = {
  TELEGRAM_BOT_TOKEN: '987654321:AAF-cliSecretToken_ZZZZZZZZZZZZZZZZZZ',
  EXCHANGE_API_KEY: 'cliApiKeyQWERTY123456',
  EXCHANGE_API_SECRET: 'cliApiSecretASDFGH987654',
  EXCHANGE_API_PASSWORD: 'cliApiPassZXCVB555',
};
/** Parts that must not appear either (a half-redacted secret is a leak). */
const NEEDLES = [...Object.values(SECRETS), 'cliSecretToken', 'AAF-cli', 'QWERTY123456', 'ASDFGH987654', 'ZXCVB555'];

const dir = mkdtempSync(join(tmpdir(), 'edgebot-cli-secrets-'));
const logDir = join(dir, 'logs');
writeFileSync(join(dir, 'lp.json'), '{}');

interface Run { code: number; stdout: string; stderr: string }
/** Runs `edgebot …` in `dir` (no .env, no config/default.json there) with the secrets set. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EXCHANGE_') && !k.startsWith('TELEGRAM_') && k !== 'EDGEBOT_DEBUG'));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir, env: { ...base, ...SECRETS, TELEGRAM_CHAT_ID: '42', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
/** Every file under the log folder, concatenated. */
function logs(): string {
  if (!existsSync(logDir)) return '';
  return readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
}
function expectNoSecrets(r: Run): void {
  for (const n of NEEDLES) {
    expect(r.stdout, `stdout leaks ${n}`).not.toContain(n);
    expect(r.stderr, `stderr leaks ${n}`).not.toContain(n);
    expect(logs(), `logs leak ${n}`).not.toContain(n);
  }
}
function config(name: string, c: Record<string, unknown>): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify({
    ...c,
    paths: { liveParams: join(dir, 'lp.json'), validatedSignals: join(dir, 'none.json'), state: join(dir, 'state.json'), logDir, ...(c.paths as object) },
  }));
  return p;
}

/** A loopback Bot API that answers getMe with one canned failure (or success), echoing the URL like a careless proxy. */
let server: Server;
let apiRoot = '';
let mode: '500' | '401' | 'html' | 'ok' = 'ok';
const seen: string[] = [];
let closedPort = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (mode === '500') return json(500, { ok: false, error_code: 500, description: `Internal Server Error at ${req.url}` });
    if (mode === '401') return json(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    if (mode === 'html') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end(`<html>bad gateway for ${req.url}</html>`);
    }
    return json(200, { ok: true, result: { id: 987654321, is_bot: true, first_name: 'Edge', username: 'edge_test_bot' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port nothing listens on: bind one, then close it.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('the CLI never prints a secret', { timeout: 60_000 }, () => {
  it('check-telegram against a closed loopback port: one redacted line, exit 1', async () => {
    const r = await cli(['check-telegram', '--config', config('closed.json', { telegram: { apiRoot: `http://127.0.0.1:${closedPort}`, configFile: join(dir, 'no-tg.json') } })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^edgebot: cannot reach the Telegram Bot API at http://127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`));
    expect(r.stderr).toContain('/bot[REDACTED]/getMe');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expectNoSecrets(r);
  });

  it.each([
    ['500', /Telegram refused getMe at .*: 500 Internal Server Error at \/bot\[REDACTED\]\/getMe/],
    ['401', /Telegram refused getMe at .*: 401 Unauthorized — check the token/],
    ['html', /^edgebot: .*getMe/],
  ] as const)('check-telegram against a loopback server answering %s: exit 1, redacted', async (m, re) => {
    mode = m;
    seen.length = 0;
    const r = await cli(['check-telegram', '--config', config(`tg-${m}.json`, { telegram: { apiRoot, configFile: join(dir, 'no-tg.json') } })]);
    expect(seen).toEqual([`/bot${SECRETS.TELEGRAM_BOT_TOKEN}/getMe`]); // the request really carried the token
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    expectNoSecrets(r);
  });

  it('check-telegram succeeding prints the bot, not the token', async () => {
    mode = 'ok';
    const r = await cli(['check-telegram', '--config', config('tg-ok.json', { telegram: { apiRoot, configFile: join(dir, 'no-tg.json') } })]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('bot OK: @edge_test_bot (Edge, id 987654321); owner chat 42\n');
    expectNoSecrets(r);
  });

  it('validate-config with a bad file names the field, redacted, exit 1', async () => {
    const p = join(dir, 'bad.json');
    writeFileSync(p, JSON.stringify({ risk: { [SECRETS.EXCHANGE_API_SECRET]: 1, maxOpenPosition: 2 } }));
    const r = await cli(['validate-config', '--config', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown key risk.[REDACTED]');
    expect(r.stderr).toContain('unknown key risk.maxOpenPosition — did you mean maxOpenPositions?');
    expectNoSecrets(r);
  });

  it('replay on a corrupt .csv.gz names the file, exit 1', async () => {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    copyFileSync(join(DATA, 'BTCUSDT.csv.gz'), join(data, 'BTCUSDT.csv.gz'));
    writeFileSync(join(data, 'ETHUSDT.csv.gz'), readFileSync(join(DATA, 'ETHUSDT.csv.gz')).subarray(0, 5000));
    const r = await cli(['replay', '--data', data, '--config', config('replay.json', { chat: 'console' })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(data, 'ETHUSDT.csv.gz')}: truncated gzip`);
    expect(r.stderr).toContain('--skip-bad-files');
    expectNoSecrets(r);
  });

  it('run --mode live is refused (console chat; then an unreachable exchange) without printing the keys', async () => {
    const refused = await cli(['run', '--mode', 'live', '--config', config('live-console.json', { chat: 'console' })]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/live mode is not allowed with the console chat/);
    expectNoSecrets(refused);
    const unreachable = await cli(['run', '--mode', 'live', '--config', config('live-down.json', {
      chat: 'telegram',
      telegram: { apiRoot: `http://127.0.0.1:${closedPort}`, configFile: join(dir, 'no-tg.json') },
      exchange: { restBaseUrl: `http://127.0.0.1:${closedPort}` },
      log: { level: 'debug' },
    })]);
    expect(unreachable.code).toBe(1);
    expect(logs()).toContain('"level"'); // the bot got as far as logging
    expectNoSecrets(unreachable);
  });

  it('an unexpected error prints one redacted line (exit 70); EDGEBOT_DEBUG=1 adds the redacted stack', async () => {
    writeFileSync(join(dir, 'afile'), 'x');
    // A log folder under a file: mkdir fails with a raw ENOTDIR naming the path, which holds secrets.
    const cfg = config('unexpected.json', { chat: 'console', paths: { logDir: join(dir, 'afile', `bot${SECRETS.TELEGRAM_BOT_TOKEN}`, SECRETS.EXCHANGE_API_KEY) } });
    const r = await cli(['replay', '--data', DATA, '--config', cfg]);
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^edgebot: unexpected error: Error: ENOTDIR: .*afile\/bot\[REDACTED\]\/\[REDACTED\].* \(EDGEBOT_DEBUG=1 shows the stack\)\n$/);
    expectNoSecrets(r);
    const d = await cli(['replay', '--data', DATA, '--config', cfg], { EDGEBOT_DEBUG: '1' });
    expect(d.code).toBe(70);
    expect(d.stderr).toMatch(/\n\s+at /);
    expectNoSecrets(d);
  });

  it('bad usage exits 2', async () => {
    const r = await cli(['replay', '--speed', 'fast', '--data', DATA]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--speed must be a number/);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['run', '--mode', 'yolo'])).code).toBe(2);
  });
});
