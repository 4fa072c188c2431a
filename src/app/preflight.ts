import { ConfigError } from '../core/errors.js';
import { loadValidatedSignals, ValidatedRegistry, type LoadedSignals } from '../signal/validated.js';
import { loadConfig, loadLiveParams, loadTelegramConfig } from '../config/load.js';
import type { Config, LiveParams, TelegramFile } from '../config/schema.js';
import { zScoreFactor, zThresholdWarnings, type ZThresholdWarning } from '../config/z-reach.js';

/** What {@link preflight} checks: the same inputs `edgebot run` reads at start. */
export interface PreflightOptions {
  /** `--config FILE` over config/default.json. */
  config?: string;
  /** Defaults file (default config/default.json). */
  defaults?: string;
  /** Overrides merged last (tests). */
  overrides?: unknown;
  /** Environment for TELEGRAM_BOT_TOKEN / TELEGRAM_CHAT_ID (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Coins rated together, for the z-threshold check; default config.baseCoins.length. */
  coins?: number;
}

/** Everything the start-up checks loaded, plus warnings that do not stop the bot. */
export interface PreflightResult {
  config: Config;
  liveParams: LiveParams;
  /** null when no Telegram config exists or the console chat is chosen. */
  telegram: TelegramFile | null;
  validated: LoadedSignals;
  /** Z-score thresholds that cannot fire with this many coins. */
  zWarnings: ZThresholdWarning[];
  /** Every warning as one line (missing validated signals, unreachable thresholds). */
  warnings: string[];
}

/**
 * The start-up checks of the bot in one place, run by `edgebot validate-config` and at start,
 * so nothing `validate-config` passes can fail at start: the config (strict, bounded), the
 * parameter sets, the validated-signals file, the Telegram config (unless the console chat is
 * chosen) and the feed's base timeframe against the timeframes wanted.
 * @throws ConfigError naming the file and field; SignalError for an invalid validated-signals file
 */
export function preflight(o: PreflightOptions = {}): PreflightResult {
  const config = loadConfig({ file: o.config, defaults: o.defaults, overrides: o.overrides });
  const liveParams = loadLiveParams(config.paths.liveParams);
  const validated = loadValidatedSignals(config.paths.validatedSignals);
  const registry = new ValidatedRegistry(validated.signals);
  const telegram = config.chat.type === 'console' ? null : loadTelegramConfig(config.telegram.configFile, o.env ?? process.env);
  if (config.chat.type === 'telegram' && !telegram) {
    throw new ConfigError(`chat is "telegram" but ${config.telegram.configFile} is missing and TELEGRAM_BOT_TOKEN is not set`, 'chat');
  }
  const timeframes = new Set([...config.timeframes, ...registry.timeframes]);
  if (timeframes.has('1m') && config.feed.baseTimeframe !== '1m') {
    throw new ConfigError('timeframes include 1m but feed.baseTimeframe is not 1m', 'timeframes');
  }
  const coins = o.coins ?? config.baseCoins.length;
  const zWarnings = zThresholdWarnings(liveParams, coins, zScoreFactor(config.rating.zScoreScale, coins));
  const warnings = [...(validated.warning ? [validated.warning] : []), ...zWarnings.map((w) => w.message)];
  return { config, liveParams, telegram, validated, zWarnings, warnings };
}
