import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../../src/app/live.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import type { Card } from '../../src/kernel/card.js';
import { VenueError } from '../../src/execution/live/errors.js';
import { markVenue } from '../../src/execution/live/key-check.js';
import { createLiveTrader } from '../../src/execution/live/setup.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { renderCard } from '../../src/notifier/render.js';
import { renderView } from '../../src/notifier/features/index.js';
import { status } from '../../src/commands/index.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, MINUTE } from '../fakes/binance/harness.js';
import { installTrading } from '../fakes/binance/trading.js';
import { DEFAULT_TOKEN } from '../fakes/telegram-api.js';
import { API_KEY, API_SECRET, OWNER, T0, buttons, command, fireCard, liveEnv, message, nextMessage, press, startLiveBot, type LiveEnv } from './harness.js';

const RESTRICTIONS = 'GET /sapi/v1/account/apiRestrictions';
const ORDER_ROUTES = ['POST /api/v3/order', 'POST /api/v3/orderList/oco', 'DELETE /api/v3/order', 'DELETE /api/v3/orderList'];

describe('live start checks the API key (GET /sapi/v1/account/apiRestrictions)', () => {
  let dir: string;
  let fake: FakeBinance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-key-'));
    writeFileSync(join(dir, 'params.json'), '{}');
    writeFileSync(join(dir, 'tg.json'), JSON.stringify({ token: DEFAULT_TOKEN, chat_id: 1001 }));
    fake = await FakeBinance.start({ series: loadCandleDir(DATA_2021_1M, { from: T0 - 10 * MINUTE, to: T0 + 10 * MINUTE }), now: T0 });
    installTrading(fake, { apiKey: API_KEY, secret: API_SECRET, balances: { USDT: 100 }, restrictions: { enableWithdrawals: true, ipRestrict: true } });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('refuses to start with a key that can withdraw, naming the fix, before any order endpoint or chat traffic', async () => {
    const cfg = join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({
      // Nothing listens on port 9: the refusal must come before the chat starts.
      telegram: { apiRoot: 'http://127.0.0.1:9', configFile: join(dir, 'tg.json') },
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl },
      paths: { state: join(dir, 'state.json'), liveParams: join(dir, 'params.json'), logDir: join(dir, 'logs') },
    }));
    const err = await startBot({
      mode: 'live', config: cfg, env: { EXCHANGE_API_KEY: API_KEY, EXCHANGE_API_SECRET: API_SECRET }, input: null,
      output: new Writable({ write: (_c, _e, cb) => cb() }), clock: fake.clock,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.field).toBe('EXCHANGE_API_KEY');
    expect(err.message).toMatch(/^live mode refused: this API key can withdraw funds: disable withdrawals for it on Binance \(API Management → Edit restrictions → untick "Enable Withdrawals"\)/);
    expect(err.message).not.toContain(API_KEY);
    expect(fake.router.requests.get(RESTRICTIONS)).toBe(1);
    for (const r of ORDER_ROUTES) expect(fake.router.requests.get(r) ?? 0).toBe(0);
  });

  it('on the real venue, an unanswered key check stops the start too (the key stays unchecked)', async () => {
    const cfg = join(dir, 'config-2.json');
    writeFileSync(cfg, JSON.stringify({
      telegram: { apiRoot: 'http://127.0.0.1:9', configFile: join(dir, 'tg.json') },
      exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl },
      paths: { state: join(dir, 'state-2.json'), liveParams: join(dir, 'params.json'), logDir: join(dir, 'logs') },
    }));
    fake.router.fail('/sapi/v1/account/apiRestrictions');
    const err = await startBot({
      mode: 'live', config: cfg, env: { EXCHANGE_API_KEY: API_KEY, EXCHANGE_API_SECRET: API_SECRET }, input: null,
      output: new Writable({ write: (_c, _e, cb) => cb() }), clock: fake.clock, exchangeTimeoutMs: 2000,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect(err.kind).toBe('exchange');
    expect(fake.router.requests.get(RESTRICTIONS)).toBe(2);
    for (const r of ORDER_ROUTES) expect(fake.router.requests.get(r) ?? 0).toBe(0);
  });

  it('skips the check (no request) off Binance', async () => {
    const trader = await createLiveTrader(parseConfig({ exchange: { id: 'kraken', restBaseUrl: 'http://127.0.0.1:9' } }), { apiKey: 'k', secret: 's' });
    expect(await trader.venue.keyRestrictions()).toEqual({ status: 'skipped' });
  });

  it('the badge is display data: rendered on cards, never written to state.json', () => {
    const card = { id: 'c1', symbol: 'BTCUSDT', timeframe: '1m', name: 'Test', direction: 'long', status: 'open', reason: 'r', entry: 1, stop: 0.9, target: 1.2,
      stopPercent: 10, targetPercent: 20, rr: 2, qty: 1, notional: 1, riskQuote: 0.1, riskPercent: 1, createdAt: 0, expiresAt: 1 } as unknown as Card;
    expect(renderCard(card).html.split('\n')[0]).not.toMatch(/LIVE|TESTNET/);
    markVenue(card, 'testnet');
    expect(renderCard(card).html.split('\n')[0]).toMatch(/· 🧪 <b>TESTNET<\/b>$/);
    expect(JSON.parse(JSON.stringify(card))).not.toHaveProperty('venueMode');
  });
});

describe('a live bot with a key without IP restriction', () => {
  let env: LiveEnv;
  let bot: RunningBot | undefined;

  beforeAll(async () => {
    env = await liveEnv();
  });
  afterEach(async () => {
    await bot?.stop('test end');
    bot = undefined;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('starts, warns the owner, and shows LIVE on /status, on cards and on the confirmation', async () => {
    env.trading.restrictions.ipRestrict = false;
    bot = await startLiveBot(env);
    expect(env.fake.router.requests.get(RESTRICTIONS)).toBe(1);
    const warning = await nextMessage(env, /IP restriction/);
    expect(warning.text).toBe(
      '⚠️ Live (binance): The exchange API key has no IP restriction: whoever obtains it can trade this account from anywhere. ' +
      'On Binance: API Management → Edit restrictions → "Restrict access to trusted IPs only", and add this server\'s IP.',
    );
    const st = await command(env, '/status', /^Status/);
    expect(st.text).toMatch(/^Mode: live · ⚡ LIVE on binance · uptime/m);
    expect(status(bot.rt).venue).toEqual({ exchange: 'binance', mode: 'live' });

    const { card, msg } = await fireCard(env, bot, 'BTCUSDT');
    expect(card.venueMode).toBe('live');
    expect(msg.text!.split('\n')[0]).toMatch(/^🟢 BUY BTCUSDT · 1m · Test signal · ⚠️ unvalidated · ⚡ LIVE$/);
    await press(env, msg, `v1:live:${card.id}`);
    const conf = await env.api.waitFor(() => {
      const m = message(env, msg.message_id);
      return m && buttons(m).some(([t]) => t === '✅ Confirm') && m;
    });
    expect(conf.text).toContain('Confirm live market BUY on binance · ⚡ LIVE');
    expect(conf.text!.split('\n')[0]).toContain('⚡ LIVE');
  });

  it('on the testnet (exchange.sandbox): no /sapi there, so no check and no warning; /status and cards say TESTNET', async () => {
    const cfg = JSON.parse(readFileSync(env.configPath, 'utf8'));
    cfg.exchange.sandbox = true;
    cfg.paths.state = join(env.dir, 'state-testnet.json');
    writeFileSync(env.configPath, JSON.stringify(cfg));
    const before = env.fake.router.requests.get(RESTRICTIONS) ?? 0;
    const sent = env.api.messages(OWNER.id).length;
    bot = await startLiveBot(env);
    expect(bot.live!.venue.sandbox).toBe(true);
    expect(await bot.live!.venue.keyRestrictions()).toEqual({ status: 'unsupported' });
    expect(env.fake.router.requests.get(RESTRICTIONS) ?? 0).toBe(before);
    const st = await command(env, '/status', /^Status/);
    expect(st.text).toMatch(/^Mode: live · 🧪 TESTNET on binance · uptime/m);
    const { msg } = await fireCard(env, bot, 'ETHUSDT');
    expect(msg.text!.split('\n')[0]).toMatch(/· 🧪 TESTNET$/);
    expect(env.api.messages(OWNER.id).slice(sent).some((m) => /IP restriction/.test(m.text ?? ''))).toBe(false);
  });
});

describe('/status outside live mode', () => {
  it('has no venue badge in paper mode', () => {
    const html = renderView({
      kind: 'status', mode: 'paper', stopped: false, circuitOpen: false, uptimeMs: 0, feed: null, candles: 0, lastCloseTime: 0, cards: 0,
      equity: 1, dayPnl: 0, openPositions: 0, maxOpenPositions: 1, dayTrades: 0, maxDailyTrades: 1, dayLossHeadroomPercent: 5, quote: 'USDT',
    }).html;
    expect(html).toContain('Mode: paper · uptime');
    expect(html).not.toMatch(/LIVE|TESTNET/);
  });
});
