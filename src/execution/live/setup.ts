/**
 * What live mode needs before it may start: exchange keys from the environment (never from a
 * config file), a chat the owner can confirm from (Telegram; the console is refused), and a
 * ccxt exchange pointed at the configured venue (testnet with `exchange.sandbox`).
 */
import { loadTelegramConfig } from '../../config/load.js';
import { ConfigSchema, type Config } from '../../config/schema.js';
import { ConfigError } from '../../core/errors.js';
import { createExchange } from '../../feed/rest.js';
import { ExchangeBroker } from './exchange-broker.js';
import { LiveTrader } from './live-trader.js';

export interface ExchangeKeys {
  apiKey: string;
  secret: string;
  password?: string;
}

/**
 * Keys from `EXCHANGE_API_KEY`, `EXCHANGE_API_SECRET` and (some venues) `EXCHANGE_API_PASSWORD`.
 * @throws ConfigError when the key or the secret is missing
 */
export function exchangeKeys(env: NodeJS.ProcessEnv): ExchangeKeys {
  const apiKey = env.EXCHANGE_API_KEY?.trim();
  const secret = env.EXCHANGE_API_SECRET?.trim();
  if (!apiKey || !secret) {
    throw new ConfigError(
      'live mode needs exchange keys: set EXCHANGE_API_KEY and EXCHANGE_API_SECRET in the environment or in .env ' +
        '(never in a config file). Start on the testnet with exchange.sandbox: true, and keep withdrawals disabled on the key.',
      'EXCHANGE_API_KEY',
    );
  }
  const password = env.EXCHANGE_API_PASSWORD?.trim();
  return { apiKey, secret, ...(password ? { password } : {}) };
}

/**
 * Live orders need the owner's consent from the phone: the Telegram chat.
 * @throws ConfigError with the console chat (configured, or because Telegram is not set up)
 */
export function assertLiveChat(config: Config, env: NodeJS.ProcessEnv): void {
  if (config.chat.type === 'console') {
    throw new ConfigError('live mode is not allowed with the console chat: set chat to "telegram" (or "auto") and configure Telegram', 'chat');
  }
  if (!loadTelegramConfig(config.telegram.configFile, env)) {
    throw new ConfigError(
      `live mode needs Telegram for order confirmations, but ${config.telegram.configFile} is missing and TELEGRAM_BOT_TOKEN is not set; ` +
        'the console chat is not allowed with live mode',
      'chat',
    );
  }
}

/** Where ccxt should send requests: the configured base, except the default production host on the testnet. */
function restBase(config: Config): string | undefined {
  const production = ConfigSchema.parse({}).exchange.restBaseUrl;
  // Rewriting the testnet URLs onto the production host would send testnet keys to the real venue.
  return config.exchange.sandbox && config.exchange.restBaseUrl === production ? undefined : config.exchange.restBaseUrl;
}

/** Builds the live trader for `config.exchange` (nothing is sent until `connect()`). */
export async function createLiveTrader(config: Config, keys: ExchangeKeys, timeoutMs?: number): Promise<LiveTrader> {
  const base = restBase(config);
  const ex = await createExchange({
    id: config.exchange.id,
    ...(base ? { restBaseUrl: base } : {}),
    apiKey: keys.apiKey,
    secret: keys.secret,
    ...(keys.password ? { password: keys.password } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  if (config.exchange.sandbox) {
    try {
      ex.setSandboxMode(true);
    } catch {
      throw new ConfigError(`ccxt has no testnet for ${config.exchange.id}; set exchange.sandbox to false only once you mean real orders`, 'exchange.sandbox');
    }
  }
  return new LiveTrader(new ExchangeBroker(ex, config.quote));
}
