import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../../src/app/live.js';
import type { Card } from '../../src/kernel/card.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import type { Trade } from '../../src/portfolio/types.js';
import { waitFor } from '../fakes/binance/harness.js';
import { FakeKrakenFutures } from '../fakes/kraken-futures.js';

// `edgebot run --mode paper` on Kraken Futures perpetuals (the fake, driven by ccxt's real
// `krakenfutures` class): instruments from the venue's markets, warm-up and live closes over
// REST polling, a bearish z-score card that is a tradable SHORT, tapped in the console chat,
// filled by the simulated broker with its stop above and target below, shown by /positions.
const DATA_2025_5M = fileURLToPath(new URL('../../data/binance-2025-5m', import.meta.url));
const M5 = 300_000;
const T0 = Date.UTC(2025, 1, 1, 0, 0);
const WARMUP = 300;
const COINS = ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE'];
const SYMBOLS = COINS.map((c) => `${c}USD.P`);

describe('run --mode paper on a fake Kraken Futures (perpetuals, long and short)', () => {
  let series: CandleSeries[];
  let fake: FakeKrakenFutures;
  let bot: RunningBot;
  let dir: string;
  let out = '';
  let next = T0; // open time of the next live candle to close
  const input = new PassThrough();

  /** Closes the candle opening at `next`: the clock passes its close + the poll grace, and every symbol gets it over REST. */
  async function step(): Promise<void> {
    const open = next;
    next += M5;
    fake.advanceTo(open + M5 + 1500);
    await waitFor(() => SYMBOLS.every((s) => bot.feed.lastOpenTime(s) >= open), () => `REST poll of ${new Date(open).toISOString()}`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-kraken-'));
    const params: Record<string, unknown> = {};
    for (const s of SYMBOLS) params[s] = { zScoreThreshold: 0.8, movingAverages: 3, profitPercent: 0.6, stopLossPercent: 0.4, allocationPercent: 10 };
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    series = loadCandleDir(DATA_2025_5M, { from: T0 - (WARMUP + 20) * M5, to: T0 + 400 * M5 }).filter((s) => COINS.some((c) => s.symbol === `${c}USDT`));
    fake = await FakeKrakenFutures.start({ series, now: T0 + 1000 });
    const output = new PassThrough();
    output.on('data', (d: Buffer) => (out += d.toString()));
    bot = await startBot({
      mode: 'paper',
      overrides: {
        baseCoins: COINS,
        quote: 'USD',
        timeframes: ['5m', '15m'],
        chat: 'console',
        exchange: { id: 'krakenfutures', restBaseUrl: fake.restBaseUrl, marketType: 'swap' },
        feed: { type: 'rest', baseTimeframe: '5m', closeGraceMs: 1000, warmupBars: WARMUP, maxMissingBars: 3 },
        risk: { cooldownMinutes: 0 },
        paths: { state: join(dir, 'state.json'), liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
      },
      input,
      output,
      clock: fake.clock,
      feed: { tickMs: 5, rateLimitMs: 1, restRetry: { baseMs: 5, maxMs: 50 } },
    });
  });

  afterAll(async () => {
    await bot?.stop('test over');
    await fake?.close();
  });

  it('resolves the perpetuals from the venue and warms up over its charts endpoint without posting history', async () => {
    expect(bot.rt.coinSymbols).toEqual(SYMBOLS);
    expect(bot.rt.engine.stats.candles).toBe(WARMUP * COINS.length);
    expect(bot.rt.engine.stats.cards).toBe(0);
    // ccxt asked for Kraken's own ids: bitcoin is XBT there.
    expect(fake.chartRequests('PF_XBTUSD')).toBeGreaterThan(0);
    expect(fake.restCount('/derivatives/api/v3/instruments')).toBe(1);
    await waitFor(() => out.includes('edgebot started (paper): 5 coins on krakenfutures swap'), 'startup message');
  });

  let card: Card;
  it('live closes make a bearish z-score card a tradable SHORT (funding said to be ignored)', async () => {
    for (let k = 0; k < 200; k++) {
      await step();
      const found = [...bot.rt.engine.cards.values()].find((c) => c.direction === 'short' && c.status === 'open');
      if (found) {
        card = found;
        break;
      }
    }
    expect(card, 'a short card within 200 live closes').toBeDefined();
    expect(card.marketType).toBe('swap');
    expect(card.stop).toBeGreaterThan(card.entry);
    expect(card.target).toBeLessThan(card.entry);
    expect(card.stopPercent).toBeCloseTo(0.4, 10);
    expect(card.targetPercent).toBeCloseTo(0.6, 10);
    expect(card.qty).toBeGreaterThan(0);
    await waitFor(() => out.includes(`🔴 SHORT ${card.symbol} · 5m · Glicko-2 z-score`), 'the short card in the console');
    expect(out).toContain('Perpetual swap: paper fills ignore funding payments');
  });

  it('tapping Paper opens a short at the next open: sold lower by the slippage, the venue taker fee, /positions shows SHORT', async () => {
    input.write(`paper ${card.id}\n`);
    await waitFor(() => out.includes(`Paper short sale of`), 'the tap answer');
    await waitFor(() => bot.rt.broker.account.pending.length === 1, 'the queued entry');
    await step();
    const p = bot.rt.broker.account.positions.find((x) => x.cardId === card.id);
    expect(p).toBeDefined();
    expect(p!.side).toBe('short');
    const s = series.find((x) => `${x.symbol.replace(/USDT$/, '')}USD.P` === card.symbol)!;
    const i = s.openTime.indexOf(next - M5);
    expect(p!.entryTime).toBe(next - M5);
    expect(p!.entryPrice).toBeCloseTo(s.open[i] * (1 - 5 / 1e4), 8); // default slippage 5 bps, against a seller
    // The fee is Kraken's taker fee from the market info (0.05 %), not broker.feeBps (0.10 %).
    expect(p!.entryFee).toBeCloseTo(p!.qty * p!.entryPrice * 0.0005, 8);
    expect(p!.stop).toBe(card.stop);
    expect(p!.target).toBe(card.target);
    await waitFor(() => out.includes(`Paper short filled`), 'the fill message');
    input.write('/positions\n');
    await waitFor(() => new RegExp(`📝 ${card.symbol.replace('.', '\\.')} SHORT `).test(out), '/positions with the side');
  });

  it('the short closes at its target below the entry, on the first candle whose low reaches it', async () => {
    let trade: Trade | undefined;
    for (let k = 0; k < 150 && !trade; k++) {
      await step();
      trade = bot.rt.broker.account.trades.find((t) => t.cardId === card.id);
    }
    expect(trade, 'the short closed within 150 closes').toBeDefined();
    const t = trade!;
    expect(t.side).toBe('short');
    const s = series.find((x) => `${x.symbol.replace(/USDT$/, '')}USD.P` === card.symbol)!;
    const held = [];
    for (let i = 0; i < s.length; i++) if (s.openTime[i] >= t.entryTime && s.openTime[i] + M5 <= t.exitTime) held.push(i);
    const last = held[held.length - 1];
    // No candle before the exit one touched either level.
    for (const i of held.slice(0, -1)) {
      expect(s.high[i]).toBeLessThan(t.stop);
      expect(s.low[i]).toBeGreaterThan(t.target);
    }
    // On these candles (ETH, 2025-02-01) the short reaches its target; the stop side is covered with real candles in test/kraken/short-broker.test.ts.
    expect(t.reason).toBe('target');
    expect(s.low[last]).toBeLessThanOrEqual(t.target);
    expect(s.high[last]).toBeLessThan(t.stop);
    expect(t.exitPrice).toBe(Math.min(s.open[last], t.target)); // a resting buy limit: no slippage
    expect(t.pnl).toBeGreaterThan(0);
    // P&L of a short: (entry − exit) × qty less both fees at Kraken's rate.
    const fees = t.qty * (t.entryPrice + t.exitPrice) * 0.0005;
    expect(t.pnl).toBeCloseTo((t.entryPrice - t.exitPrice) * t.qty - fees, 6);
    expect(t.r).toBeCloseTo(t.pnl / ((t.stop - t.entryPrice) * t.qty), 8);
    await waitFor(() => out.includes(`${card.symbol} short closed`), 'the exit message');
  });

  it('/status shows Kraken Futures REST polling', async () => {
    input.write('/status\n');
    await waitFor(() => out.includes('krakenfutures REST polling'), '/status reply');
  });
});
