import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/store/schema.js';
import { FakeBinance } from '../fakes/binance.js';
import { DATA_2021_1M, MINUTE } from '../fakes/binance/harness.js';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { loadCandleDir } from '../../src/feed/csv.js';
import { BotProcess } from './bot-process.js';
import { SimTime } from './sim-time.js';

// Real `edgebot run --mode paper` processes against the fake Binance (and the fake Bot API):
// a /stop shown is a /stop kept, one instance per state file, and a bot that can no longer hear
// Telegram says so and exits non-zero for its supervisor to restart it.
const T0 = Date.UTC(2021, 3, 5, 0, 0);
const COINS = ['BNB', 'BTC', 'DOGE', 'ETH', 'SOL'];
const OWNER = 4242;

describe('process safety (real processes)', () => {
  let fake: FakeBinance;
  let tg: FakeTelegramApi;
  let sim: SimTime;
  let pump: NodeJS.Timeout;
  const procs: BotProcess[] = [];

  beforeAll(async () => {
    const series = loadCandleDir(DATA_2021_1M, { from: T0 - 1000 * MINUTE, to: T0 + 600 * MINUTE });
    fake = await FakeBinance.start({ series, now: T0 + 1000, updateOffsetsMs: [] });
    tg = await startFakeTelegramApi();
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-clock-'));
    sim = new SimTime(join(dir, 'clock.json'), T0 + 1000, 2000);
    sim.resume();
    pump = setInterval(() => fake.advanceTo(sim.now()), 5);
  });

  afterAll(async () => {
    clearInterval(pump);
    for (const p of procs) await p.kill();
    await fake?.close();
    await tg?.close();
  });

  /** A fresh bot directory with its config; `extra` overlays the config. */
  const botDir = (extra: Record<string, unknown> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-proc-'));
    writeFileSync(join(dir, 'params.json'), '{}');
    const config = {
      baseCoins: COINS, timeframes: ['5m'], chat: 'console',
      exchange: { restBaseUrl: fake.restBaseUrl },
      feed: { wsBaseUrl: fake.wsBaseUrl, baseTimeframe: '1m', closeGraceMs: 60_000, maxMissingBars: 3 },
      paths: { state: join(dir, 'state.json'), liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
      ...extra,
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    return { dir, config: join(dir, 'config.json'), state: () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State };
  };
  const run = (config: string, env: NodeJS.ProcessEnv = {}) => {
    const p = new BotProcess(['run', '--mode', 'paper', '--config', config], env, sim.file);
    procs.push(p);
    return p;
  };
  const started = (p: BotProcess) => p.waitOut((o) => o.includes('edgebot started (paper)'), 'startup message');

  it('/stop, SIGKILL the instant the reply is shown → the bot restarts stopped', async () => {
    const d = botDir();
    const a = run(d.config);
    await started(a);
    a.send('/stop');
    await a.waitOut((o) => o.includes('Trading stopped'), '/stop reply');
    await a.kill('SIGKILL');
    expect(d.state().risk.killSwitch).toBe(true);
    const b = run(d.config);
    await started(b);
    expect(b.out).toMatch(/Trading is STOPPED/);
    expect(b.out).toMatch(/did not stop cleanly/);
    b.send('/status');
    await b.waitOut((o) => o.includes('🛑 stopped'), '/status');
    await b.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  });

  it('a second instance on the same state file refuses to start; the first keeps running', async () => {
    const d = botDir();
    const a = run(d.config);
    await started(a);
    const b = run(d.config);
    const exit = await b.exited;
    expect(exit.code).toBe(1);
    expect(b.err).toMatch(new RegExp(`another edgebot \\(pid ${a.child.pid}\\) is already running`));
    expect(a.alive).toBe(true);
    // After a clean stop the lock is gone and the next start is told the last stop was clean.
    await a.kill('SIGTERM');
    const c = run(d.config);
    await started(c);
    expect(c.out).toMatch(/last stop was clean/);
    await c.kill('SIGTERM');
  });

  it('under systemd: READY=1 once started, WATCHDOG=1 while healthy, STOPPING=1 on the way out', async () => {
    const d = botDir();
    const sock = join(d.dir, 'notify.sock');
    const got: string[] = [];
    const { createSocket } = createRequire(import.meta.url)('unix-dgram') as { createSocket: (t: string, f: (b: Buffer) => void) => { bind(p: string): void; close(): void } };
    const server = createSocket('unix_dgram', (b) => got.push(b.toString()));
    server.bind(sock);
    try {
      const a = run(d.config, { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '1000000' });
      await started(a);
      await a.waitOut(() => got.some((m) => m.startsWith('READY=1')), 'READY=1');
      await a.waitOut(() => got.filter((m) => m === 'WATCHDOG=1').length >= 2, 'two WATCHDOG=1');
      await a.kill('SIGTERM');
      await new Promise<void>((r) => setImmediate(r));
      expect(got.find((m) => m.startsWith('READY=1'))).toMatch(new RegExp(`MAINPID=${a.child.pid}`));
      expect(got.some((m) => m.startsWith('STOPPING=1'))).toBe(true);
    } finally {
      server.close();
    }
  });

  it('an uncaught exception: logged, told to the owner, state flushed, exit 70; the next start says it crashed', async () => {
    const d = botDir();
    const a = new BotProcess(['run', '--mode', 'paper', '--config', d.config], {}, sim.file, { crashOnSignal: true });
    procs.push(a);
    await started(a);
    a.child.kill('SIGUSR2');
    const exit = await a.exited;
    expect(exit.code).toBe(70);
    expect(a.out).toMatch(/edgebot crashed.*boom: injected by the test/);
    expect(a.err).toMatch(/boom: injected by the test/);
    expect(d.state().runs.cleanStopAt).toBeUndefined();
    const b = run(d.config);
    await started(b);
    expect(b.out).toMatch(/did not stop cleanly: it crashed or was killed/);
    await b.kill('SIGTERM');
  });

  it('409 Conflict from getUpdates (another bot polling) → the owner is told and the process exits non-zero', async () => {
    const d = botDir({ chat: 'telegram', telegram: { apiRoot: tg.apiRoot, configFile: join(tmpdir(), 'none.json') } });
    const env = { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_CHAT_ID: String(OWNER) };
    const a = run(d.config, env);
    await a.waitOut(() => tg.messages(OWNER).some((m) => /edgebot started/.test(m.text ?? '')), 'startup message in Telegram');
    tg.failNext('getUpdates', { code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' }, 1);
    // Ends the long poll in flight, so the next getUpdates (the one that fails) comes at once.
    tg.sendText({ id: OWNER }, '/status');
    const exit = await a.exited;
    expect(exit.code).toBe(1);
    expect(tg.messages(OWNER).some((m) => /Conflict/.test(m.text ?? '') && /exits/.test(m.text ?? ''))).toBe(true);
    expect(d.state().runs.cleanStopAt).toBeDefined();
  });
});

/** Mounts a tiny tmpfs (root only); null where this machine cannot. */
function tinyDisk(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'edgebot-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
}

describe('a full disk (tmpfs)', () => {
  const disk = tinyDisk();
  let fake: FakeBinance;
  let sim: SimTime;
  let pump: NodeJS.Timeout;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    if (!disk) return;
    const series = loadCandleDir(DATA_2021_1M, { from: T0 - 1000 * MINUTE, to: T0 + 600 * MINUTE });
    fake = await FakeBinance.start({ series, now: T0 + 1000, updateOffsetsMs: [] });
    sim = new SimTime(join(mkdtempSync(join(tmpdir(), 'edgebot-clock-')), 'clock.json'), T0 + 1000, 150);
    sim.resume();
    pump = setInterval(() => fake.advanceTo(sim.now()), 5);
  });

  afterAll(async () => {
    clearInterval(pump);
    await bot?.kill();
    await fake?.close();
    if (disk) execFileSync('umount', ['-l', disk], { stdio: 'ignore' });
  });

  it.runIf(disk)('keeps running, alerts once, refuses entries while full, and recovers when space returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-full-'));
    const params: Record<string, unknown> = {};
    // Frequent cards, so some fire while the disk is full.
    for (const c of COINS) params[`${c}USDT`] = { zScoreThreshold: 0.3, movingAverages: 2, profitPercent: 1, stopLossPercent: 0.5, allocationPercent: 10 };
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      baseCoins: COINS, timeframes: ['5m'], chat: 'console', execution: { autoTrade: 'paper', cardExpiryBars: 50 },
      exchange: { restBaseUrl: fake.restBaseUrl },
      feed: { wsBaseUrl: fake.wsBaseUrl, baseTimeframe: '1m', closeGraceMs: 60_000, maxMissingBars: 3 },
      paths: { state: join(disk!, 'state.json'), liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
    }));
    bot = new BotProcess(['run', '--mode', 'paper', '--config', join(dir, 'config.json')], {}, sim.file);
    await bot.waitOut((o) => o.includes('edgebot started (paper)'), 'startup message');
    const filler = join(disk!, 'filler');
    const { bavail, bsize } = statfsSync(disk!);
    writeFileSync(filler, Buffer.alloc(Number(bavail) * Number(bsize)));
    await bot.waitOut((o) => o.includes('Cannot write the state file'), 'storage alert');
    const fullSince = sim.now();
    // While full: a reply still comes (from memory, marked unsaved), nothing crashes.
    bot.send('/status');
    await bot.waitOut((o) => o.includes('Not saved to disk yet'), 'unsaved /status reply');
    await bot.waitOut(() => sim.now() > fullSince + 40 * MINUTE, '40 simulated minutes');
    expect(bot.alive).toBe(true);
    rmSync(filler);
    await bot.waitOut((o) => o.includes('State file writable again'), 'recovery message');
    await bot.kill('SIGTERM');
    expect(bot.out.split('Cannot write the state file').length - 1).toBe(1);
    const state = JSON.parse(readFileSync(join(disk!, 'state.json'), 'utf8')) as State;
    const duringOutage = state.cards.filter((c) => c.createdAt > fullSince && c.blockedReason?.includes('state file cannot be written'));
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(duringOutage.every((c) => c.status === 'blocked')).toBe(true);
    expect(readdirSync(disk!)).toEqual(['state.json']);
  });
});
