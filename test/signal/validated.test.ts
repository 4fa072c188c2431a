import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SignalError } from '../../src/core/errors.js';
import { loadValidatedSignals, parseValidated, ValidatedRegistry } from '../../src/signal/validated.js';
import type { Candle } from '../../src/core/candle.js';
import type { Setup } from '../../src/signal/types.js';
import { asSignal, candidate, validatedFile } from '../helpers/signals.js';
import { realSeries, runRules } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'edgebot-validated-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, body: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
};
const good = () => validatedFile([asSignal(candidate('rsi_mean_reversion', 0, 'BTCUSDT', '5m'))]);

describe('validated.json schema', () => {
  it('accepts a well-formed file and the committed signals/validated.json', () => {
    expect(loadValidatedSignals(write('ok.json', good())).signals).toHaveLength(1);
    const committed = loadValidatedSignals('signals/validated.json');
    expect(committed.file?.version).toBe(1);
    expect(committed.file?.data.map((d) => d.dir)).toEqual(['data/binance-2025-5m', 'data/binance-2021-1m']);
  });

  it('refuses an invalid file with a SignalError naming the field', () => {
    const f = good();
    (f.signals[0].params as Record<string, unknown>).oversold = 'thirty';
    const p = write('bad-param.json', f);
    expect(() => loadValidatedSignals(p)).toThrow(SignalError);
    expect(() => loadValidatedSignals(p)).toThrow(/bad-param\.json is invalid — signals\.0\.params\.oversold: /);

    const g = good();
    (g.signals[0].outOfSample as { winRate: number }).winRate = 52; // a percent where a fraction belongs
    expect(() => parseValidated(g, 'v.json')).toThrow(/signals\.0\.outOfSample\.winRate: /);

    const h = { ...good(), signals: [{ ...good().signals[0], rule: 'magic' }] };
    expect(() => parseValidated(h, 'v.json')).toThrow(/signals\.0\.rule: /);

    const dup = validatedFile([good().signals[0], good().signals[0]]);
    expect(() => parseValidated(dup, 'v.json')).toThrow(/signals\.1\.id: duplicate signal id/);
  });

  it('names a wrong version and broken JSON plainly', () => {
    expect(() => parseValidated({ ...good(), version: 2 }, 'v.json')).toThrow(/v\.json has version 2; this edgebot reads version 1/);
    expect(() => loadValidatedSignals(write('broken.json', '{"version": 1,'))).toThrow(/broken\.json is not valid JSON/);
  });

  it('a missing file means no validated signals and a warning, not an error', () => {
    const r = loadValidatedSignals(join(dir, 'nope.json'));
    expect(r.signals).toEqual([]);
    expect(r.warning).toMatch(/nope\.json not found: no validated signals loaded \(run `edgebot backtest`/);
  });
});

describe('ValidatedRegistry', () => {
  it('runs each signal only on its own (instrument, timeframe) and decorates setups with its stats', async () => {
    const c = candidate('ema_trend_pullback', 0, 'BTCUSDT', '5m');
    const s = { ...asSignal(c), outOfSample: { trades: 44, winRate: 0.45, profitFactor: 1.5, avgR: 0.3, maxDrawdownPercent: 4, sharpe: 1.8 }, confidence: 0.7 };
    const reg = new ValidatedRegistry([s]);
    const series = realSeries('data/binance-2025-5m/BTCUSDT.csv.gz', 5_000);
    const { setups: [setups] } = await runRules([reg], series, ['5m', '15m']);
    expect(setups.length).toBeGreaterThan(5);
    for (const x of setups) {
      expect(x).toMatchObject({ signalId: c.id, rule: 'ema_trend_pullback', symbol: 'BTCUSDT', timeframe: '5m', confidence: 0.7, tradable: true });
      expect(x.outOfSample?.trades).toBe(44);
    }
    const out: Setup[] = [];
    const k: Candle = { openTime: 0, closeTime: 300_000, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    reg.onCandle('ETHUSDT', '5m', k, out);
    reg.onCandle('BTCUSDT', '1h', k, out);
    expect(out).toEqual([]);
    expect(reg.timeframes).toEqual(['5m']);
    expect(reg.summaries()).toEqual([{ id: c.id, rule: 'ema_trend_pullback', symbol: 'BTCUSDT', timeframe: '5m', winRate: 0.45, profitFactor: 1.5, trades: 44 }]);
  });

  it('is what the committed file describes: its signals parse into rules', () => {
    const raw = JSON.parse(readFileSync('signals/validated.json', 'utf8'));
    expect(() => new ValidatedRegistry(parseValidated(raw).signals)).not.toThrow();
  });
});
