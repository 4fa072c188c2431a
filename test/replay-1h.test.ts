import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { prepareReplay } from '../src/app/replay.js';
import { fitToBase } from '../src/config/base-timeframe.js';
import { loadConfig } from '../src/config/load.js';

// A 1h data set cannot build the 5m rating interval: the bot rates on 1h and says so, instead of
// producing no ratings and no cards without a word.
describe('replay on a 1h base', () => {
  it('fits the config to the base and says what it changed', () => {
    const { config, notes } = fitToBase(loadConfig(), '1h');
    expect(config.rating.timeframe).toBe('1h');
    expect(config.timeframes).toEqual(['1h']);
    expect(notes).toEqual([
      "the data's base timeframe 1h is coarser than rating.timeframe 5m: ratings and z-scores run on 1h",
      'timeframes 5m/15m/30m are finer than the base 1h and cannot be built: scanning 1h',
    ]);
    expect(fitToBase(loadConfig(), '5m').notes).toEqual([]);
  });

  it('rates the 14 coins on 1h over real 2021–2022 candles and tells the owner', async () => {
    let out = '';
    const output = new PassThrough();
    output.on('data', (d: Buffer) => (out += d.toString()));
    const s = await prepareReplay({
      data: 'data/binance-2021-2022-1h', from: Date.UTC(2021, 5, 1), to: Date.UTC(2021, 8, 1),
      input: null, output, statePath: '/tmp/edgebot-replay-1h.json',
    });
    const summary = await s.run();
    expect(summary.candles).toBeGreaterThan(14 * 2000);
    expect(s.rt.engine.stats.ratingSteps).toBeGreaterThan(2000);
    expect(s.rt.engine.ratingsSnapshot().some((r) => r.maZ !== 0)).toBe(true);
    expect(out).toContain('ratings and z-scores run on 1h');
  });
});
