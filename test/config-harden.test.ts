import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SignalError } from '../src/core/errors.js';
import { loadConfig, loadLiveParams, loadTelegramConfig, parseConfig } from '../src/config/load.js';
import { preflight } from '../src/app/preflight.js';
import { zThresholdWarnings } from '../src/config/z-reach.js';

const dir = mkdtempSync(join(tmpdir(), 'edgebot-config-harden-'));
const file = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};
/** `{a:{b:v}}` from `'a.b'`. */
const at = (path: string, v: unknown): Record<string, unknown> =>
  path.split('.').reduceRight<unknown>((acc, k) => ({ [k]: acc }), v) as Record<string, unknown>;
const error = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
};
const SET = { zScoreThreshold: 2, movingAverages: 50, profitPercent: 2, stopLossPercent: 1, allocationPercent: 10, enabled: true };

describe('config: strict at every depth, with the nearest valid key', () => {
  it('names the full path of a nested unknown key and suggests the nearest valid one', () => {
    const e = error(() => parseConfig({ risk: { maxOpenPosition: 3 } }));
    expect(e.message).toContain('unknown key risk.maxOpenPosition — did you mean maxOpenPositions?');
    expect(e.field).toBe('risk.maxOpenPosition');
    expect(error(() => parseConfig({ validation: { thresholds: { '5m': { minTrade: 3 } } } })).message)
      .toContain('unknown key validation.thresholds.5m.minTrade — did you mean minTrades?');
    expect(error(() => parseConfig({ feed: { zzzzzzzzzzzz: 1 } })).message).toMatch(/unknown key feed\.zzzzzzzzzzzz — valid keys: type, wsBaseUrl/);
    expect(error(() => parseConfig({ riks: {} })).message).toContain('unknown key riks — did you mean risk?');
  });

  it('refuses a "__proto__" key instead of letting it vanish in the merge', () => {
    const p = file('proto.json', '{"risk":{"__proto__":{"x":1}}}');
    expect(error(() => loadConfig({ file: p, defaults: '/nonexistent' })).message).toContain("unknown key risk.__proto__");
  });

  it('names unknown keys in a parameter set and in the Telegram file', () => {
    const p = file('lp-unknown.json', { BTCUSDT: { ...SET, profitPercnt: 2 } });
    expect(error(() => loadLiveParams(p)).message).toContain('unknown key BTCUSDT.profitPercnt — did you mean profitPercent?');
    const tg = file('tg-unknown.json', { token: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', chat_id: 1, chatid: 2 });
    expect(error(() => loadTelegramConfig(tg, {})).message).toContain('unknown key chatid — did you mean chat_id?');
  });

  // One absurd value per bound: each must be refused, naming its field.
  const BAD: [string, unknown][] = [
    ['quote', ''], ['baseCoins', ['BTC']], ['timeframes', []],
    ['rating.tau', 0], ['rating.tau', 11], ['rating.opponentRd', 1e6], ['rating.drawThreshold', 2], ['rating.scoreScale', 1e9],
    ['rating.returnWindow', 1], ['rating.returnWindow', 2e5], ['rating.initialRating', -1], ['rating.initialRating', 1e9],
    ['rating.initialRd', 5000], ['rating.initialVolatility', 3], ['rating.defaultMovingAverages', 1e15],
    ['rating.defaultMovingAverages', 10_001], ['rating.defaultMovingAverages', 0], ['rating.syncGraceMs', 4e6],
    ['risk.maxOpenPositions', 1e9], ['risk.maxPositionPercent', 101], ['risk.riskPerTradePercent', -1],
    ['risk.maxDailyLossPercent', 1e300], ['risk.maxDrawdownPercent', 200], ['risk.maxDailyTrades', 1e7],
    ['risk.cooldownMinutes', 1e9], ['risk.minNotional', 1e15], ['risk.circuitBreakerErrors', 0], ['risk.circuitBreakerErrors', 1e6],
    ['broker.startingBalance', 0], ['broker.startingBalance', 1e300], ['broker.feeBps', 1e5], ['broker.slippageBps', -1],
    ['execution.cardExpiryBars', 1e9], ['execution.confirmTtlSeconds', 1e15], ['execution.confirmTtlSeconds', 3601],
    ['execution.slippageTolerancePercent', 90], ['execution.orderTimeoutSeconds', 1e6],
    ['telegram.apiRoot', 'ftp://x'], ['telegram.configFile', ''], ['exchange.id', ''], ['exchange.restBaseUrl', 'ws://x'],
    ['feed.wsBaseUrl', 'http://x'], ['feed.closeGraceMs', 1e9], ['feed.maxMissingBars', 1e9],
    ['feed.warmupBars', 1.5e9], ['feed.warmupBars', 100_001],
    ['paths.state', ''], ['paths.liveParams', '  '], ['paths.validatedSignals', ''], ['paths.logDir', ''],
    ['validation.inSampleFraction', 1], ['validation.folds', 21],
    ['validation.thresholds.1h.minWinRate', 1.5], ['validation.thresholds.1h.minProfitFactor', 1e9],
    ['validation.thresholds.1h.minTrades', 1e9], ['validation.thresholds.1h.requiredRR', 1e9],
    ['rating.tau', 'fast'], ['risk', 5], ['log.level', 'loud'], ['execution.confirmTtlSeconds', 1.5],
  ];
  // A timeframe's thresholds are given whole (their prefault applies only when absent).
  const TH = { validation: { thresholds: { '1h': { minWinRate: 0.3, minProfitFactor: 1.2, minTrades: 30, requiredRR: 3 } } } };
  const withThresholds = (path: string, value: unknown) => {
    if (!path.startsWith('validation.thresholds.1h.')) return at(path, value);
    return { validation: { thresholds: { '1h': { ...TH.validation.thresholds['1h'], [path.split('.').pop()!]: value } } } };
  };
  it.each(BAD)('refuses %s = %j naming the field', (path, value) => {
    const e = error(() => parseConfig(withThresholds(path, value)));
    expect(e.message).toContain(path);
    expect(e.field).toBe(path);
  });

  it('keeps the bounds wide enough for the bundled config and the upper limits themselves', () => {
    expect(loadConfig().feed.warmupBars).toBe(0); // a floor; 0 = derived from every lookback
    const c = parseConfig({
      rating: { defaultMovingAverages: 10_000 },
      execution: { confirmTtlSeconds: 3600 },
      feed: { warmupBars: 100_000, wsBaseUrl: 'ws://127.0.0.1:1' },
      telegram: { apiRoot: 'http://127.0.0.1:9' },
    });
    expect(c.execution.confirmTtlSeconds).toBe(3600);
    expect(parseConfig({}).paths.logDir).toBe('logs');
  });
});

describe('live-params: strict and bounded', () => {
  const BAD: [string, unknown][] = [
    ['zScoreThreshold', 0], ['zScoreThreshold', 21], ['movingAverages', 1e15], ['movingAverages', 2.5],
    ['profitPercent', 1e300], ['profitPercent', -1], ['stopLossPercent', 100], ['allocationPercent', 101], ['enabled', 'yes'],
  ];
  it.each(BAD)('refuses %s = %j naming symbol and field', (field, value) => {
    const p = file(`lp-${field}.json`, { ETHUSDT: { ...SET, [field]: value } });
    const e = error(() => loadLiveParams(p));
    expect(e.message).toContain(`ETHUSDT.${field}`);
    expect(e.field).toBe(`ETHUSDT.${field}`);
  });
  it('refuses a bad symbol and a non-object file', () => {
    expect(error(() => loadLiveParams(file('lp-sym.json', { 'btc/usdt': SET }))).message).toMatch(/btc\/usdt/);
    expect(error(() => loadLiveParams(file('lp-arr.json', [SET]))).message).toMatch(/parameter sets/);
    expect(Object.keys(loadLiveParams('config/live-params.json')).length).toBeGreaterThan(0);
  });
});

describe('z-threshold reachability', () => {
  it('warns for each set whose threshold ≥ √(n−1), in symbol order', () => {
    const lp = { SOLUSDT: { ...SET, zScoreThreshold: 2.5 }, BTCUSDT: { ...SET, zScoreThreshold: 2 }, ETHUSDT: { ...SET, zScoreThreshold: 1.9 } };
    const w = zThresholdWarnings(lp, 5); // √4 = 2
    expect(w.map((x) => x.symbol)).toEqual(['BTCUSDT', 'SOLUSDT']);
    expect(w[0]).toMatchObject({ zScoreThreshold: 2, coins: 5, maxAbsZ: 2 });
    expect(w[0].message).toContain('BTCUSDT: zScoreThreshold 2 can never fire with 5 coins');
    expect(zThresholdWarnings(lp, 14)).toEqual([]); // √13 ≈ 3.61
    expect(zThresholdWarnings(lp, 1)).toHaveLength(3); // one coin: z is always 0
  });
});

describe('preflight = the start-up checks', () => {
  const good = () => ({
    chat: 'console',
    paths: { liveParams: file('pf-lp.json', { BTCUSDT: { ...SET, zScoreThreshold: 5 } }), validatedSignals: join(dir, 'none.json'), state: join(dir, 's.json'), logDir: join(dir, 'logs') },
  });
  it('passes a sound setup with warnings for a missing validated file and unreachable thresholds', () => {
    const r = preflight({ config: file('pf-good.json', good()), env: {} });
    expect(r.telegram).toBeNull();
    expect(r.zWarnings.map((w) => w.symbol)).toEqual(['BTCUSDT']);
    expect(r.warnings.join('\n')).toMatch(/none\.json not found[\s\S]*BTCUSDT: zScoreThreshold 5/);
  });
  it('fails on a bad validated-signals file, a bad Telegram file and a 1m timeframe on a 5m feed', () => {
    const g = good();
    const bad = file('pf-validated.json', '{"version":1,"signals":"x"}');
    expect(() => preflight({ config: file('pf-v.json', { ...g, paths: { ...g.paths, validatedSignals: bad } }), env: {} })).toThrow(SignalError);
    const tg = file('pf-tg.json', { token: 'nope', chat_id: 1 });
    expect(() => preflight({ config: file('pf-t.json', { ...g, chat: 'auto', telegram: { configFile: tg } }), env: {} })).toThrow(/telegram config .*token/);
    expect(() => preflight({ config: file('pf-t2.json', { ...g, chat: 'telegram', telegram: { configFile: join(dir, 'missing.json') } }), env: {} })).toThrow(/chat is "telegram"/);
    expect(() => preflight({ config: file('pf-tf.json', { ...g, timeframes: ['1m'], feed: { baseTimeframe: '5m' } }), env: {} })).toThrow(/1m/);
  });
});
