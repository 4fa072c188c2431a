import { z } from 'zod';
import { TIMEFRAMES } from '../core/timeframe.js';

const timeframe = z.enum(TIMEFRAMES);
const percent = z.number().min(0).max(100);

/**
 * Live thresholds of one timeframe (seed 003's LIVE_THRESHOLDS): a validated signal's
 * out-of-sample stats must clear them. minWinRate is a fraction (0.38 = 38 %).
 */
export const ThresholdsSchema = z.object({
  minWinRate: z.number().min(0).max(1),
  minProfitFactor: z.number().min(0).default(1.2),
  minTrades: z.number().int().min(1),
  /** Minimum reward : risk of a signal (2 = 2:1). */
  requiredRR: z.number().positive(),
}).strict();
export type Thresholds = z.infer<typeof ThresholdsSchema>;

const th = (minWinRate: number, minTrades: number, requiredRR: number) => ThresholdsSchema.prefault({ minWinRate, minTrades, requiredRR });

/**
 * edgebot's configuration (config/default.json, overridden by `--config FILE`). Every field has a
 * default, so `{}` is a valid config. Percent fields are percents (1 = 1 %); bps are basis points.
 */
export const ConfigSchema = z.object({
  /** Quote currency of every instrument. */
  quote: z.string().default('USDT'),
  /** Base coins monitored for ratings and z-scores (all trade only if they have a parameter set). */
  baseCoins: z.array(z.string().regex(/^[A-Z0-9]{2,12}$/, 'upper-case coin ticker like BTC')).min(2).default(
    ['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE', 'AVAX', 'LINK', 'XLM', 'TRX', 'DOT', 'LTC', 'POL'],
  ),
  /** Timeframes scanned (besides the base timeframe of the feed). */
  timeframes: z.array(timeframe).min(1).default(['5m', '15m', '30m', '1h']),
  rating: z.object({
    /** Rating interval: one game per coin per candle of this timeframe. */
    timeframe: timeframe.default('5m'),
    tau: z.number().positive().default(0.5),
    opponentRd: z.number().positive().default(100),
    drawThreshold: z.number().min(0).default(0.001),
    scoreScale: z.number().positive().default(50),
    returnWindow: z.number().int().min(2).default(20),
    initialRating: z.number().default(1500),
    initialRd: z.number().positive().default(350),
    initialVolatility: z.number().positive().default(0.06),
    /** MA-z length for coins without a parameter set (shown by /signals). */
    defaultMovingAverages: z.number().int().positive().default(50),
    /** Run the cross-coin step this long after an interval's close even if some coin is missing. */
    syncGraceMs: z.number().int().min(0).default(15_000),
    /** Z-rule threshold: "absolute", or "sqrtN" = threshold × √(n−1)/√13 over n coins (|z| ≤ √(n−1); 14 coins = absolute). */
    zScoreScale: z.enum(['absolute', 'sqrtN']).default('absolute'),
  }).prefault({}),
  risk: z.object({
    maxOpenPositions: z.number().int().min(0).default(5),
    maxPositionPercent: percent.default(20),
    riskPerTradePercent: percent.default(1),
    maxDailyLossPercent: percent.default(5),
    maxDrawdownPercent: percent.default(25),
    maxDailyTrades: z.number().int().min(0).default(20),
    cooldownMinutes: z.number().min(0).default(60),
    /** Minimum order value in quote currency. */
    minNotional: z.number().min(0).default(10),
    /** N consecutive exchange errors pause live trading. */
    circuitBreakerErrors: z.number().int().positive().default(3),
  }).prefault({}),
  broker: z.object({
    startingBalance: z.number().positive().default(10_000),
    feeBps: z.number().min(0).default(10),
    slippageBps: z.number().min(0).default(5),
  }).prefault({}),
  execution: z.object({
    /** "paper": every tradable card is paper-traded without a tap. */
    autoTrade: z.enum(['off', 'paper']).default('off'),
    /** A card's buttons expire after this many of its timeframe's candles. */
    cardExpiryBars: z.number().int().positive().default(3),
    confirmTtlSeconds: z.number().int().positive().default(60),
    slippageTolerancePercent: percent.default(0.5),
    orderTimeoutSeconds: z.number().int().positive().default(30),
  }).prefault({}),
  /** Which chat to use: "auto" = Telegram when configured, else the console. */
  chat: z.enum(['auto', 'console', 'telegram']).default('auto'),
  telegram: z.object({
    /** Bot API server; point it at a local Bot API server or a test fake. */
    apiRoot: z.string().url().default('https://api.telegram.org'),
    /** Where .telegram_config.json lives. */
    configFile: z.string().default('.telegram_config.json'),
  }).prefault({}),
  exchange: z.object({
    id: z.string().default('binance'),
    restBaseUrl: z.string().url().default('https://api.binance.com'),
    sandbox: z.boolean().default(false),
  }).prefault({}),
  feed: z.object({
    type: z.enum(['binance-ws', 'rest']).default('binance-ws'),
    wsBaseUrl: z.string().url().default('wss://stream.binance.com:9443'),
    baseTimeframe: timeframe.default('1m'),
    closeGraceMs: z.number().int().min(0).default(5_000),
    maxMissingBars: z.number().int().min(0).default(3),
    warmupBars: z.number().int().min(0).default(1_500),
  }).prefault({}),
  paths: z.object({
    state: z.string().default('data/state.json'),
    liveParams: z.string().default('config/live-params.json'),
    validatedSignals: z.string().default('signals/validated.json'),
    logDir: z.string().default('logs'),
  }).prefault({}),
  /**
   * `edgebot backtest` (signals/README.md): walk-forward split and the per-timeframe live
   * thresholds. Min win rate = break-even at the required R:R (1 / (1 + RR)) + ~5 points, as
   * seed 003's 0.38 for 2:1; min trades 50 on 1m/2m (seed), then fewer as bars get longer but
   * never under 30.
   */
  validation: z.object({
    /** Share of each data window before the first out-of-sample fold (walk-forward). */
    inSampleFraction: z.number().gt(0).lt(1).default(0.5),
    /** Out-of-sample folds over the rest of the window; each re-chooses on all data before it. */
    folds: z.number().int().min(1).max(20).default(3),
    thresholds: z.object({
      '1m': th(0.38, 50, 2.0),
      '2m': th(0.38, 50, 2.0),
      '5m': th(0.38, 40, 2.0),
      '15m': th(0.33, 30, 2.5),
      '30m': th(0.30, 30, 3.0),
      '1h': th(0.30, 30, 3.0),
    }).strict().prefault({}),
  }).prefault({}),
  log: z.object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  }).prefault({}),
}).strict();

export type Config = z.infer<typeof ConfigSchema>;

/** One symbol's z-score parameter set (config/live-params.json, seed 000). */
export const ParamSetSchema = z.object({
  zScoreThreshold: z.number().positive(),
  movingAverages: z.number().int().positive(),
  /** Take-profit distance, percent of entry. */
  profitPercent: z.number().positive(),
  /** Stop-loss distance, percent of entry. */
  stopLossPercent: z.number().positive().max(100),
  /** Cap on the position value, percent of equity. */
  allocationPercent: percent.default(10),
  enabled: z.boolean().default(true),
}).strict();
export type ParamSet = z.infer<typeof ParamSetSchema>;

/** config/live-params.json: symbol (e.g. BTCUSDT) → parameter set. */
export const LiveParamsSchema = z.record(z.string().regex(/^[A-Z0-9]+$/, 'symbol like BTCUSDT'), ParamSetSchema);
export type LiveParams = z.infer<typeof LiveParamsSchema>;

/** .telegram_config.json (git-ignored). */
export const TelegramFileSchema = z.object({
  token: z.string().regex(/^\d+:[\w-]{20,}$/, 'a bot token from @BotFather, like 123456:ABC…'),
  chat_id: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number),
  allowed_user_ids: z.array(z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(Number)).default([]),
});
export type TelegramFile = z.infer<typeof TelegramFileSchema>;
