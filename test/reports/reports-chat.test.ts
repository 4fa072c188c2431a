import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../../src/app/live.js';
import { standardJobs } from '../../src/app/jobs.js';
import { waitFor } from '../fakes/binance/harness.js';
import { OWNER, command, liveEnv, type LiveEnv } from '../live/harness.js';
import { closed } from './fixtures.js';

// The report commands through grammY and the fake Bot API, on the paper account's real trades
// list: /daily and /stats as messages, /export as a CSV document, the 00:00 push about yesterday.
describe('reports in the Telegram chat', () => {
  let env: LiveEnv;
  let bot: RunningBot;
  const DAY = 86_400_000;

  beforeAll(async () => {
    env = await liveEnv();
    bot = await startBot({
      mode: 'paper', config: env.configPath, input: null, output: new Writable({ write: (_c, _e, cb) => cb() }),
      chatPacingMs: 0, clock: env.fake.clock, rules: [env.rule], feed: { tickMs: 20, rateLimitMs: 1 },
    });
    await waitFor(() => bot.feed.health().connected, 'feed connected');
    // Two trades closed yesterday (UTC) and one today, on the paper account.
    const now = env.fake.clock.now();
    const today = Math.floor(now / DAY) * DAY;
    const y = today - DAY;
    const base = { rule: 'glicko_zscore', timeframe: '5m' as const, qty: 0.01, fee: 0.5, stop: 57_000 };
    bot.rt.broker.account.trades.push(
      closed({ ...base, id: 'T1', signalId: 'glicko_zscore:BTCUSDT', symbol: 'BTCUSDT', entryTime: y + 3_600_000, exitTime: y + 7_200_000, entryPrice: 58_000, exitPrice: 59_000, reason: 'target' }),
      closed({ ...base, id: 'T2', signalId: 'glicko_zscore:BTCUSDT', symbol: 'BTCUSDT', entryTime: y + 9_000_000, exitTime: y + 10_000_000, entryPrice: 58_000, exitPrice: 57_500, reason: 'stop' }),
      closed({ ...base, id: 'T3', signalId: 'glicko_zscore:BTCUSDT', symbol: 'BTCUSDT', entryTime: today, exitTime: Math.min(now, today + 60_000), entryPrice: 58_000, exitPrice: 58_100, reason: 'time' }),
    );
  });
  afterAll(async () => {
    await bot?.stop('test end');
    await env?.close();
  });

  it('/daily 2 lists yesterday and today with their trades and P&L; /stats counts exits by reason', async () => {
    const daily = await command(env, '/daily 2', /P&L per day|Daily/i);
    // Yesterday: +10 − 1 fee and −5 − 1 fee = +3.00; today +1 − 1 = 0.00.
    expect(daily.text).toMatch(/\+3\.00/);
    expect(daily.text).toMatch(/\b2\b/);
    const stats = await command(env, '/stats', /target/i);
    expect(stats.text).toMatch(/target/);
    expect(stats.text).toMatch(/stop/);
  });

  it('/export sends the closed trades as a CSV document that parses back to the same numbers', async () => {
    const before = env.api.messages(OWNER.id).length;
    env.api.sendText(OWNER, '/export');
    const doc = await env.api.waitFor(() => env.api.messages(OWNER.id).slice(before).find((m) => m.document));
    expect(doc.document!.file_name).toMatch(/^edgebot-trades-\d{4}-\d\d-\d\d\.csv$/);
    expect(doc.caption).toMatch(/3 closed trades/);
    const rows = parse(env.api.documentContent(doc.message_id)!, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.symbol, r.exitReason, Number(r.pnl)])).toEqual(bot.rt.broker.account.trades.map((t) => [t.symbol, t.reason, t.pnl]));
  });

  it('the 00:00 UTC push reports the day that just ended, not the new one', async () => {
    const job = standardJobs(bot.rt).find((j) => j.name === 'daily-summary')!;
    const before = env.api.messages(OWNER.id).length;
    await job.run(bot.rt.clock.now());
    const msg = await env.api.waitFor(() => env.api.messages(OWNER.id).slice(before).find((m) => /Daily summary/.test(m.text ?? '')));
    // Run "at midnight" means now is today 00:00+: the summary is about yesterday, +3.00 over 2 trades.
    expect(msg.text).toMatch(/P&L \+3\.00 USDT · 2 trades \(1 W \/ 1 L\)/);
  });
});
