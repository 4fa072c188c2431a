import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/app/cli.js';
import { startBot } from '../../src/app/live.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { createLiveTrader } from '../../src/execution/live/setup.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, MINUTE } from '../fakes/binance/harness.js';
import { installTrading } from '../fakes/binance/trading.js';
import { DEFAULT_TOKEN } from '../fakes/telegram-api.js';
import { API_KEY, API_SECRET, T0 } from './harness.js';

const KEYS = { EXCHANGE_API_KEY: API_KEY, EXCHANGE_API_SECRET: API_SECRET };
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('live mode is refused unless it can ask for consent with working keys', () => {
  let dir: string;
  let fake: FakeBinance;
  /** A config file; Telegram points at a port nothing listens on — refusals must come before any chat traffic. */
  const config = (extra: Record<string, unknown> = {}) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({
      telegram: { apiRoot: 'http://127.0.0.1:9', configFile: join(dir, 'tg.json') },
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl },
      paths: { state: join(dir, 'state.json'), liveParams: join(dir, 'params.json'), logDir: join(dir, 'logs') },
      ...extra,
    }));
    return path;
  };
  const start = (cfg: string, env: NodeJS.ProcessEnv) =>
    startBot({ mode: 'live', config: cfg, env, input: null, output: sink(), clock: fake.clock });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-refuse-'));
    writeFileSync(join(dir, 'params.json'), '{}');
    writeFileSync(join(dir, 'tg.json'), JSON.stringify({ token: DEFAULT_TOKEN, chat_id: 1001 }));
    fake = await FakeBinance.start({ series: loadCandleDir(DATA_2021_1M, { from: T0 - 10 * MINUTE, to: T0 + 10 * MINUTE }), now: T0 });
    installTrading(fake, { apiKey: API_KEY, secret: API_SECRET, balances: { USDT: 100 } });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('without keys', async () => {
    const err = await start(config(), {}).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/live mode needs exchange keys: set EXCHANGE_API_KEY and EXCHANGE_API_SECRET in the environment or in \.env \(never in a config file\)/);
    expect(fake.router.requests.size).toBe(0);
  });

  it('with the console chat, configured or by lack of Telegram', async () => {
    const a = await start(config({ chat: 'console' }), KEYS).catch((e) => e);
    expect(a).toBeInstanceOf(ConfigError);
    expect(a.message).toBe('live mode is not allowed with the console chat: set chat to "telegram" (or "auto") and configure Telegram');
    const b = await start(config({ telegram: { configFile: join(dir, 'missing.json') } }), KEYS).catch((e) => e);
    expect(b).toBeInstanceOf(ConfigError);
    expect(b.message).toMatch(/live mode needs Telegram for order confirmations.*the console chat is not allowed with live mode/);
    expect(fake.router.requests.size).toBe(0);
  });

  it('with keys the exchange refuses', async () => {
    const err = await start(config(), { EXCHANGE_API_KEY: 'WRONG-KEY-0000000000', EXCHANGE_API_SECRET: API_SECRET }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/^live mode: The exchange refused the API key/);
    expect(fake.router.requests.get('GET /api/v3/account')).toBe(1);
  });

  it('from the CLI, with a clear message and exit code 1', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    const saved = { key: process.env.EXCHANGE_API_KEY, secret: process.env.EXCHANGE_API_SECRET };
    delete process.env.EXCHANGE_API_KEY;
    delete process.env.EXCHANGE_API_SECRET;
    try {
      expect(await main(['run', '--mode', 'live', '--config', config()])).toBe(1);
    } finally {
      spy.mockRestore();
      if (saved.key !== undefined) process.env.EXCHANGE_API_KEY = saved.key;
      if (saved.secret !== undefined) process.env.EXCHANGE_API_SECRET = saved.secret;
    }
    expect(out.join('')).toMatch(/^edgebot: live mode needs exchange keys/);
  });

  it('sandbox mode talks to the testnet, never to the production host with testnet keys', async () => {
    const def = await createLiveTrader(parseConfig({ exchange: { sandbox: true } }), { apiKey: 'k', secret: 's' });
    const api = def.venue.ex.urls.api as Record<string, string>;
    expect(api.private).toMatch(/^https:\/\/testnet\.binance\.vision\//);
    expect(api.public).toMatch(/^https:\/\/testnet\.binance\.vision\//);
    const local = await createLiveTrader(parseConfig({ exchange: { sandbox: true, restBaseUrl: fake.restBaseUrl } }), { apiKey: 'k', secret: 's' });
    expect((local.venue.ex.urls.api as Record<string, string>).private.startsWith(fake.restBaseUrl)).toBe(true);
  });
});
