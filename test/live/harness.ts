/**
 * Live-mode test harness: the real bot (`startBot({ mode: 'live' })`) against a fake Binance
 * (market data + signed trading endpoints) and a fake Telegram Bot API, both on loopback, with
 * real 1m candles and the fake's simulated clock. A test rule fires a card on the next close of
 * the symbol it is armed for.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Candle } from '../../src/core/candle.js';
import type { Timeframe } from '../../src/core/timeframe.js';
import { startBot, type RunningBot } from '../../src/app/live.js';
import type { Card } from '../../src/kernel/card.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import type { CandleRule } from '../../src/signal/rule.js';
import type { Setup } from '../../src/signal/types.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, MINUTE, waitFor } from '../fakes/binance/harness.js';
import { installTrading, type FakeTrading } from '../fakes/binance/trading.js';
import { startFakeTelegramApi, type FakeTelegramApi, type SentMessage } from '../fakes/telegram-api.js';

export const OWNER = { id: 1001, first_name: 'Owner' };
export const API_KEY = 'LIVEKEY-7f3a9c2e1b8d4f6a0c5e9b2d7a1f3c8e';
export const API_SECRET = 'LIVESECRET-4b9e2c7a1f8d3e6b0a5c9f2e7d1b4a8c';
export const T0 = Date.UTC(2021, 3, 5, 0, 0);

/** Fires a long setup on the next 1m close of each armed symbol: stop −1 %, target +2 %. */
export class ArmedRule implements CandleRule {
  readonly #armed = new Set<string>();
  arm(symbol: string): void {
    this.#armed.add(symbol);
  }
  onCandle(symbol: string, tf: Timeframe, c: Candle, out: Setup[]): void {
    if (tf !== '1m' || !this.#armed.delete(symbol)) return;
    out.push({
      signalId: `test_live:${symbol}`, rule: 'test_live', name: 'Test signal', symbol, timeframe: '1m', direction: 'long',
      time: c.closeTime, entry: c.close, stop: c.close * 0.99, target: c.close * 1.02, reason: 'armed by the test', tradable: true,
    });
  }
}

export { buttons } from '../helpers/telegram.js';

export interface LiveEnv {
  fake: FakeBinance;
  trading: FakeTrading;
  api: FakeTelegramApi;
  dir: string;
  rule: ArmedRule;
  series: CandleSeries[];
  configPath: string;
  close(): Promise<void>;
}

/** Starts both fakes and writes a config for them (circuit breaker after 2 errors, 5 s order timeout). */
export async function liveEnv(): Promise<LiveEnv> {
  const series = loadCandleDir(DATA_2021_1M, { from: T0 - 60 * MINUTE, to: T0 + 180 * MINUTE });
  const fake = await FakeBinance.start({ series, now: T0 + 1000 });
  const trading = installTrading(fake, { apiKey: API_KEY, secret: API_SECRET, balances: { USDT: 10_000 } });
  const api = await startFakeTelegramApi();
  const dir = mkdtempSync(join(tmpdir(), 'edgebot-live-'));
  writeFileSync(join(dir, 'params.json'), '{}');
  writeFileSync(join(dir, 'tg.json'), JSON.stringify({ token: api.token, chat_id: OWNER.id, allowed_user_ids: [OWNER.id] }));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({
    chat: 'telegram',
    baseCoins: series.map((s) => s.symbol.replace('USDT', '')),
    timeframes: ['5m'],
    telegram: { apiRoot: api.apiRoot, configFile: join(dir, 'tg.json') },
    exchange: { id: 'binance', restBaseUrl: fake.restBaseUrl, sandbox: false },
    feed: { wsBaseUrl: fake.wsBaseUrl, warmupBars: 30, closeGraceMs: 1000 },
    risk: { circuitBreakerErrors: 2, cooldownMinutes: 60 },
    // The armed test signal has no backtest evidence: Live is offered on it only through the override.
    execution: { confirmTtlSeconds: 60, slippageTolerancePercent: 0.5, orderTimeoutSeconds: 5, liveUnvalidated: true },
    paths: { state: join(dir, 'state.json'), liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
    log: { level: 'debug' },
  }));
  return {
    fake, trading, api, dir, rule: new ArmedRule(), series, configPath,
    async close() {
      await api.close();
      await fake.close();
    },
  };
}

/** The live bot on `env`, with keys in its (private) environment. */
export async function startLiveBot(env: LiveEnv): Promise<RunningBot> {
  const bot = await startBot({
    mode: 'live',
    config: env.configPath,
    input: null,
    output: new Writable({ write: (_c, _e, cb) => cb() }),
    chatPacingMs: 0,
    clock: env.fake.clock,
    rules: [env.rule],
    env: { EXCHANGE_API_KEY: API_KEY, EXCHANGE_API_SECRET: API_SECRET },
    exchangeTimeoutMs: 400,
    feed: { tickMs: 20, rateLimitMs: 1 },
  });
  await waitFor(() => bot.feed.health().connected, 'feed connected');
  return bot;
}

/** Arms the rule for `symbol`, advances to the next close and returns the card and its message. */
export async function fireCard(env: LiveEnv, bot: RunningBot, symbol: string): Promise<{ card: Card; msg: SentMessage }> {
  const seen = new Set(bot.rt.engine.cards.keys());
  env.rule.arm(symbol);
  const next = Math.floor(env.fake.now() / MINUTE) * MINUTE + MINUTE;
  env.fake.advanceTo(next + 1500);
  const find = () => [...bot.rt.engine.cards.values()].find((c) => !seen.has(c.id) && c.symbol === symbol);
  await waitFor(() => !!find(), `a ${symbol} card`);
  const card = find()!;
  const msg = await env.api.waitFor(() => card.message && env.api.messages(OWNER.id).find((m) => m.message_id === card.message!.messageId));
  return { card, msg };
}

/** The current state of a bot message. */
export function message(env: LiveEnv, id: number): SentMessage | undefined {
  return env.api.messages(OWNER.id).find((m) => m.message_id === id);
}

/** Presses a button and returns the callback answer's text. */
export async function press(env: LiveEnv, msg: SentMessage, data: string): Promise<string> {
  const id = env.api.pressButton(OWNER, msg, data);
  const a = await env.api.waitFor(() => env.api.answeredCallbacks().find((x) => x.callback_query_id === id), 10_000);
  return String(a.text ?? '');
}

/** Sends a command and waits for the reply matching `re`. */
export async function command(env: LiveEnv, text: string, re: RegExp): Promise<SentMessage> {
  const before = env.api.messages(OWNER.id).length;
  env.api.sendText(OWNER, text);
  return env.api.waitFor(() => env.api.messages(OWNER.id).slice(before).find((m) => re.test(m.text ?? '')), 10_000);
}

/** Waits for a bot message (any, after `after` messages) matching `re`. */
export function nextMessage(env: LiveEnv, re: RegExp, after = 0): Promise<SentMessage> {
  return env.api.waitFor(() => env.api.messages(OWNER.id).slice(after).find((m) => re.test(m.text ?? '')), 10_000);
}

/** POST /api/v3/order requests the fake received (accepted or not). */
export function orderPosts(env: LiveEnv): number {
  return env.fake.router.requests.get('POST /api/v3/order') ?? 0;
}
