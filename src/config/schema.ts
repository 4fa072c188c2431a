import { z } from 'zod';
import { MARKET_TYPES } from '../core/instrument.js';
import { TIMEFRAMES } from '../core/timeframe.js';

const timeframe = z.enum(TIMEFRAMES);
const ChatType = z.enum(['auto', 'console', 'telegram']);
const percent = z.number().min(0).max(100);
/** An integer in [min, max]; JSON numbers only (zod 4 refuses NaN and ±Infinity). */
const int = (min: number, max: number) => z.number().int().min(min).max(max);
/** A path or name: non-empty ("" would silently mean the current folder). */
const path = z.string().trim().min(1, 'must not be empty').max(4096);
const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL like https://api.example.com' });
const wsUrl = z.url({ protocol: /^wss?$/, error: 'a ws(s) URL like wss://stream.binance.com:9443' });

/**
 * Live thresholds of one timeframe (seed 003's LIVE_THRESHOLDS): a validated signal's
 * out-of-sample stats must clear them. minWinRate is a fraction (0.38 = 38 %).
 */
export const ThresholdsSchema = z.strictObject({
  minWinRate: z.number().min(0).max(1),
  /** Gross profit / gross loss in R; above 100 no family could ever pass. */
  minProfitFactor: z.number().min(0).max(100).default(1.2),
  /** Pooled out-of-sample trades; a million is beyond any data set we hold. */
  minTrades: int(1, 1_000_000),
  /** Minimum reward : risk of a signal (2 = 2:1); ≤ 100 (a 100:1 target is never reached). */
  requiredRR: z.number().positive().max(100),
});
export type Thresholds = z.infer<typeof ThresholdsSchema>;

const th = (minWinRate: number, minTrades: number, requiredRR: number) => ThresholdsSchema.prefault({ minWinRate, minTrades, requiredRR });

/**
 * edgebot's configuration (config/default.json, overridden by `--config FILE`). Every field has a
 * default, so `{}` is a valid config. Percent fields are percents (1 = 1 %); bps are basis points.
 * Every object is strict (an unknown key at any depth is an error) and every number bounded, so a
 * config that validates cannot crash the bot later (an MA length of 1e15 once did, allocating it).
 */
export const ConfigSchema = z.strictObject({
  /** Quote currency of every instrument. */
  quote: z.string().regex(/^[A-Z0-9]{2,12}$/, 'upper-case currency like USDT').default('USDT'),
  /** Base coins monitored for ratings and z-scores (all trade only if they have a parameter set); 2…500. */
  baseCoins: z.array(z.string().regex(/^[A-Z0-9]{2,12}$/, 'upper-case coin ticker like BTC')).min(2).max(500).default(
    ['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE', 'AVAX', 'LINK', 'XLM', 'TRX', 'DOT', 'LTC', 'POL'],
  ),
  /** Timeframes scanned (besides the base timeframe of the feed). */
  timeframes: z.array(timeframe).min(1).max(TIMEFRAMES.length).default(['5m', '15m', '30m', '1h']),
  rating: z.strictObject({
    /** Rating interval: one game per coin per candle of this timeframe. */
    timeframe: timeframe.default('5m'),
    /** Glicko-2 system constant; Glickman suggests 0.3…1.2, ≤ 10 keeps the iteration sane. */
    tau: z.number().positive().max(10).default(0.5),
    /** The market opponent's RD; ≤ 1000 (a new player starts at 350). */
    opponentRd: z.number().positive().max(1000).default(100),
    /** |return| below this is a draw; a fraction, ≤ 1 (100 %). */
    drawThreshold: z.number().min(0).max(1).default(0.001),
    /** score = 0.5 + scale · return; ≤ 10 000 (scale 50 saturates at ±1 %). */
    scoreScale: z.number().positive().max(10_000).default(50),
    /** Returns in the opponent's σ_ret; ≤ 10 000 bars. */
    returnWindow: int(2, 10_000).default(20),
    initialRating: z.number().min(0).max(10_000).default(1500),
    initialRd: z.number().positive().max(1000).default(350),
    /** Glicko-2 σ; ≤ 1 (0.06 is the standard start). */
    initialVolatility: z.number().positive().max(1).default(0.06),
    /** MA-z length for coins without a parameter set (shown by /signals); ≤ 10 000 (a ring buffer of this size is allocated). */
    defaultMovingAverages: int(1, 10_000).default(50),
    /** Run the cross-coin step this long after an interval's close even if some coin is missing; ≤ 1 h. */
    syncGraceMs: int(0, 3_600_000).default(15_000),
    /** Z-rule threshold: "absolute", or "sqrtN" = threshold × √(n−1)/√13 over n coins (|z| ≤ √(n−1); 14 coins = absolute). */
    zScoreScale: z.enum(['absolute', 'sqrtN']).default('absolute'),
  }).prefault({}),
  risk: z.strictObject({
    /** ≤ 1000 open positions. */
    maxOpenPositions: int(0, 1000).default(5),
    maxPositionPercent: percent.default(20),
    riskPerTradePercent: percent.default(1),
    maxDailyLossPercent: percent.default(5),
    maxDrawdownPercent: percent.default(25),
    /** ≤ 10 000 trades a day. */
    maxDailyTrades: int(0, 10_000).default(20),
    /** ≤ one week (10 080 min). */
    cooldownMinutes: z.number().min(0).max(10_080).default(60),
    /** Minimum order value in quote currency; ≤ 1 000 000. */
    minNotional: z.number().min(0).max(1_000_000).default(10),
    /** N consecutive exchange errors pause live trading; 1…1000. */
    circuitBreakerErrors: int(1, 1000).default(3),
    /**
     * On hitting maxDailyLossPercent: "block" new entries for the rest of the UTC day, or
     * "flatten" — also close every position at market and stay stopped until /resume.
     */
    onDailyLossLimit: z.enum(['block', 'flatten']).default('block'),
  }).prefault({}),
  broker: z.strictObject({
    /** Paper balance in quote currency; ≤ 1e12 keeps money arithmetic exact to the cent. */
    startingBalance: z.number().positive().max(1e12).default(10_000),
    /** ≤ 1000 bps (10 %) per fill. */
    feeBps: z.number().min(0).max(1000).default(10),
    /** ≤ 1000 bps (10 %) per fill. */
    slippageBps: z.number().min(0).max(1000).default(5),
  }).prefault({}),
  execution: z.strictObject({
    /** "paper": every tradable card is paper-traded without a tap. */
    autoTrade: z.enum(['off', 'paper']).default('off'),
    /** A card's buttons expire after this many of its timeframe's candles; ≤ 1000. */
    cardExpiryBars: int(1, 1000).default(3),
    /** A Live confirmation is valid this long; ≤ 3600 s (a quote older than an hour is no quote). */
    confirmTtlSeconds: int(1, 3600).default(60),
    /** Allowed drift between the confirmed quote and the order price; ≤ 50 %. */
    slippageTolerancePercent: z.number().min(0).max(50).default(0.5),
    /** ≤ 600 s per order. */
    orderTimeoutSeconds: int(1, 600).default(30),
    /**
     * Offer `💰 Live…` on signals the validation gate did not validate (or that have no backtest
     * evidence). Off by default: such signals are paper-only. Paused signals stay paper-only
     * regardless (resume them with the drift alert's button). `/status` says when this is on.
     */
    liveUnvalidated: z.boolean().default(false),
  }).prefault({}),
  /**
   * Execution KPI alert thresholds (src/kernel/kpi.ts; seed 002): an alert when mean slippage (quote vs
   * fill) exceeds `slippagePercent`, mean order-to-fill time `fillTimeSeconds`, p99 candle-close →
   * card-delivered latency `latencySeconds`, or feed uptime over the last 24 h falls below
   * `uptimePercent`.
   */
  kpi: z.strictObject({
    /** ≤ 100 %. */
    slippagePercent: z.number().min(0).max(100).default(0.5),
    /** ≤ 86 400 s. */
    fillTimeSeconds: z.number().min(0).max(86_400).default(30),
    /** 0…100 %. */
    uptimePercent: z.number().min(0).max(100).default(95),
    /** ≤ 86 400 s. */
    latencySeconds: z.number().min(0).max(86_400).default(5),
  }).prefault({}),
  /**
   * The chat. `type`: "auto" = Telegram when configured, else the console. `charts`: a chart image
   * with every tradable card and a Chart button per position (~100 ms a render, off the engine's
   * path); default on for Telegram, off for the console (which writes PNG files). The plain string
   * form (`"chat": "console"`) is short for `{ "type": "console" }`.
   */
  chat: z.union([
    ChatType.transform((type): { type: typeof type; charts?: boolean } => ({ type })),
    z.strictObject({ type: ChatType.default('auto'), charts: z.boolean().optional() }),
  ]).default({ type: 'auto' }),
  telegram: z.strictObject({
    /** Bot API server; point it at a local Bot API server or a test fake. */
    apiRoot: httpUrl.default('https://api.telegram.org'),
    /** Where .telegram_config.json lives. */
    configFile: path.default('.telegram_config.json'),
  }).prefault({}),
  exchange: z.strictObject({
    /** ccxt exchange id. */
    id: z.string().regex(/^[a-z0-9]{2,40}$/, 'a ccxt exchange id like binance').default('binance'),
    /**
     * Replaces the host of the venue's REST URLs (a proxy, a fake on loopback). The default,
     * Binance's production host, means "the venue's own hosts" for every other venue.
     */
    restBaseUrl: httpUrl.default('https://api.binance.com'),
    sandbox: z.boolean().default(false),
    /**
     * Which of the venue's markets to trade: "spot" (long only) or "swap" (perpetuals; paper mode
     * trades both ways). Instruments are resolved from the venue's markets at start.
     */
    marketType: z.enum(MARKET_TYPES).default('spot'),
    /**
     * Explicit ccxt market symbols per base coin (`{ "BTC": "BTC/USD:USD" }`), for a coin whose
     * market is not `BASE/quote` (spot) or `BASE/quote:quote` (swap). Keys must be in baseCoins.
     */
    markets: z.record(z.string().regex(/^[A-Z0-9]{2,12}$/, 'upper-case coin ticker like BTC'),
      z.string().min(3).max(60).regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, 'a ccxt unified symbol like BTC/USD:USD'))
      .refine((r) => Object.keys(r).length <= 500, 'at most 500 markets').default({}),
  }).prefault({}),
  feed: z.strictObject({
    type: z.enum(['binance-ws', 'rest']).default('binance-ws'),
    wsBaseUrl: wsUrl.default('wss://stream.binance.com:9443'),
    baseTimeframe: timeframe.default('1m'),
    /** Wait this long after a close for its final frame; ≤ 5 min. */
    closeGraceMs: int(0, 300_000).default(5_000),
    /** Gaps longer than this raise an alert; ≤ 100 000 bars. */
    maxMissingBars: int(0, 100_000).default(3),
    /** Floor under the warm-up length in base bars; 0 = derived from every lookback (src/signal/lookback.ts warmupPlan); ≤ 100 000 (about 70 days of 1m). */
    warmupBars: int(0, 100_000).default(0),
  }).prefault({}),
  /** File and folder paths; never empty. */
  paths: z.strictObject({
    state: path.default('data/state.json'),
    liveParams: path.default('config/live-params.json'),
    validatedSignals: path.default('signals/validated.json'),
    logDir: path.default('logs'),
  }).prefault({}),
  /**
   * `edgebot backtest` (signals/README.md): walk-forward split and the per-timeframe live
   * thresholds. Min win rate = break-even at the required R:R (1 / (1 + RR)) + ~5 points, as
   * seed 003's 0.38 for 2:1; min trades 50 on 1m/2m (seed), then fewer as bars get longer but
   * never under 30.
   */
  validation: z.strictObject({
    /** Share of each data window before the first out-of-sample fold (walk-forward). */
    inSampleFraction: z.number().gt(0).lt(1).default(0.5),
    /** Out-of-sample folds over the rest of the window; each re-chooses on all data before it. */
    folds: int(1, 20).default(3),
    thresholds: z.strictObject({
      '1m': th(0.38, 50, 2.0),
      '2m': th(0.38, 50, 2.0),
      '5m': th(0.38, 40, 2.0),
      '15m': th(0.33, 30, 2.5),
      '30m': th(0.30, 30, 3.0),
      '1h': th(0.30, 30, 3.0),
    }).prefault({}),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  }).prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;

/** One symbol's z-score parameter set (config/live-params.json, seed 000). */
export const ParamSetSchema = z.strictObject({
  /**
   * MA-z that triggers; ≤ 20 (population |z| ≤ √(n−1), so 20 needs 401 coins —
   * {@link zThresholdWarnings} says when a threshold is out of reach for the coins at hand).
   */
  zScoreThreshold: z.number().positive().max(20),
  /** MA-z length in rating intervals; ≤ 10 000 (a ring buffer of this size is allocated). */
  movingAverages: int(1, 10_000),
  /** Take-profit distance, percent of entry; ≤ 1000 %. */
  profitPercent: z.number().positive().max(1000),
  /** Stop-loss distance, percent of entry; < 100 (a 100 % stop is at price 0). */
  stopLossPercent: z.number().positive().lt(100),
  /** Cap on the position value, percent of equity. */
  allocationPercent: percent.default(10),
  enabled: z.boolean().default(true),
});
export type ParamSet = z.infer<typeof ParamSetSchema>;

/** config/live-params.json: symbol (e.g. BTCUSDT, or BTCUSD.P for a perpetual) → parameter set; at most 1000 symbols. */
export const LiveParamsSchema = z.record(z.string().regex(/^[A-Z0-9]{2,30}(\.P)?$/, 'symbol like BTCUSDT (or BTCUSD.P for a perpetual)'), ParamSetSchema)
  .refine((r) => Object.keys(r).length <= 1000, 'at most 1000 parameter sets');
export type LiveParams = z.infer<typeof LiveParamsSchema>;

/** .telegram_config.json (git-ignored). */
const chatId = z.union([z.number().int(), z.string().regex(/^-?\d{1,16}$/, 'a numeric chat id')]).transform(Number)
  .refine(Number.isSafeInteger, 'a chat id within ±2^53');
export const TelegramFileSchema = z.strictObject({
  token: z.string().max(200).regex(/^\d+:[\w-]{20,}$/, 'a bot token from @BotFather, like 123456:ABC…'),
  chat_id: chatId,
  /** User ids (positive); ≤ 1000 of them. */
  allowed_user_ids: z.array(z.union([z.number().int().positive(), z.string().regex(/^\d{1,16}$/, 'a numeric user id')]).transform(Number)
    .refine(Number.isSafeInteger, 'a user id within 2^53')).max(1000).default([]),
});
export type TelegramFile = z.infer<typeof TelegramFileSchema>;
