import { liveText } from '../../src/notifier/render-live.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/app/live.js';
import type { TelegramChat } from '../../src/notifier/telegram/telegram-chat.js';
import { MINUTE, waitFor } from '../fakes/binance/harness.js';
import {
  API_KEY, API_SECRET, OWNER, buttons, command, fireCard, liveEnv, message, nextMessage, orderPosts, press, startLiveBot, type LiveEnv,
} from './harness.js';

// One bot, one fake exchange, one fake Telegram: the scenarios run in order and build on each
// other's state (positions opened here are reconciled after the restart at the end).
describe('live trading over ccxt ↔ fake Binance and grammY ↔ fake Bot API', () => {
  let env: LiveEnv;
  let bot: RunningBot;
  const live = () => bot.live!;
  const tradeOf = (cardId: string) => bot.rt.store.data.live.trades.find((t) => t.cardId === cardId);

  beforeAll(async () => {
    env = await liveEnv();
    bot = await startLiveBot(env);
  });
  afterAll(async () => {
    await bot?.stop('test end');
    await env?.close();
  });

  it('happy path: Live… shows a confirmation, Confirm places one market order and an OCO, the target fill is reconciled with P&L', async () => {
    const { card, msg } = await fireCard(env, bot, 'BTCUSDT');
    expect(buttons(msg).map(([t]) => t)).toEqual(['📝 Paper', '💰 Live…', '✖ Skip', '🔕 Mute 4h']);

    const toast = await press(env, msg, `v1:live:${card.id}`);
    expect(toast).toMatch(/^Buy [\d.]+ BTC ≈ [\d,.]+ USDT at [\d,.]+\? Confirm within 60 s\.$/);
    const conf = await env.api.waitFor(() => {
      const m = message(env, msg.message_id);
      return m && buttons(m).some(([t]) => t === '✅ Confirm') && m;
    });
    const c = card.confirmation!;
    expect(conf.text).toContain('Confirm live market BUY on binance');
    expect(conf.text).toMatch(/Quote: [\d,.]+ \(ask at \d\d:\d\d UTC\)/);
    expect(conf.text).toMatch(/Size: [\d.]+ BTC = [\d,.]+ USDT/);
    expect(conf.text).toMatch(/Risk: [\d,.]+ USDT \([\d.]+% of equity 10,000\.00\)/);
    expect(conf.text).toMatch(/Stop [\d,.]+ \(1\.\d\d%\) · Target [\d,.]+ \(2\.\d\d%\)/);
    expect(conf.text).toMatch(/⏳ Valid 60 s — until \d\d:\d\d:\d\d UTC/);
    expect(buttons(conf)).toEqual([['✅ Confirm', `v1:confirm:${card.id}`], ['Cancel', `v1:cancel:${card.id}`]]);
    // Risk-based size on the exchange equity, capped at 20 % of it, truncated to the 0.00001 BTC step.
    expect(c.notional).toBeLessThanOrEqual(2000);
    expect(c.notional).toBeGreaterThan(1900);
    expect(Math.abs(c.qty * 1e5 - Math.round(c.qty * 1e5))).toBeLessThan(1e-6);

    const done = await press(env, msg, `v1:confirm:${card.id}`);
    expect(done).toMatch(/^✅ Bought [\d.]+ BTC at [\d,.]+ \(fee [\d.]+ USDT\)\. 🛡 Protected on binance by an OCO/);
    const entries = env.trading.marketOrders('eb-');
    expect(entries.map((o) => o.clientOrderId)).toEqual([`eb-${card.id}-e`]);
    expect(entries[0].origQty).toBeCloseTo(c.qty, 10);
    const list = env.trading.lists.find((l) => l.listClientOrderId === `eb-${card.id}-o`)!;
    expect(list.status).toBe('EXECUTING');
    expect([list.above.clientOrderId, list.below.clientOrderId]).toEqual([`eb-${card.id}-t`, `eb-${card.id}-s`]);
    const t = tradeOf(card.id)!;
    // The 0.1 % fee was taken in BTC: the OCO sells what is held, to the step.
    expect(t.qty).toBeCloseTo(c.qty * 0.999, 8);
    expect(list.above.origQty).toBeLessThanOrEqual(t.qty);
    expect(list.above.price).toBeCloseTo(card.target, 1);
    expect(list.below.stopPrice).toBeCloseTo(card.stop, 1);
    expect(t.entry.status).toBe('filled');
    // Execution KPIs of this live fill: price vs the card's entry, and Confirm (order sent) → the exchange's fill time.
    const kpiFill = bot.rt.store.data.kpi!.fills.find((f) => f.cardId === card.id)!;
    expect(kpiFill).toMatchObject({ mode: 'live', symbol: 'BTCUSDT', quote: card.entry, price: t.entryPrice, fillMs: Math.max(0, t.entryTime - t.entry.sentAt) });
    expect(kpiFill.slippagePercent).toBeCloseTo((t.entryPrice / card.entry - 1) * 100, 10);
    await nextMessage(env, /Live buy filled.*BTCUSDT/s);
    const edited = message(env, msg.message_id)!;
    expect(edited.text).toMatch(/Traded live/);
    expect(buttons(edited)).toEqual([]);

    env.fake.advance(MINUTE);
    env.trading.fillOcoLeg(`eb-${card.id}-o`, 'target');
    const before = env.api.messages(OWNER.id).length;
    await live().reconcile();
    const closed = await nextMessage(env, /BTCUSDT closed — 🎯 target hit/, before);
    expect(tradeOf(card.id)!.phase).toBe('closed');
    const pnl = tradeOf(card.id)!.pnl!;
    const expected = list.above.origQty * list.above.price * 0.999 - c.qty * t.entryPrice;
    expect(pnl).toBeCloseTo(expected, 6);
    expect(pnl).toBeGreaterThan(0);
    expect(closed.text).toMatch(/P&L \+[\d.]+ USDT/);
    expect(orderPosts(env)).toBe(1);
    // The closed live trade is part of /trades and /pnl, next to the paper ones.
    const trades = await command(env, '/trades', /trades/);
    expect(trades.text).toMatch(/BTCUSDT .* \+[\d.]+ \(target\)/);
    const pnlMsg = await command(env, '/pnl', /P&L/);
    expect(pnlMsg.text).toMatch(new RegExp(`${card.signalId}: 1 trades, WR 100%`));
  });

  it('a double tap, two concurrent confirms and a re-delivered update place exactly one order', async () => {
    const { card, msg } = await fireCard(env, bot, 'ETHUSDT');
    await press(env, msg, `v1:live:${card.id}`);
    const posts = orderPosts(env);
    const [a, b] = await Promise.all([live().confirm(card.id), live().confirm(card.id)]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect([a, b].map((x) => liveText(x.outcome, 'USDT')).find((x) => !/^✅/.test(x))).toMatch(/Already traded live/);
    // The owner taps Confirm twice more on the (stale) message.
    const id1 = env.api.pressButton(OWNER, msg, `v1:confirm:${card.id}`);
    const id2 = env.api.pressButton(OWNER, msg, `v1:confirm:${card.id}`);
    const answers = await env.api.waitFor(() => {
      const all = env.api.answeredCallbacks().filter((x) => x.callback_query_id === id1 || x.callback_query_id === id2);
      return all.length === 2 && all;
    });
    expect(answers.map((x) => x.text)).toEqual(['Already traded live: the position is open.', 'Already traded live: the position is open.']);
    // Telegram re-delivers the last update after a lost offset: the ledger still says no.
    const chat = bot.chat as TelegramChat;
    const last = bot.rt.store.data.telegram.lastUpdateId;
    bot.rt.store.data.telegram.lastUpdateId = last - 1;
    await chat.bot.handleUpdate({
      update_id: last,
      callback_query: { id: 'redelivered', from: { ...OWNER, is_bot: false }, chat_instance: 'ci', data: `v1:confirm:${card.id}`, message: msg },
    } as unknown as Update).catch(() => undefined);
    expect(orderPosts(env)).toBe(posts + 1);
    expect(env.trading.marketOrders(`eb-${card.id}`)).toHaveLength(1);
    expect(tradeOf(card.id)!.phase).toBe('open');
    // The engine's risk gate sees the open live position: a paper tap on another ETH card is refused.
    expect(bot.rt.portfolio.openPositions().filter((p) => p.mode === 'live').map((p) => p.symbol)).toContain('ETHUSDT');
    const again = await fireCard(env, bot, 'ETHUSDT');
    expect(again.card.status).toBe('blocked');
    expect(again.card.blockedReason).toBe('a ETHUSDT position is already open');
  });

  it('a timeout during the order request: the order is found by client id at reconcile, never sent twice', async () => {
    const { card, msg } = await fireCard(env, bot, 'SOLUSDT');
    await press(env, msg, `v1:live:${card.id}`);
    const posts = orderPosts(env);
    const created = env.trading.created.orders;
    // The fake creates the order, then answers after the client (400 ms) has given up.
    env.trading.delayNext('/api/v3/order', 1200);
    const id = env.api.pressButton(OWNER, msg, `v1:confirm:${card.id}`);
    await waitFor(() => env.trading.created.orders === created + 1, 'order created on the fake');
    // ...and the immediate lookup fails too: the outcome stays unknown until reconcile.
    env.trading.failNext('/api/v3/order', -1001, 'Internal error; unable to process your request. Please try again.', 503);
    const answer = await env.api.waitFor(() => env.api.answeredCallbacks().find((x) => x.callback_query_id === id), 10_000);
    expect(answer.text).toBe(`⚠️ No answer from binance; checking order eb-${card.id}-e by its client id (never re-sent).`);
    await nextMessage(env, new RegExp(`SOLUSDT: No answer from the exchange .* client id eb-${card.id.replace(/[-]/g, '\\-')}-e every minute`));
    expect(tradeOf(card.id)!.entry.status).toBe('unknown');
    expect(tradeOf(card.id)!.phase).toBe('entering');

    await live().reconcile();
    const t = tradeOf(card.id)!;
    expect(t.phase).toBe('open');
    expect(t.entry.status).toBe('filled');
    expect(t.protection?.order?.status).toBe('open');
    expect(orderPosts(env)).toBe(posts + 1);
    expect(env.trading.marketOrders(`eb-${card.id}`)).toHaveLength(1);
    await nextMessage(env, /Live buy filled.*SOLUSDT/s);
  });

  it('an accepted but unfilled entry is cancelled by /stop at once, or by reconcile after orderTimeoutSeconds', async () => {
    const a = await fireCard(env, bot, 'BNBUSDT');
    await press(env, a.msg, `v1:live:${a.card.id}`);
    env.trading.restNext();
    expect(await press(env, a.msg, `v1:confirm:${a.card.id}`)).toBe('⏳ Order accepted; waiting for the fill (cancelled if unfilled after 5 s).');
    expect(tradeOf(a.card.id)!.entry.status).toBe('open');
    const stop = await command(env, '/stop', /Trading stopped/);
    expect(stop.text).toMatch(/Cancelled 1 unfilled live entry\./);
    expect(env.trading.marketOrders(`eb-${a.card.id}`)[0].status).toBe('CANCELED');
    expect(tradeOf(a.card.id)!.phase).toBe('cancelled');
    await command(env, '/resume', /Trading resumed/);

    const b = await fireCard(env, bot, 'BNBUSDT');
    await press(env, b.msg, `v1:live:${b.card.id}`);
    env.trading.restNext();
    await press(env, b.msg, `v1:confirm:${b.card.id}`);
    await live().reconcile();
    expect(tradeOf(b.card.id)!.phase).toBe('entering');
    env.fake.advance(6000);
    const before = env.api.messages(OWNER.id).length;
    await live().reconcile();
    expect(tradeOf(b.card.id)!.phase).toBe('cancelled');
    expect(env.trading.marketOrders(`eb-${b.card.id}`)[0].status).toBe('CANCELED');
    await nextMessage(env, /BNBUSDT: the live entry was not filled within 5 s and was cancelled\./, before);
  });

  it('refuses an expired confirmation, a price drift over tolerance and a kill switch hit during confirmation — no order', async () => {
    const posts = orderPosts(env);
    // Expired: 61 s pass on the exchange clock.
    const a = await fireCard(env, bot, 'BNBUSDT');
    await press(env, a.msg, `v1:live:${a.card.id}`);
    env.fake.advance(61_000);
    expect(await press(env, a.msg, `v1:confirm:${a.card.id}`)).toMatch(/^⌛ The confirmation expired at \d\d:\d\d:\d\d UTC\. Nothing was ordered/);
    expect(a.card.confirmation).toBeUndefined();

    // Drift: the price jumps 1 % between quote and confirm (tolerance 0.5 %).
    const b = await fireCard(env, bot, 'BNBUSDT');
    await press(env, b.msg, `v1:live:${b.card.id}`);
    env.trading.shiftPrice('BNBUSDT', 1.01);
    expect(await press(env, b.msg, `v1:confirm:${b.card.id}`)).toMatch(/^Price moved 1\.\d\d% since the quote .*tolerance 0\.50%\)\. Nothing was ordered/);
    env.trading.shiftPrice('BNBUSDT', 1);
    const back = await env.api.waitFor(() => {
      const m = message(env, b.msg.message_id);
      return m && buttons(m).some(([t]) => t === '💰 Live…') && m;
    });
    expect(back.text).not.toContain('Confirm live');

    // Kill switch while the confirmation is showing.
    const c = await fireCard(env, bot, 'BNBUSDT');
    await press(env, c.msg, `v1:live:${c.card.id}`);
    const stop = await command(env, '/stop', /Trading stopped/);
    expect(stop.text).toMatch(/Cancelled 1 pending live confirmation\./);
    expect(stop.text).toMatch(/2 live positions keep their protective orders\./);
    const follow = await nextMessage(env, /positions are open/);
    expect(buttons(follow)).toEqual([['Close all positions', 'v1:closeall:all'], ['Keep positions', 'v1:keepall:all']]);
    expect(await press(env, follow, 'v1:keepall:all')).toMatch(/Positions kept/);
    expect(await press(env, c.msg, `v1:confirm:${c.card.id}`)).toMatch(/^Not tradable: trading stopped\. Nothing was ordered\./);
    await command(env, '/resume', /Trading resumed/);

    expect(orderPosts(env)).toBe(posts);
    expect(env.trading.lists.filter((l) => l.status === 'EXECUTING')).toHaveLength(2);
  });

  it('/positions lists live and paper positions with Close buttons; /balance shows the exchange', async () => {
    const { card, msg } = await fireCard(env, bot, 'DOGEUSDT');
    expect(await press(env, msg, `v1:paper:${card.id}`)).toMatch(/Paper buy/);
    env.fake.advance(MINUTE);
    await waitFor(() => bot.rt.broker.account.positions.length === 1, 'paper fill');
    const pos = await command(env, '/positions', /Open positions/);
    const eth = bot.rt.store.data.live.trades.find((t) => t.symbol === 'ETHUSDT')!;
    const sol = bot.rt.store.data.live.trades.find((t) => t.symbol === 'SOLUSDT')!;
    expect(pos.text).toMatch(/💰 ETHUSDT .*\n.*💰 SOLUSDT .*\n.*📝 DOGEUSDT/s);
    expect(buttons(pos)).toEqual([
      [`Close ETHUSDT (${eth.id})`, `v1:close:${eth.id}`], ['📈 Chart', `v1:chart:${eth.id}`],
      [`Close SOLUSDT (${sol.id})`, `v1:close:${sol.id}`], ['📈 Chart', `v1:chart:${sol.id}`],
      ['Close DOGEUSDT (P1)', 'v1:close:P1'], ['📈 Chart', 'v1:chart:P1'],
      ['🔄 Refresh', 'v1:refresh:positions'],
    ]);
    const bal = await command(env, '/balance', /Balance \(exchange\)/);
    expect(bal.text).toMatch(/USDT: [\d,.]+\nBTC: .*\nETH: .*\nSOL: /);
    expect(bal.text).toMatch(/Equity: [\d,.]+ USDT/);
  });

  it('insufficient funds and a refused API key: clear messages, cooldown, circuit breaker alerts the owner', async () => {
    const posts = orderPosts(env);
    const a = await fireCard(env, bot, 'BNBUSDT');
    await press(env, a.msg, `v1:live:${a.card.id}`);
    env.trading.setBalance('USDT', 5);
    const funds = await press(env, a.msg, `v1:confirm:${a.card.id}`);
    expect(funds).toMatch(/^❌ No order: Not enough balance on the exchange \(Account has insufficient balance for requested action\.\)\. Top up USDT or lower risk\. BNBUSDT cools down until \d\d:\d\d UTC\.$/);
    expect(bot.rt.risk.state.cooldowns.BNBUSDT).toBeGreaterThan(env.fake.now() + 59 * MINUTE);
    expect(bot.rt.risk.state.exchangeErrors).toBe(1);
    const blocked = await env.api.waitFor(() => {
      const m = message(env, a.msg.message_id);
      return m && /Not tradable: live order refused \(not enough balance\)/.test(m.text ?? '') && m;
    });
    expect(buttons(blocked)).toEqual([]);
    env.trading.setBalance('USDT', 10_000);

    const b = await fireCard(env, bot, 'BTCUSDT');
    await press(env, b.msg, `v1:live:${b.card.id}`);
    env.trading.apiKey = 'ROTATED-KEY';
    const before = env.api.messages(OWNER.id).length;
    const auth = await press(env, b.msg, `v1:confirm:${b.card.id}`);
    env.trading.apiKey = API_KEY;
    expect(auth).toMatch(/^❌ No order: The exchange refused the API key: check EXCHANGE_API_KEY\/SECRET, its spot-trading permission and IP allow-list\. BTCUSDT cools down/);
    expect(bot.rt.risk.state.circuitOpen).toBe(true);
    const alert = await nextMessage(env, /Circuit breaker open: 2 exchange errors in a row/, before);
    expect(alert.text).toMatch(/Live trading is paused.*\/resume/);
    expect(orderPosts(env)).toBe(posts + 2);
    expect(env.trading.created.orders).toBe(5);

    const c = await fireCard(env, bot, 'BTCUSDT');
    expect(c.card.status).toBe('blocked');
    expect(c.msg.text).toMatch(/Not tradable: circuit breaker open/);
  });

  it('restart with open live positions: reconciled, protective orders intact, /positions correct, a live close sells at market', async () => {
    await bot.stop('restart');
    const lists = env.trading.lists.filter((l) => l.status === 'EXECUTING').map((l) => l.listClientOrderId);
    const posts = orderPosts(env);
    const before = env.api.messages(OWNER.id).length;
    bot = await startLiveBot(env);
    const rec = await nextMessage(env, /♻️ Live: reconciled 2 records with binance; 2 open positions, protective orders checked\./, before);
    expect(rec).toBeTruthy();
    expect(env.trading.lists.filter((l) => l.status === 'EXECUTING').map((l) => l.listClientOrderId)).toEqual(lists);
    expect(orderPosts(env)).toBe(posts);
    expect(env.fake.router.requests.get('POST /api/v3/orderList/oco')).toBe(3);

    const pos = await command(env, '/positions', /Open positions/);
    const eth = bot.rt.store.data.live.trades.find((t) => t.symbol === 'ETHUSDT' && t.phase === 'open')!;
    expect(pos.text).toContain(`💰 ETHUSDT`);
    expect(pos.text).toContain(`💰 SOLUSDT`);
    expect(pos.text).toContain('📝 DOGEUSDT');

    expect(await press(env, pos, `v1:close:${eth.id}`)).toBe('Confirm the close.');
    const ask = await nextMessage(env, /Close ETHUSDT .* \(live\) at market\?/);
    const closed = await press(env, ask, `v1:closeyes:${eth.id}`);
    expect(closed).toMatch(/^✋ Closed ETHUSDT: sold [\d.]+ at [\d,.]+, P&L [+−][\d.]+ USDT\.$/);
    const list = env.trading.lists.find((l) => l.listClientOrderId === `eb-${eth.cardId}-o`)!;
    expect([list.above.status, list.below.status]).toEqual(['CANCELED', 'CANCELED']);
    expect(env.trading.marketOrders(`eb-${eth.cardId}-x`)).toHaveLength(1);
    expect(env.trading.marketOrders(`eb-${eth.cardId}-x`)[0].side).toBe('SELL');
    await nextMessage(env, /ETHUSDT closed — ✋ closed by you/);
    expect(env.trading.lists.filter((l) => l.status === 'EXECUTING')).toHaveLength(1);
  });

  it('writes neither the exchange keys nor the bot token to the logs', async () => {
    await bot.rt.store.flush();
    const dir = join(env.dir, 'logs');
    const logs = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    expect(logs).toMatch(/live order failed/);
    expect(logs).toMatch(/entry outcome unknown; looking it up by client id/);
    for (const secret of [API_KEY, API_SECRET, env.api.token]) expect(logs).not.toContain(secret);
  });
});
