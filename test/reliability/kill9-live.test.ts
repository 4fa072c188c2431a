import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/store/schema.js';
import { MINUTE } from '../fakes/binance/harness.js';
import { API_KEY, API_SECRET, OWNER, fireCard, liveEnv, message, press, startLiveBot, type LiveEnv } from '../live/harness.js';
import { BotProcess } from './bot-process.js';
import { SimTime } from './sim-time.js';

// Issue #8, seen live: a bought position, SIGKILL, restart → the bot cancelled the OCO and sold
// at market because of a bearish MA-z crossing in its warm-up history. Here a live position with
// its OCO resting on the (fake) exchange belongs to the z-score rule, whose parameters make
// reversal conditions frequent; the bot is restarted as a real process, SIGKILLed, and restarted
// again: no order is placed and nothing is cancelled.
describe('live restarts never act on history (real process, SIGKILL)', () => {
  let env: LiveEnv;
  let sim: SimTime;
  let pump: NodeJS.Timeout | undefined;
  const procs: BotProcess[] = [];

  beforeAll(async () => {
    env = await liveEnv();
  });
  afterAll(async () => {
    clearInterval(pump);
    for (const p of procs) await p.kill();
    await env?.close();
  });

  it('an open live position survives two restarts (one after SIGKILL) with no order and no cancel', async () => {
    // A live position, bought and protected by an OCO, through the normal confirm flow.
    const bot = await startLiveBot(env);
    const { card, msg } = await fireCard(env, bot, 'BTCUSDT');
    await press(env, msg, `v1:live:${card.id}`);
    await env.api.waitFor(() => message(env, msg.message_id)?.text?.includes('Confirm live market BUY'));
    expect(await press(env, msg, `v1:confirm:${card.id}`)).toMatch(/^✅ Bought/);
    await bot.stop('handover');
    // As if it came from a z-score card: the rule whose reversal exit sold it in the report.
    const statePath = join(env.dir, 'state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as State;
    const trade = state.live.trades.find((t) => t.cardId === card.id)!;
    Object.assign(trade, { signalId: 'glicko_zscore:BTCUSDT', rule: 'glicko_zscore' });
    writeFileSync(statePath, JSON.stringify(state));
    const params: Record<string, unknown> = {};
    for (const s of env.series) params[s.symbol] = { zScoreThreshold: 0.2, movingAverages: 2, profitPercent: 2, stopLossPercent: 1, allocationPercent: 10 };
    writeFileSync(join(env.dir, 'params.json'), JSON.stringify(params));

    // Restart 12 minutes later (two rating steps after the entry lie in the warm-up), mid-bucket,
    // on a clock at real speed: no new 5m close happens while the test watches.
    const restartAt = Math.floor(env.fake.now() / (5 * MINUTE)) * 5 * MINUTE + 12 * MINUTE + 30_000;
    env.fake.advanceTo(restartAt);
    sim = new SimTime(join(env.dir, 'clock.json'), restartAt, MINUTE);
    sim.resume();
    pump = setInterval(() => env.fake.advanceTo(sim.now()), 5);
    const posts = () => env.fake.router.requests.get('POST /api/v3/order') ?? 0;
    const cancels = () => (env.fake.router.requests.get('DELETE /api/v3/orderList') ?? 0) + (env.fake.router.requests.get('DELETE /api/v3/order') ?? 0);
    const before = { posts: posts(), cancels: cancels() };
    const executing = env.trading.lists.filter((l) => l.status === 'EXECUTING').map((l) => l.listClientOrderId);
    expect(executing).toEqual([`eb-${card.id}-o`]);

    const keys = { EXCHANGE_API_KEY: API_KEY, EXCHANGE_API_SECRET: API_SECRET };
    for (const how of ['SIGKILL', 'SIGTERM'] as const) {
      const n = env.api.messages(OWNER.id).length;
      const p = new BotProcess(['run', '--mode', 'live', '--config', env.configPath], keys, sim.file);
      procs.push(p);
      await p.waitOut(() => env.api.messages(OWNER.id).slice(n).some((m) => /♻️ Live: reconciled/.test(m.text ?? '')), 'reconcile message');
      await p.waitOut(() => env.api.messages(OWNER.id).slice(n).some((m) => /edgebot started \(live\)/.test(m.text ?? '')), 'startup message');
      await p.kill(how);
    }
    expect({ posts: posts(), cancels: cancels() }).toEqual(before);
    expect(env.trading.lists.filter((l) => l.status === 'EXECUTING').map((l) => l.listClientOrderId)).toEqual(executing);
    const after = JSON.parse(readFileSync(statePath, 'utf8')) as State;
    expect(after.live.trades.find((t) => t.cardId === card.id)!.phase).toBe('open');
  }, 120_000);
});
