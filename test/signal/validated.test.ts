import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SignalError } from '../../src/core/errors.js';
import { cardStats, loadValidatedSignals, parseValidated, signalIdOf, ValidatedRegistry } from '../../src/signal/validated.js';
import type { Candle } from '../../src/core/candle.js';
import type { Setup } from '../../src/signal/types.js';
import { asSignal, candidate, validatedFile, ZERO_STATS } from '../helpers/signals.js';
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
    expect(committed.file?.version).toBe(2);
    expect(committed.file?.data.map((d) => d.dir)).toEqual(['data/binance-2025-5m', 'data/binance-2021-1m', 'data/binance-2021-2022-1h']);
    // Every trial counted: the committed file's N is at least the families it judged.
    expect(committed.file!.gate.trials).toBeGreaterThanOrEqual(committed.file!.gate.families);
  });

  it('refuses an invalid file with a SignalError naming the field', () => {
    const f = good();
    (f.families[0].params as Record<string, unknown>).oversold = 'thirty';
    const p = write('bad-param.json', f);
    expect(() => loadValidatedSignals(p)).toThrow(SignalError);
    expect(() => loadValidatedSignals(p)).toThrow(/bad-param\.json is invalid — families\.0\.params\.oversold: /);

    const g = good();
    (g.families[0].outOfSample as { winRate: number }).winRate = 52; // a percent where a fraction belongs
    expect(() => parseValidated(g, 'v.json')).toThrow(/families\.0\.outOfSample\.winRate: /);

    const h = { ...good(), families: [{ ...good().families[0], rule: 'magic' }] };
    expect(() => parseValidated(h, 'v.json')).toThrow(/families\.0\.rule: /);

    const dup = validatedFile([good().families[0], good().families[0]]);
    expect(() => parseValidated(dup, 'v.json')).toThrow(/families\.1\.id: duplicate family id/);

    const noInstruments = validatedFile([{ ...good().families[0], instruments: [] }]);
    expect(() => parseValidated(noInstruments, 'v.json')).toThrow(/families\.0\.instruments: /);
  });

  it('names a wrong version and broken JSON plainly', () => {
    expect(() => parseValidated({ ...good(), version: 1 }, 'v.json')).toThrow(/v\.json has version 1; this edgebot reads version 2/);
    expect(() => loadValidatedSignals(write('broken.json', '{"version": 2,'))).toThrow(/broken\.json is not valid JSON/);
  });

  it('a missing file means no validated signals and a warning, not an error', () => {
    const r = loadValidatedSignals(join(dir, 'nope.json'));
    expect(r.signals).toEqual([]);
    expect(r.warning).toMatch(/nope\.json not found: no validated signals loaded \(run `edgebot backtest`/);
  });
});

describe('ValidatedRegistry', () => {
  it('runs a family on each of its instruments, only on its timeframe, and decorates setups with its stats', async () => {
    const c = candidate('ema_trend_pullback', 0, 'BTCUSDT', '5m');
    const oos = { ...ZERO_STATS, trades: 44, winRate: 0.45, profitFactor: 1.5, avgR: 0.3, maxDrawdownR: 4, sharpe: 0.18 };
    const s = { ...asSignal(c), instruments: ['BTCUSDT', 'ETHUSDT'], outOfSample: oos, dsr: 0.7 };
    expect(signalIdOf(s, 'BTCUSDT')).toBe(c.id);
    expect(cardStats(oos)).toEqual({ trades: 44, winRate: 0.45, profitFactor: 1.5, avgR: 0.3, maxDrawdownPercent: 4, sharpe: 0.18 });
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
    reg.onCandle('SOLUSDT', '5m', k, out);
    reg.onCandle('BTCUSDT', '1h', k, out);
    expect(out).toEqual([]);
    expect(reg.timeframes).toEqual(['5m']);
    const eth = candidate('ema_trend_pullback', 0, 'ETHUSDT', '5m');
    expect(reg.summaries()).toEqual([
      { id: c.id, rule: 'ema_trend_pullback', symbol: 'BTCUSDT', timeframe: '5m', winRate: 0.45, profitFactor: 1.5, trades: 44 },
      { id: eth.id, rule: 'ema_trend_pullback', symbol: 'ETHUSDT', timeframe: '5m', winRate: 0.45, profitFactor: 1.5, trades: 44 },
    ]);
  });

  it('is what the committed file describes: its signals parse into rules', () => {
    const raw = JSON.parse(readFileSync('signals/validated.json', 'utf8'));
    expect(() => new ValidatedRegistry(parseValidated(raw).families)).not.toThrow();
  });
});
