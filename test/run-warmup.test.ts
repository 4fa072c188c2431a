import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../src/app/live.js';
import { parseConfig } from '../src/config/load.js';
import { loadCandleDir, type CandleSeries } from '../src/feed/csv.js';
import { IndicatorBank } from '../src/indicator/bank.js';
import type { Atr } from '../src/indicator/atr.js';
import type { Ema } from '../src/indicator/ema.js';
import { warmupPlan } from '../src/signal/lookback.js';
import { EmaTrendPullback, type EmaTrendPullbackParams } from '../src/signal/rules/ema-trend-pullback.js';
import { FakeBinance } from './fakes/binance.js';
import { HOUR, MINUTE, StepDriver, waitFor } from './fakes/binance/harness.js';
import { runRules } from './signal/harness.js';

// `run --mode paper` derives its warm-up from the longest lookback: a 1h rule with EMA(100) (and
// its 4h card context) on a 5m base is as warm at the first live close as a replay of months.
const DATA_2025_5M = fileURLToPath(new URL('../data/binance-2025-5m', import.meta.url));
const DATA_FROM = Date.UTC(2025, 0, 1);
const T0 = Date.UTC(2025, 4, 1); // 2,880 h of history before the bot starts
const P: EmaTrendPullbackParams = { fastEma: 20, slowEma: 100, atrPeriod: 14, atrStopMult: 1, minStopPercent: 0, rewardR: 2, maxHoldBars: 0 };
const rule = (bank: IndicatorBank) => new EmaTrendPullback(P, { signalId: 'warm:BTCUSDT', symbol: 'BTCUSDT', timeframe: '1h', bank });
const indicators = (bank: IndicatorBank) => {
  const get = <T>(key: string) => bank.get<T>(key, () => { throw new Error(`no ${key} in the bank`); });
  return { ema100: get<Ema>('ema:100').value, ema20: get<Ema>('ema:20').value, atr14: get<Atr>('atr:14').value };
};

describe('run --mode paper: the warm-up is derived from every lookback', () => {
  let series: CandleSeries[];
  let fake: FakeBinance;
  let bot: RunningBot;
  let dir: string;
  const bank = new IndicatorBank();
  const overrides = () => ({
    baseCoins: ['BTC', 'ETH'],
    timeframes: ['1h'],
    chat: 'console',
    exchange: { restBaseUrl: fake.restBaseUrl },
    feed: { wsBaseUrl: fake.wsBaseUrl, baseTimeframe: '5m', closeGraceMs: 1000, warmupBars: 0 },
    paths: { state: join(dir, 'state.json'), liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgebot-warm-'));
    writeFileSync(join(dir, 'params.json'), '{}');
    series = loadCandleDir(DATA_2025_5M, { from: DATA_FROM, to: T0 + 2 * HOUR }).filter((s) => s.symbol === 'BTCUSDT' || s.symbol === 'ETHUSDT');
    fake = await FakeBinance.start({ series, now: T0 + 1000 });
    bot = await startBot({
      mode: 'paper', overrides: overrides(), input: new PassThrough(), output: new PassThrough(), clock: fake.clock,
      rules: [rule(bank)], feed: { tickMs: 5, reconnect: { baseMs: 2, maxMs: 20 }, rateLimitMs: 1 },
    });
  });

  afterAll(async () => {
    await bot?.stop('test over');
    await fake?.close();
  });

  it('fetches the derived number of bars: the 1h rule\'s 4h EMA(50) context, 2,080 1h bars, plus one hour', () => {
    const config = parseConfig(overrides());
    const plan = warmupPlan({ baseTimeframe: '5m', rules: [rule(new IndicatorBank())], rating: config.rating, liveParams: {}, floorBars: 0 });
    expect(plan.bars).toBe(2080 * 12 + 12);
    expect(plan.longest).toEqual({ timeframe: '1h', bars: 2080, source: 'warm:BTCUSDT' });
    // Over REST in 1,000-bar windows; every bar of it reached the engine.
    expect(bot.rt.engine.stats.candles).toBe(plan.bars * series.length);
    expect(fake.router.requests.get('GET /api/v3/klines')).toBe(series.length * Math.ceil(plan.bars / 1000));
  });

  it('EMA(100), EMA(20) and ATR(14) at the first live 1h close equal a replay from January to 1e-9', async () => {
    await waitFor(() => bot.feed.health().connected, 'ws connected');
    const driver = new StepDriver(fake, bot.feed, series, 1500);
    for (let t = T0; t < T0 + HOUR; t += 5 * MINUTE) await driver.step(t);
    const live = indicators(bank);

    // The same rule over every 5m candle since 2025-01-01 (2,881 h before that close).
    const btc = series.find((s) => s.symbol === 'BTCUSDT')!;
    const upTo = (from: number): CandleSeries => {
      const i = btc.openTime.indexOf(from);
      const j = btc.openTime.indexOf(T0 + HOUR);
      const sub = (x: Float64Array) => x.subarray(i, j);
      return { ...btc, length: j - i, openTime: sub(btc.openTime), open: sub(btc.open), high: sub(btc.high), low: sub(btc.low), close: sub(btc.close), volume: sub(btc.volume) };
    };
    const full = new IndicatorBank();
    await runRules([rule(full)], upTo(DATA_FROM), ['5m', '1h']);
    const replay = indicators(full);
    expect(Math.abs(live.ema100 / replay.ema100 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(live.ema20 / replay.ema20 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(live.atr14 / replay.atr14 - 1)).toBeLessThan(1e-9);

    // What the old fixed warm-up (1,500 base bars = 125 h) would have shown: visibly off.
    const short = new IndicatorBank();
    await runRules([rule(short)], upTo(T0 - 1500 * 5 * MINUTE), ['5m', '1h']);
    expect(Math.abs(indicators(short).ema100 / replay.ema100 - 1)).toBeGreaterThan(1e-5);
  });
});
