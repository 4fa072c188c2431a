import { timeframeMs, type Timeframe } from '../core/timeframe.js';
import type { Config } from './schema.js';

/**
 * Fits the config to the base timeframe of the data: a rating interval or a scanned timeframe
 * finer than the base cannot be built from it (a 5m interval from 1h candles). Rather than rate
 * nothing and post nothing without a word, the ratings run on the base timeframe and finer
 * timeframes are dropped; each change comes back as a note for the log and the owner.
 * Returns the same config object when nothing changes.
 */
export function fitToBase(config: Config, base: Timeframe): { config: Config; notes: string[] } {
  const finer = (tf: Timeframe) => timeframeMs(tf) < timeframeMs(base);
  const notes: string[] = [];
  let rating = config.rating;
  let timeframes = config.timeframes;
  if (finer(rating.timeframe)) {
    notes.push(`the data's base timeframe ${base} is coarser than rating.timeframe ${rating.timeframe}: ratings and z-scores run on ${base}`);
    rating = { ...rating, timeframe: base };
  }
  const dropped = timeframes.filter(finer);
  if (dropped.length) {
    const kept = timeframes.filter((tf) => !finer(tf));
    timeframes = kept.length ? kept : [base];
    notes.push(`timeframes ${dropped.join('/')} are finer than the base ${base} and cannot be built: scanning ${timeframes.join('/')}`);
  }
  return { config: notes.length ? { ...config, rating, timeframes } : config, notes };
}
