import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { loadConfig, loadLiveParams, loadTelegramConfig, parseConfig } from '../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'edgebot-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('config', () => {
  it('fills every default from an empty object', () => {
    const c = parseConfig({});
    expect(c.broker.startingBalance).toBe(10_000);
    expect(c.telegram.apiRoot).toBe('https://api.telegram.org');
    expect(c.execution.autoTrade).toBe('off');
    expect(c.baseCoins).toHaveLength(14);
  });

  it('the bundled config/default.json is valid', () => {
    expect(loadConfig().risk.minNotional).toBe(10);
  });

  it('names the bad field', () => {
    const p = file('bad.json', JSON.stringify({ risk: { maxOpenPositions: 'five' } }));
    expect(() => loadConfig({ file: p, defaults: '/nonexistent' })).toThrow(ConfigError);
    expect(() => loadConfig({ file: p, defaults: '/nonexistent' })).toThrow(/risk\.maxOpenPositions: .*number/);
    try {
      loadConfig({ file: p, defaults: '/nonexistent' });
    } catch (e) {
      expect((e as ConfigError).field).toBe('risk.maxOpenPositions');
    }
  });

  it('refuses unknown keys, bad enums and bad URLs with the field name', () => {
    expect(() => parseConfig({ riks: {} })).toThrow(/riks/);
    expect(() => parseConfig({ execution: { autoTrade: 'live' } })).toThrow(/execution\.autoTrade/);
    expect(() => parseConfig({ telegram: { apiRoot: 'not a url' } })).toThrow(/telegram\.apiRoot/);
  });

  it('reports malformed JSON with the file name', () => {
    const p = file('broken.json', '{ "risk": ');
    expect(() => loadConfig({ file: p, defaults: '/nonexistent' })).toThrow(new RegExp(`${p.replace(/[/.]/g, '\\$&')} is not valid JSON`));
  });

  it('validates parameter sets per symbol', () => {
    const p = file('params.json', JSON.stringify({ BTCUSDT: { zScoreThreshold: 2, movingAverages: 0, profitPercent: 1, stopLossPercent: 1 } }));
    expect(() => loadLiveParams(p)).toThrow(/BTCUSDT\.movingAverages/);
    expect(Object.keys(loadLiveParams('config/live-params.json')).length).toBeGreaterThan(0);
  });

  it('reads the Telegram file, lets the environment override it, and refuses a malformed token', () => {
    expect(loadTelegramConfig(join(dir, 'none.json'), {})).toBeNull();
    const p = file('tg.json', JSON.stringify({ token: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', chat_id: '42', allowed_user_ids: [42, '43'] }));
    expect(loadTelegramConfig(p, {})).toEqual({ token: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', chat_id: 42, allowed_user_ids: [42, 43] });
    expect(loadTelegramConfig(p, { TELEGRAM_CHAT_ID: '7' })?.chat_id).toBe(7);
    const bad = file('tg-bad.json', JSON.stringify({ token: 'nope', chat_id: 1 }));
    expect(() => loadTelegramConfig(bad, {})).toThrow(/token/);
  });
});
