/**
 * Power of the validation gate (issue #9 item 10): a planted edge that one catalogue rule
 * exploits must validate through the same `backtest` and gate, with the default costs.
 *
 * Data: per seed 15 instruments × 360 days of 1h GARCH(1,1) random walks (test/research/synthetic.ts)
 * where, after every close on which RSI(14) crosses below 30 — `rsi_mean_reversion`'s entry,
 * computed with the catalogue's own indicator — the next 24 bars drift up by 0.2 × ATR(14) each
 * (4.8 ATR in all; the rule's stop is 2 ATR below, its 1h target 3 R = 6 ATR above). Everything
 * else is the zero-edge walk of the calibration check. The whole catalogue runs (1h data: the 20
 * 1h families), each seed with its own trial log, so N = 20.
 *
 * Why 15 instruments and a year: the DSR's V[SR] is the variance of the Sharpe estimates of the
 * trials with enough trades, and the planted family and its near-twins are among them, so the
 * hurdle SR0 rises with the edge itself (on 10 instruments × 240 days SR0 reached 0.90 against a
 * planted per-trade Sharpe of 1.02, and a +1.8 R/trade family over 214 trades was rejected).
 * Only a longer record lets (SR − SR0)·√T clear it; signals/README.md "Calibration" has the figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/app/backtest.js';
import { parseValidated } from '../../src/signal/validated.js';
import { generateMarket, writeMarket } from './synthetic.js';

const SEEDS = [1, 2, 3, 4, 5];
const root = mkdtempSync(join(tmpdir(), 'edgebot-power-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('gate power: a planted RSI(14) < 30 edge', () => {
  it(`validates rsi_mean_reversion on every one of ${SEEDS.length} seeds, with the default costs`, async () => {
    const t0 = performance.now();
    const lines: string[] = [];
    for (const seed of SEEDS) {
      const dir = join(root, `seed-${seed}`);
      const series = generateMarket({
        seed, instruments: 15, timeframe: '1h', start: Date.UTC(2024, 0, 1), bars: 360 * 24, barVol: 0.0095,
        plant: { rsiPeriod: 14, level: 30, atrPeriod: 14, bars: 24, driftAtr: 0.2 },
      });
      // The plant fired: roughly a sixth of all bars carry drift.
      const planted = series.reduce((a, s) => a + s.plantedBars, 0) / (15 * 360 * 24);
      expect(planted).toBeGreaterThan(0.1);
      expect(planted).toBeLessThan(0.3);
      const data = writeMarket(join(dir, 'data'), series);
      const out = join(dir, 'validated.json');
      const s = await runBacktest({ data: [data], out, report: join(dir, 'report.md'), trials: join(dir, 'trials.jsonl'), command: `power seed ${seed}` });
      expect(s.families).toBe(20);
      const file = parseValidated(JSON.parse(readFileSync(out, 'utf8')));
      const rsi = file.families.filter((f) => f.rule === 'rsi_mean_reversion');
      expect(rsi.length).toBeGreaterThan(0);
      for (const f of rsi) {
        expect(f.dsr).toBeGreaterThanOrEqual(0.95);
        expect(f.meanR.lower).toBeGreaterThan(0);
        expect(f.outOfSample.trades).toBeGreaterThanOrEqual(30);
        lines.push(`seed ${seed} ${f.id} (trendEma ${f.params.trendEma}, minStop ${f.params.minStopPercent}): ${f.outOfSample.trades} OOS trades, ` +
          `mean R ${f.meanR.mean} [${f.meanR.lower}, ${f.meanR.upper}], PF ${f.outOfSample.profitFactor}, DSR ${f.dsr}`);
      }
      lines.push(`seed ${seed}: ${file.families.length} of ${s.families} families validated (${file.families.map((f) => f.rule).join(', ')}); ` +
        `N = ${file.gate.trials}, V[SR] = ${file.gate.sharpeVariance}`);
      rmSync(dir, { recursive: true, force: true });
    }
    console.info(`power (${((performance.now() - t0) / 1000).toFixed(1)} s):\n${lines.join('\n')}`);
    // ~9 s alone; 17–33 s inside the whole suite with other jobs on the cores.
  }, 180_000);
});
