import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Exchange } from 'ccxt';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, loadLiveParams, parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { zThresholdWarnings } from '../../src/config/z-reach.js';
import type { Candle } from '../../src/core/candle.js';
import { ConfigError, DataError, EdgebotError, ExchangeError } from '../../src/core/errors.js';
import { crossCoinSetup } from '../../src/kernel/cross-coin-setup.js';
import { klineStream, parseFrame } from '../../src/feed/binance/codec.js';
import { readCandleFile } from '../../src/feed/csv.js';
import { CandlePipeline } from '../../src/feed/pipeline.js';
import { ReplayFeed } from '../../src/feed/replay.js';
import { fetchHistory, rowToCandle } from '../../src/feed/rest.js';
import { checkCandle } from '../../src/feed/validate.js';
import { klineFrame } from '../fakes/binance/harness.js';

/**
 * Property-based fuzz of every input edgebot reads from outside: config JSON, parameter sets,
 * WebSocket kline frames, REST OHLCV rows and CSV / CSV.gz candle files. No input may crash:
 * either it is accepted (and then usable: ratings can be built, candles are sound) or it is refused
 * with an EdgebotError subclass whose message names the bad field or file. Fixed seeds, so a
 * failure reproduces; the total case count is printed at the end.
 */
const SEED = 20261202;
const dir = mkdtempSync(join(tmpdir(), 'edgebot-fuzz-'));
let cases = 0;
/** Accepted / refused counts per property: each must see both, or its generator is too tame. */
const tally = new Map<string, { ok: number; refused: number }>();
function count(name: string, ok: boolean): void {
  const t = tally.get(name) ?? { ok: 0, refused: 0 };
  t[ok ? 'ok' : 'refused']++;
  tally.set(name, t);
}
/** fc.assert with the fixed seed, counting the runs. */
function check<T>(prop: fc.IProperty<T>, numRuns: number): void {
  fc.assert(prop, { seed: SEED, numRuns });
  cases += numRuns;
}
afterAll(() => {
  console.log(`fuzz: ${cases} cases (seed ${SEED}); accepted/refused: ${[...tally].map(([k, t]) => `${k} ${t.ok}/${t.refused}`).join(', ')}`);
});

/** Runs `f`; a thrown error must be an EdgebotError of class `cls` (any other error fails the property). */
function outcome<T>(f: () => T, cls: new (...a: never[]) => EdgebotError): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (!(e instanceof cls)) throw new Error(`crash: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return { ok: false, message: e.message };
  }
}

// --- shared value generators --------------------------------------------------------------------
const absurd = fc.constantFrom(1e15, -1e15, 1.5e9, 1e300, -1e300, 0, -1, 0.5, 2 ** 53, 1e-300, Number.MAX_VALUE, 10_001, 3601, -0.0001);
const wrongType = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 2 }),
);
const anyValue = fc.oneof(absurd, wrongType, fc.double(), fc.integer());
const key = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('maxOpenPosition', 'warmupBar', 'profitPercnt', '__proto__', 'constructor', 'a.b'));

/** Every path (objects and leaves) of a JSON object. */
function paths(v: unknown, prefix: string[] = []): string[][] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [prefix];
  return [prefix, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...prefix, k]))];
}
/** A deep copy of `root` with the value at `path` replaced (or, for `unknown`, a new key added under it). */
function mutate(root: unknown, path: string[], kind: 'set' | 'unknown', k: string, value: unknown): unknown {
  const holder: Record<string, unknown> = { root: JSON.parse(JSON.stringify(root)) };
  let parent = holder;
  let at = 'root';
  for (const p of path) {
    parent = parent[at] as Record<string, unknown>;
    at = p;
  }
  const target = parent[at];
  if (kind === 'unknown' && target && typeof target === 'object' && !Array.isArray(target)) {
    // defineProperty: "__proto__" becomes a real key, as JSON.parse makes it.
    Object.defineProperty(target, k, { value, enumerable: true, writable: true, configurable: true });
  } else {
    parent[at] = value;
  }
  return holder.root;
}
let fileNo = 0;
function file(ext: string, bytes: string | Uint8Array): string {
  const p = join(dir, `f${++fileNo}${ext}`);
  writeFileSync(p, bytes);
  return p;
}
/** Something the config can be used for: the ratings and z-score rule it builds (where 1e15 MA lengths once crashed). */
function use(config: Config, liveParams: Record<string, never> | Parameters<typeof crossCoinSetup>[2] = {}): void {
  const coins = config.baseCoins.map((c) => `${c}${config.quote}`);
  crossCoinSetup(config, coins, liveParams);
  zThresholdWarnings(liveParams, coins.length);
}

// --- config and parameter sets ------------------------------------------------------------------
/** Magnitudes beyond every bound of every numeric field (the largest bound is 1e12). */
const huge = fc.constantFrom(1e15, -1e15, 1e300, -1e300, 2 ** 53, Number.MAX_VALUE, -Number.MAX_VALUE);
/**
 * Mutations of a valid JSON document: a value anywhere replaced (any value), a numeric leaf made
 * huge (must be refused), or a new key under an object (must be refused: strict at every depth).
 */
type Mutation = { kind: 'set' | 'huge' | 'unknown'; path: string[]; key: string; value: unknown };
function mutations(doc: unknown): fc.Arbitrary<Mutation> {
  const all = paths(doc);
  const get = (p: string[]) => p.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], doc);
  const numeric = all.filter((p) => typeof get(p) === 'number');
  const objects = all.filter((p) => { const v = get(p); return !!v && typeof v === 'object' && !Array.isArray(v); });
  return fc.oneof(
    fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...all), key: fc.constant(''), value: anyValue }),
    fc.record({ kind: fc.constant('huge' as const), path: fc.constantFrom(...numeric), key: fc.constant(''), value: huge }),
    fc.record({ kind: fc.constant('unknown' as const), path: fc.constantFrom(...objects), key, value: anyValue }),
  );
}
/** The checks every refusal of a mutated document must pass; returns whether it had to be refused. */
function expectRefusalNames(m: Mutation, validKeys: (path: string[]) => string[], message: string): void {
  if (m.path.length) expect(message).toContain(m.path.join('.'));
  if (m.kind === 'unknown' && !validKeys(m.path).includes(m.key)) expect(message).toContain('unknown key ');
}
function mustRefuse(m: Mutation, validKeys: (path: string[]) => string[]): boolean {
  return m.kind === 'huge' || (m.kind === 'unknown' && !validKeys(m.path).includes(m.key));
}

const DEFAULT = JSON.parse(readFileSync('config/default.json', 'utf8')) as Record<string, unknown>;
/** config/default.json lists every key, so its keys at a path are the valid ones. */
const keysOf = (doc: unknown) => (path: string[]) => {
  const v = path.reduce<unknown>((x, k) => (x as Record<string, unknown>)?.[k], doc);
  return v && typeof v === 'object' ? Object.keys(v) : [];
};

describe('fuzz: config', () => {
  it('mutated config/default.json (nested unknown keys, absurd numbers, wrong types): accepted and usable, or a ConfigError naming file and field', () => {
    check(fc.property(mutations(DEFAULT), (m) => {
      const p = file('.json', JSON.stringify(mutate(DEFAULT, m.path, m.kind === 'unknown' ? 'unknown' : 'set', m.key, m.value)));
      const r = outcome(() => loadConfig({ file: p, defaults: '/nonexistent' }), ConfigError);
      count('config', r.ok);
      if (r.ok) {
        expect(mustRefuse(m, keysOf(DEFAULT)), `accepted ${JSON.stringify(m)}`).toBe(false);
        return use(r.value);
      }
      expect(r.message).toContain(p);
      expectRefusalNames(m, keysOf(DEFAULT), r.message);
    }), 1500);
    expect(tally.get('config')!.ok).toBeGreaterThan(0);
    expect(tally.get('config')!.refused).toBeGreaterThan(0);
  });

  it('arbitrary JSON and arbitrary text as a config file', () => {
    check(fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 60 })), (text) => {
      const p = file('.json', text);
      const r = outcome(() => loadConfig({ file: p, defaults: '/nonexistent' }), ConfigError);
      if (r.ok) return use(r.value);
      expect(r.message).toContain(p);
    }), 200);
  });
});

const LIVE = JSON.parse(readFileSync('config/live-params.json', 'utf8')) as Record<string, unknown>;
const CONFIG = parseConfig({});
/** Valid keys of a parameter-set document: any symbol at the top, the set's fields below. */
const liveKeys = (path: string[]) => (path.length === 1 ? ['zScoreThreshold', 'movingAverages', 'profitPercent', 'stopLossPercent', 'allocationPercent', 'enabled'] : []);

describe('fuzz: live-params', () => {
  it('mutated config/live-params.json: accepted and usable, or a ConfigError naming file, symbol and field', () => {
    // A new top-level key is a new symbol, not an unknown field: only set-level keys must be refused.
    const arb = mutations(LIVE).filter((m) => !(m.kind === 'unknown' && m.path.length === 0));
    check(fc.property(arb, (m) => {
      const p = file('.json', JSON.stringify(mutate(LIVE, m.path, m.kind === 'unknown' ? 'unknown' : 'set', m.key, m.value)));
      const r = outcome(() => loadLiveParams(p), ConfigError);
      count('live-params', r.ok);
      if (r.ok) {
        expect(mustRefuse(m, liveKeys), `accepted ${JSON.stringify(m)}`).toBe(false);
        return use(CONFIG, r.value);
      }
      expect(r.message).toContain(p);
      expectRefusalNames(m, liveKeys, r.message);
    }), 1500);
    expect(tally.get('live-params')!.ok).toBeGreaterThan(0);
    expect(tally.get('live-params')!.refused).toBeGreaterThan(0);
  });

  it('arbitrary JSON as parameter sets', () => {
    check(fc.property(fc.jsonValue(), (v) => {
      const p = file('.json', JSON.stringify(v));
      const r = outcome(() => loadLiveParams(p), ConfigError);
      if (r.ok) return use(CONFIG, r.value);
      expect(r.message).toContain(p);
    }), 200);
  });
});

// --- candles from the wire ------------------------------------------------------------------------
const T0 = Date.UTC(2025, 0, 1);
const M = 60_000;
const GOOD: Candle = { openTime: T0, closeTime: T0 + M, open: 100, high: 101, low: 99, close: 100.5, volume: 3 };
const numberish = fc.oneof(
  fc.double().map(String),
  fc.double(),
  fc.constantFrom('0', '-1', '-0.0001', '1e400', 'NaN', 'Infinity', '', ' ', '0x10', null, true, [], {}, -5, 0, 1e308),
);
/** A sound candle's price set that a generator can break. */
const sound = (c: Candle) => checkCandle(c, M) === null && c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0 && c.volume >= 0;

describe('fuzz: WebSocket frames', () => {
  const streams = new Set([klineStream('BTCUSDT', '1m')]);
  it('random text, random JSON and kline frames with broken fields never throw; a kline that passes is sound', () => {
    const broken = fc.dictionary(fc.constantFrom('t', 'o', 'h', 'l', 'c', 'v', 'x', 's', 'i', 'T'), fc.oneof(numberish, fc.jsonValue()), { maxKeys: 4 })
      .map((over) => klineFrame('BTCUSDT', GOOD, true, over));
    check(fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue().map((v) => JSON.stringify(v)), broken), (text) => {
      const p = parseFrame(text, streams, '1m');
      count('ws', p.kind === 'kline');
      if (p.kind === 'kline') expect(sound(p.frame.candle)).toBe(true);
    }), 2000);
    expect(tally.get('ws')!.ok).toBeGreaterThan(0);
  });
});

describe('fuzz: REST OHLCV rows', () => {
  const row = fc.oneof(
    fc.anything(),
    fc.tuple(fc.oneof(fc.constant(T0), fc.integer({ min: T0, max: T0 + 100 * M }).map((t) => t - (t % M)), numberish), numberish, numberish, numberish, numberish, numberish),
    fc.tuple(fc.constant(T0 + M), fc.double({ min: 0.001, max: 200 }), fc.double({ min: 0.001, max: 200 }), fc.double({ min: -10, max: 200 }), fc.double({ min: 0.001, max: 200 }), fc.double({ min: -1, max: 10 })),
  );
  it('rowToCandle never throws; what the pipeline accepts is sound', () => {
    check(fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
      const accepted: Candle[] = [];
      const pipe = new CandlePipeline('1m', ['1m', '5m'], { onCandle: (_s, tf, c) => tf === '1m' && accepted.push({ ...c }) });
      for (const r of rows) {
        const c = rowToCandle(r, M);
        if (c) pipe.push('BTCUSDT', c);
      }
      count('rest-rows', accepted.length > 0);
      for (const c of accepted) expect(sound(c)).toBe(true);
    }), 1000);
    expect(tally.get('rest-rows')!.ok).toBeGreaterThan(0);
  });

  it('fetchHistory over any rows an exchange returns: candles, or an ExchangeError', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.array(row, { maxLength: 10 }), fc.anything()), async (rows) => {
      const ex = {
        id: 'fuzz',
        loadMarkets: async () => ({ 'BTC/USDT': {} }),
        markets_by_id: {},
        fetchOHLCV: async () => rows,
      } as unknown as Exchange;
      try {
        const got = await fetchHistory(ex, { symbol: 'BTC/USDT', timeframe: '1m', since: T0, now: T0 + 200 * M });
        for (const c of got) expect(Number.isInteger(c.openTime) && c.openTime % M === 0).toBe(true);
      } catch (e) {
        if (!(e instanceof ExchangeError)) throw e;
      }
    }), { seed: SEED, numRuns: 300 });
    cases += 300;
  });
});

// --- candle files ---------------------------------------------------------------------------------
const REAL_GZ = readFileSync('data/binance-2025-1h/SOLUSDT.csv.gz');
/** The first 60 rows of a real file, as CSV text. */
const REAL_CSV = gunzipSync(REAL_GZ).toString('utf8').split('\n').slice(0, 61).join('\n') + '\n';

/** Reads `p`: a DataError must name the file; a series that loads must replay with sound candles only. */
async function readAndReplay(p: string, name: string): Promise<void> {
  const r = outcome(() => readCandleFile(p), DataError);
  count(name, r.ok);
  if (!r.ok) {
    expect(r.message.startsWith(`${p}: `)).toBe(true);
    return;
  }
  const accepted: Candle[] = [];
  const pipe = new CandlePipeline(r.value.timeframe, [r.value.timeframe], { onCandle: (_s, _tf, c) => accepted.push({ ...c }) });
  await new ReplayFeed([r.value], pipe).run();
  for (const c of accepted) expect(sound(c)).toBe(true);
}

describe('fuzz: CSV and CSV.gz files', () => {
  it('random bytes as .csv and .csv.gz', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.boolean(), async (bytes, gz) => {
      await readAndReplay(file(gz ? '.csv.gz' : '.csv', bytes), 'random-bytes');
    }), { seed: SEED, numRuns: 500 });
    cases += 500;
  });

  it('a real .csv.gz truncated at any offset is refused as bad or truncated gzip', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: REAL_GZ.length - 1 }), async (at) => {
      const p = file('.csv.gz', REAL_GZ.subarray(0, at));
      const r = outcome(() => readCandleFile(p), DataError);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(new RegExp(`^${p.replace(/[.]/g, '\\.')}: (truncated gzip|bad gzip)`));
    }), { seed: SEED, numRuns: 300 });
    cases += 300;
  });

  it('real CSV with broken rows (garbage fields, missing columns, absurd numbers, cut text), plain or gzipped', async () => {
    const edit = fc.record({
      row: fc.integer({ min: 0, max: 60 }),
      col: fc.integer({ min: 0, max: 6 }),
      value: fc.oneof(fc.string({ maxLength: 10 }), numberish.map(String), fc.constantFrom('', '-1', '0', '1e999', '1,2', '\r')),
    });
    await fc.assert(fc.asyncProperty(fc.array(edit, { maxLength: 4 }), fc.option(fc.integer({ min: 0, max: REAL_CSV.length })), fc.boolean(), async (edits, cut, gz) => {
      const lines = REAL_CSV.split('\n');
      for (const e of edits) {
        const f = lines[e.row].split(',');
        f[e.col] = e.value;
        lines[e.row] = f.join(',');
      }
      let text = lines.join('\n');
      if (cut !== null) text = text.slice(0, cut);
      await readAndReplay(file(gz ? '.csv.gz' : '.csv', gz ? gzipSync(text) : text), 'csv-rows');
    }), { seed: SEED, numRuns: 1000 });
    cases += 1000;
    expect(tally.get('csv-rows')!.ok).toBeGreaterThan(0);
    expect(tally.get('csv-rows')!.refused).toBeGreaterThan(0);
  });
});
