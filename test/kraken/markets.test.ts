import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../../src/app/live.js';
import { preflight } from '../../src/app/preflight.js';
import { assertLiveVenue, marketDataRestBase } from '../../src/config/venue.js';
import { ConfigError, ExchangeError } from '../../src/core/errors.js';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import { LiveFeed } from '../../src/feed/live/live-feed.js';
import { resolveInstruments } from '../../src/feed/markets.js';
import { createExchange, fetchHistory } from '../../src/feed/rest.js';
import { FakeBinance } from '../fakes/binance.js';
import { recordingPipeline } from '../fakes/binance/harness.js';
import { FakeKrakenFutures } from '../fakes/kraken-futures.js';

// Instruments come from the venue's markets (ccxt loadMarkets on the fakes); a symbol the venue
// does not have is a named configuration error with close matches — once, never a retry loop.
const DATA = fileURLToPath(new URL('../../data/binance-2025-5m', import.meta.url));
const T0 = Date.UTC(2025, 1, 1);
const M5 = 300_000;
const INSTRUMENTS = '/derivatives/api/v3/instruments';

let series: CandleSeries[];
let kraken: FakeKrakenFutures;
let binance: FakeBinance;
let kx: Exchange;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgebot-markets-'));
  writeFileSync(join(dir, 'params.json'), '{}');
  series = loadCandleDir(DATA, { from: T0 - 50 * M5, to: T0 + 10 * M5 }).filter((s) => ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'].includes(s.symbol));
  kraken = await FakeKrakenFutures.start({ series, now: T0 + 1000 });
  binance = await FakeBinance.start({ series, now: T0 + 1000 });
  kx = await createExchange({ id: 'krakenfutures', restBaseUrl: kraken.restBaseUrl, rateLimitMs: 1 });
});
afterAll(async () => {
  await kraken?.close();
  await binance?.close();
});

describe('instruments from the venue', () => {
  it('Kraken Futures: the linear perpetuals, not the inverse one or the dated future; XBT is BTC; fee from the market info', async () => {
    const got = await resolveInstruments(kx, { baseCoins: ['BTC', 'ETH', 'SOL'], quote: 'USD', marketType: 'swap' });
    expect(got).toEqual([
      { symbol: 'BTCUSD.P', market: 'BTC/USD:USD', venueId: 'PF_XBTUSD', base: 'BTC', quote: 'USD', type: 'swap', takerFeeBps: 5 },
      { symbol: 'ETHUSD.P', market: 'ETH/USD:USD', venueId: 'PF_ETHUSD', base: 'ETH', quote: 'USD', type: 'swap', takerFeeBps: 5 },
      { symbol: 'SOLUSD.P', market: 'SOL/USD:USD', venueId: 'PF_SOLUSD', base: 'SOL', quote: 'USD', type: 'swap', takerFeeBps: 5 },
    ]);
  });

  it('Binance spot: BTC → BTCUSDT = BTC/USDT', async () => {
    const bx = await createExchange({ id: 'binance', restBaseUrl: binance.restBaseUrl, rateLimitMs: 1 });
    const got = await resolveInstruments(bx, { baseCoins: ['BTC', 'ETH'], quote: 'USDT', marketType: 'spot' });
    expect(got.map((i) => [i.symbol, i.market, i.venueId, i.type])).toEqual([['BTCUSDT', 'BTC/USDT', 'BTCUSDT', 'spot'], ['ETHUSDT', 'ETH/USDT', 'ETHUSDT', 'spot']]);
  });

  it('an unknown coin is a ConfigError naming the market it looked for and the close matches', async () => {
    const err = await resolveInstruments(kx, { baseCoins: ['BTC', 'ETHX'], quote: 'USD', marketType: 'swap' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('baseCoins');
    expect((err as Error).message).toMatch(/^krakenfutures has no swap market for ETHX\/USD:USD \(coin ETHX\): no such market; close matches: ETH\/USD:USD, /);
  });

  it('the wrong quote (Kraken perpetuals are USD) and the wrong market type say so', async () => {
    const usdt = await resolveInstruments(kx, { baseCoins: ['BTC'], quote: 'USDT', marketType: 'swap' }).catch((e: Error) => e.message);
    expect(usdt).toMatch(/BTC\/USDT:USDT \(coin BTC\): no such market; close matches: BTC\/USD:USD/);
    expect(usdt).toMatch(/quote \("USDT"\)/);
    const spot = await resolveInstruments(kx, { baseCoins: ['BTC'], quote: 'USD', marketType: 'spot' }).catch((e: Error) => e.message);
    expect(spot).toMatch(/krakenfutures has no spot market for BTC\/USD \(coin BTC\)/);
  });

  it('explicit markets: an existing one is used, a missing one names exchange.markets.<coin>', async () => {
    const got = await resolveInstruments(kx, { baseCoins: ['BTC', 'ETH'], quote: 'USD', marketType: 'swap', explicit: { ETH: 'ETH/USD:USD' } });
    expect(got[1].venueId).toBe('PF_ETHUSD');
    const err = await resolveInstruments(kx, { baseCoins: ['BTC'], quote: 'USD', marketType: 'swap', explicit: { BTC: 'BTC/EUR:EUR' } }).catch((e: unknown) => e);
    expect((err as ConfigError).field).toBe('exchange.markets.BTC');
    expect((err as Error).message).toMatch(/BTC\/EUR:EUR \(exchange.markets.BTC\): no such market; close matches: .*BTC\/USD:USD/);
    await expect(resolveInstruments(kx, { baseCoins: ['BTC'], quote: 'USD', marketType: 'swap', explicit: { ETH: 'ETH/USD:USD' } })).rejects.toThrow(/ETH is not in baseCoins/);
  });

  it('a symbol ccxt cannot place fails at once as a permanent error (it used to retry for ever)', async () => {
    const before = kraken.restCount(INSTRUMENTS);
    const err = await fetchHistory(kx, { symbol: 'BTCUSD', timeframe: '5m', since: T0 - 5 * M5, now: T0 + 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExchangeError);
    expect((err as ExchangeError).temporary).toBe(false);
    expect((err as Error).message).toMatch(/krakenfutures has no market BTCUSD; close matches: .*BTC\/USD:USD/);
    const { pipeline } = recordingPipeline('5m', ['5m']);
    const feed = new LiveFeed({
      symbols: ['BTCUSDT'], timeframes: ['5m'], pipeline, clock: kraken.clock, exchange: { id: 'krakenfutures' }, exchangeInstance: kx, type: 'rest',
      warmupBars: 10, warmupAttempts: 5, restRetry: { baseMs: 1, maxMs: 2 },
    });
    await expect(feed.start()).rejects.toThrow(/no market BTCUSDT/);
    expect(feed.health().restErrors, 'no warm-up retry').toBe(0);
    await feed.stop();
    // Markets are loaded once per exchange instance: no request per retry.
    expect(kraken.restCount(INSTRUMENTS)).toBe(before);
  });
});

describe('edgebot run on krakenfutures: refusals at start', () => {
  let k = 0;
  const overrides = (baseCoins: string[]) => ({
    baseCoins, quote: 'USD', chat: 'console',
    exchange: { id: 'krakenfutures', restBaseUrl: kraken.restBaseUrl, marketType: 'swap' },
    feed: { type: 'rest', baseTimeframe: '5m', warmupBars: 20 },
    paths: { state: join(dir, `state-${++k}.json`), liveParams: join(dir, 'params.json'), validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs') },
  });

  it('paper: an unknown coin stops the start with the config error, after one instruments request and no candle request', async () => {
    const before = kraken.restCount(INSTRUMENTS);
    const charts = kraken.chartRequests('PF_XBTUSD');
    const run = () => startBot({ mode: 'paper', overrides: overrides(['BTC', 'ETHX']), input: null, output: new PassThrough(), clock: kraken.clock, feed: { tickMs: 5, rateLimitMs: 1 } });
    await expect(run()).rejects.toThrow(/krakenfutures has no swap market for ETHX\/USD:USD \(coin ETHX\): no such market; close matches: ETH\/USD:USD/);
    expect(kraken.restCount(INSTRUMENTS)).toBe(before + 1);
    expect(kraken.chartRequests('PF_XBTUSD')).toBe(charts);
    // The failed start left no lock behind: the same state file fails the same way, not as "already running".
    await expect(run()).rejects.toBeInstanceOf(ConfigError);
  });

  it('a base timeframe the venue has no candles for is refused; 2m is scanned by aggregating 1m', async () => {
    const err = await startBot({ mode: 'paper', overrides: { ...overrides(['BTC', 'ETH']), timeframes: ['2m', '5m'], feed: { type: 'rest', baseTimeframe: '2m' } }, input: null, output: new PassThrough(), clock: kraken.clock })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^krakenfutures has no 2m candles \(it has 1m, 5m, 15m, 30m, 1h, 4h, 12h, 1d, 1w\); set feed.baseTimeframe/);
  });

  it('live: refused before keys or network, naming the venues the live flow is tested on', async () => {
    const before = kraken.restCount(INSTRUMENTS);
    const err = await startBot({ mode: 'live', overrides: overrides(['BTC', 'ETH']), input: null, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'live mode on krakenfutures (swap) is refused: live futures orders (leverage, margin, reduce-only protection) are not supported yet. ' +
        'Live trading has been tested against: binance spot (and its testnet). Paper mode works on krakenfutures: run with --mode paper.',
    );
    expect(kraken.restCount(INSTRUMENTS)).toBe(before);
  });
});

describe('the bundled Kraken Futures config', () => {
  it('validates with its parameter sets, needs no restBaseUrl, and its thresholds are reachable with its coins', () => {
    const r = preflight({ config: 'config/kraken-futures.json', env: {}, overrides: { chat: 'console' } });
    expect(r.config.exchange).toMatchObject({ id: 'krakenfutures', marketType: 'swap' });
    expect(marketDataRestBase(r.config)).toBeUndefined(); // default.json's Binance host is not Kraken's
    expect(Object.keys(r.liveParams)).toEqual(['BTCUSD.P', 'ETHUSD.P', 'SOLUSD.P', 'XRPUSD.P', 'DOGEUSD.P', 'LTCUSD.P']);
    expect(r.zWarnings).toEqual([]);
    expect(() => assertLiveVenue(r.config)).toThrow(ConfigError);
    expect(() => assertLiveVenue(preflight({ env: {}, overrides: { chat: 'console' } }).config)).not.toThrow();
  });
});
