import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadCandleDir, type CandleSeries } from '../../src/feed/csv.js';
import { createExchange } from '../../src/feed/rest.js';
import { FakeBinance, binanceError } from '../fakes/binance.js';
import { DATA_2021_1M, MINUTE, waitFor } from '../fakes/binance/harness.js';

// The fake itself: Binance's REST shapes (as ccxt reads them) and kline frames.
const T0 = Date.UTC(2021, 3, 5, 12, 0);

describe('fake Binance', () => {
  let series: CandleSeries[];
  let fake: FakeBinance;
  const get = async (path: string) => {
    const r = await fetch(fake.restBaseUrl + path);
    return { status: r.status, body: (await r.json()) as unknown };
  };
  beforeAll(async () => {
    series = loadCandleDir(DATA_2021_1M, { from: T0 - 60 * MINUTE, to: T0 + 60 * MINUTE }).filter((s) => ['BTCUSDT', 'ETHUSDT'].includes(s.symbol));
    fake = await FakeBinance.start({ series, now: T0 + 20_000 });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('serves klines as Binance does: started candles only, the last one still forming', async () => {
    const { body } = await get(`/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${T0 - 2 * MINUTE}&limit=10`);
    const rows = body as (string | number)[][];
    expect(rows.map((r) => r[0])).toEqual([T0 - 2 * MINUTE, T0 - MINUTE, T0]);
    const btc = series[0];
    const i = btc.openTime.indexOf(T0 - MINUTE);
    expect(rows[1]).toEqual([
      T0 - MINUTE,
      btc.open[i].toFixed(8),
      btc.high[i].toFixed(8),
      btc.low[i].toFixed(8),
      btc.close[i].toFixed(8),
      btc.volume[i].toFixed(8),
      T0 - 1,
      (btc.volume[i] * btc.close[i]).toFixed(8),
      0,
      '0.00000000',
      '0.00000000',
      '0',
    ]);
    // The forming candle: a third of the way through its minute, a third of its volume.
    const j = i + 1;
    expect(Number(rows[2][5])).toBeCloseTo(btc.volume[j] / 3, 6);
    expect(rows[2][4]).not.toBe(btc.close[j].toFixed(8));
    // endTime only: the latest `limit` rows up to it.
    const tail = (await get(`/api/v3/klines?symbol=BTCUSDT&interval=1m&endTime=${T0 - MINUTE}&limit=2`)).body as unknown[][];
    expect(tail.map((r) => r[0])).toEqual([T0 - 2 * MINUTE, T0 - MINUTE]);
    expect((await get('/api/v3/klines?symbol=NOPE&interval=1m')).status).toBe(400);
    expect((await get('/api/v3/klines?symbol=BTCUSDT&interval=5m')).status).toBe(400);
  });

  it("satisfies ccxt's loadMarkets and tickers with one exchangeInfo call", async () => {
    const ex = await createExchange({ id: 'binance', restBaseUrl: fake.restBaseUrl, rateLimitMs: 1 });
    const before = fake.restCount('/api/v3/exchangeInfo');
    const markets = await ex.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(markets['BTC/USDT']).toMatchObject({ id: 'BTCUSDT', spot: true, active: true, precision: { price: 0.01, amount: 0.00001 }, limits: { cost: { min: 10 } } });
    expect(fake.restCount('/api/v3/exchangeInfo') - before).toBe(1);
    expect([...fake.router.requests.keys()].every((k) => k.startsWith('GET /api/v3/'))).toBe(true);
    const t = await ex.fetchTicker('ETH/USDT');
    expect(t.last).toBeGreaterThan(0);
    expect(t.ask).toBeGreaterThan(t.bid!);
    const prices = await get('/api/v3/ticker/price');
    expect((prices.body as { symbol: string }[]).map((p) => p.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect((await get('/api/v3/time')).body).toEqual({ serverTime: fake.now() });
    expect((await get('/api/v3/ping')).body).toEqual({});
  });

  it('takes new routes and injected failures', async () => {
    fake.route('GET', '/api/v3/openOrders', () => ({ body: [] }));
    expect((await get('/api/v3/openOrders')).body).toEqual([]);
    fake.route('POST', '/api/v3/order', (req) => ({ body: { symbol: req.params.get('symbol') } }));
    const r = await fetch(`${fake.restBaseUrl}/api/v3/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'symbol=BTCUSDT&side=BUY',
    });
    expect(await r.json()).toEqual({ symbol: 'BTCUSDT' });
    fake.failRest('/api/v3/time', 1, binanceError(429, -1003, 'Too many requests.'));
    expect((await get('/api/v3/time')).status).toBe(429);
    expect((await get('/api/v3/time')).status).toBe(200);
    expect((await get('/api/v3/nothing')).status).toBe(404);
  });

  it('streams kline updates and final frames as its clock advances, refuses connections while paused', async () => {
    const frames: { stream: string; data: { E: number; k: { t: number; x: boolean; c: string } } }[] = [];
    const ws = new WebSocket(`${fake.wsBaseUrl}/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m`);
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    fake.advanceTo(T0 + MINUTE);
    await waitFor(() => frames.length === 4, 'update + final for both symbols');
    expect(frames.map((f) => [f.stream, f.data.k.t, f.data.k.x, f.data.E])).toEqual([
      ['btcusdt@kline_1m', T0, false, T0 + 30_000],
      ['ethusdt@kline_1m', T0, false, T0 + 30_000],
      ['btcusdt@kline_1m', T0, true, T0 + MINUTE],
      ['ethusdt@kline_1m', T0, true, T0 + MINUTE],
    ]);
    expect(frames[2].data.k.c).toBe(series[0].close[series[0].openTime.indexOf(T0)].toFixed(8));
    // SUBSCRIBE / UNSUBSCRIBE over the socket.
    const replies: unknown[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if ('id' in m) replies.push(m);
    });
    ws.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: ['ethusdt@kline_1m'], id: 7 }));
    await waitFor(() => replies.length === 1, 'reply');
    expect(replies[0]).toEqual({ result: null, id: 7 });
    frames.length = 0;
    fake.advanceTo(T0 + 2 * MINUTE);
    await waitFor(() => frames.length === 2, 'btc frames only');
    expect(frames.every((f) => f.stream === 'btcusdt@kline_1m')).toBe(true);

    const closed = new Promise((r) => ws.once('close', r));
    expect(fake.dropAll()).toBe(1);
    await closed;
    fake.pauseWs(MINUTE);
    const refused = new WebSocket(`${fake.wsBaseUrl}/stream?streams=btcusdt@kline_1m`);
    const err = await new Promise<Error>((r) => refused.once('error', r));
    expect(err.message).toContain('503');
    expect(fake.wsStats.refused).toBe(1);
    fake.advance(MINUTE);
    expect(fake.wsPaused).toBe(false);
  });
});
