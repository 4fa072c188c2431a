import type { Config } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import type { CandleRule } from '../signal/rule.js';
import { loadValidatedSignals, ValidatedRegistry, type ValidatedFile } from '../signal/validated.js';
import type { SignalSummary } from '../kernel/kernel.js';

/**
 * The validated signals of `paths.validatedSignals`, as a candle rule for the engine, their
 * summaries for `/signals`, and the config with their timeframes added (a 2m signal needs 2m
 * candles built), and the file itself (`validatedFile`, null when missing) for the evidence on
 * cards. A missing file is a warning; an invalid one throws SignalError.
 */
export function validatedSignals(config: Config, log: Logger): { config: Config; rules: CandleRule[]; signals: SignalSummary[]; validatedFile: ValidatedFile | null } {
  const loaded = loadValidatedSignals(config.paths.validatedSignals);
  if (loaded.warning) log.warn(loaded.warning);
  const registry = new ValidatedRegistry(loaded.signals);
  return {
    config: { ...config, timeframes: [...new Set([...config.timeframes, ...registry.timeframes])] },
    rules: [registry],
    signals: registry.summaries(),
    validatedFile: loaded.file,
  };
}
