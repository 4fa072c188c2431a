import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/app/cli.js';
import { startBot } from '../src/app/live.js';
import { preflight } from '../src/app/preflight.js';

/**
 * `validate-config` must refuse exactly what the bot refuses at start: for each broken input, the
 * CLI check (preflight) and a real `startBot` fail with the same error class and message.
 */
const dir = mkdtempSync(join(tmpdir(), 'edgebot-start-parity-'));
const put = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};
const SET = { zScoreThreshold: 2, movingAverages: 50, profitPercent: 2, stopLossPercent: 1, allocationPercent: 10 };
let n = 0;
/** A config file whose paths live in `dir`; `over` replaces top-level keys (paths merged). */
function cfg(over: Record<string, unknown> = {}, paths: Record<string, string> = {}): string {
  n++;
  return put(`c${n}.json`, {
    chat: 'console',
    ...over,
    paths: { state: join(dir, `state-${n}.json`), liveParams: put(`lp-${n}.json`, { BTCUSDT: SET }), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs'), ...paths },
  });
}
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const errorOf = async (f: () => unknown) => {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
};

const CASES: [string, () => string, RegExp][] = [
  ['nested unknown key', () => cfg({ risk: { maxOpenPosition: 3 } }), /unknown key risk\.maxOpenPosition — did you mean maxOpenPositions\?/],
  ['absurd MA length', () => cfg({ rating: { defaultMovingAverages: 1e15 } }), /rating\.defaultMovingAverages/],
  ['absurd confirm TTL', () => cfg({ execution: { confirmTtlSeconds: 1e15 } }), /execution\.confirmTtlSeconds/],
  ['absurd warm-up', () => cfg({ feed: { warmupBars: 1.5e9 } }), /feed\.warmupBars/],
  ['empty log folder', () => cfg({}, { logDir: '' }), /paths\.logDir: must not be empty/],
  ['absurd live-params', () => cfg({}, { liveParams: put('lp-bad.json', { BTCUSDT: { ...SET, profitPercent: 1e300 } }) }), /BTCUSDT\.profitPercent/],
  ['unknown live-params key', () => cfg({}, { liveParams: put('lp-key.json', { BTCUSDT: { ...SET, movingAverage: 3 } }) }), /did you mean movingAverages\?/],
  ['broken validated signals', () => cfg({}, { validatedSignals: put('validated-bad.json', '{"version": 1, "signals": [') }), /validated-bad\.json is not valid JSON/],
  ['malformed Telegram file', () => cfg({ chat: 'auto', telegram: { configFile: put('tg-bad.json', { token: 'nope', chat_id: 1 }) } }), /telegram config .*token/],
  ['Telegram chat without a token', () => cfg({ chat: 'telegram', telegram: { configFile: join(dir, 'missing-tg.json') } }), /chat is "telegram" but/],
  ['1m timeframe on a 5m feed', () => cfg({ timeframes: ['1m', '5m'], feed: { baseTimeframe: '5m' } }), /timeframes include 1m but feed\.baseTimeframe is not 1m/],
];

describe('validate-config = the start-up checks', () => {
  it.each(CASES)('%s: validate-config and startBot fail alike', async (_name, make, re) => {
    const file = make();
    const env = { ...process.env, TELEGRAM_BOT_TOKEN: '', TELEGRAM_CHAT_ID: '' };
    const checked = await errorOf(() => preflight({ config: file, env }));
    expect(checked.message).toMatch(re);
    const started = await errorOf(() => startBot({ mode: 'paper', config: file, env, input: new PassThrough(), output: sink() }));
    expect(started.constructor).toBe(checked.constructor);
    expect(started.message).toBe(checked.message);
    // And the CLI prints it, exit 1.
    let err = '';
    const code = await main(['validate-config', '--config', file], {
      stdout: sink(),
      stderr: new Writable({ write: (c, _e, cb) => { err += String(c); cb(); } }),
      env,
    });
    expect(code).toBe(1);
    expect(err).toBe(`edgebot: ${checked.message}\n`);
  });

  it('a sound setup passes and prints its warnings', async () => {
    const file = cfg({}, { liveParams: put('lp-high.json', { BTCUSDT: { ...SET, zScoreThreshold: 4 }, ETHUSDT: SET }) });
    let out = '';
    const code = await main(['validate-config', '--config', file], {
      stdout: new Writable({ write: (c, _e, cb) => { out += String(c); cb(); } }),
      stderr: sink(),
      env: {},
    });
    expect(code).toBe(0);
    expect(out).toMatch(/^config OK; 2 parameter sets; 0 validated signals; telegram not used \(console chat\)\n/);
    expect(out).toContain('warning: BTCUSDT: zScoreThreshold 4 can never fire with 14 coins');
    expect(out).not.toContain('ETHUSDT');
  });
});
