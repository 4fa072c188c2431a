/**
 * Binance kline stream frames: stream names, and parsing a combined-stream frame into a kline
 * update (or the reason it is dropped). No sockets here.
 */
import type { Candle } from '../../core/candle.js';
import { timeframeMs, type Timeframe } from '../../core/timeframe.js';
import type { DroppedFrameReason } from '../health.js';
import { checkCandle } from '../validate.js';

/** Binance's public market-data stream host. */
export const BINANCE_WS_BASE_URL = 'wss://stream.binance.com:9443';
/** Binance's limit of streams on one connection. */
export const BINANCE_MAX_STREAMS = 1024;

/** `BTCUSDT`, `1m` → `btcusdt@kline_1m`. */
export function klineStream(symbol: string, interval: Timeframe): string {
  return `${symbol.toLowerCase()}@kline_${interval}`;
}

/** A kline frame, parsed and checked. `candle.closeTime` is open + interval (edgebot's convention). */
export interface KlineFrame {
  stream: string;
  symbol: string;
  candle: Candle;
  /** `k.x`: the candle has closed. */
  final: boolean;
  /** `E`, ms UTC. */
  eventTime: number;
}

/** Result of parsing one text frame. */
export type ParsedFrame =
  | { kind: 'kline'; frame: KlineFrame }
  | { kind: 'shutdown' }
  /** A reply to a SUBSCRIBE-style method call; nothing to do. */
  | { kind: 'reply' }
  | { kind: 'bad'; reason: DroppedFrameReason; detail: string };

/** A finite number from Binance's string (or number) field, else NaN. */
function num(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.trim() !== '') return Number(x);
  return NaN;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Parses one combined-stream text frame: `{"stream":"btcusdt@kline_1m","data":{"e":"kline",...}}`.
 * Recognizes Binance's `serverShutdown` event in any wrapping (`{e}`, `{event:{e}}`, `{data:{e}}`).
 * @param streams the streams this connection subscribed to
 * @param interval the kline interval expected (the base timeframe)
 */
export function parseFrame(text: string, streams: ReadonlySet<string>, interval: Timeframe): ParsedFrame {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'bad', reason: 'bad-json', detail: text.slice(0, 80) };
  }
  if (!isObj(msg)) return { kind: 'bad', reason: 'bad-shape', detail: text.slice(0, 80) };
  const inner = isObj(msg.data) ? msg.data : isObj(msg.event) ? msg.event : msg;
  if (inner.e === 'serverShutdown') return { kind: 'shutdown' };
  if ('result' in msg && 'id' in msg) return { kind: 'reply' };
  const stream = msg.stream;
  const k = inner.k;
  if (typeof stream !== 'string' || inner.e !== 'kline' || !isObj(k)) {
    return { kind: 'bad', reason: 'bad-shape', detail: text.slice(0, 80) };
  }
  const symbol = typeof k.s === 'string' ? k.s : '';
  // Not subscribed here, or a payload whose symbol does not match its stream name.
  if (!streams.has(stream) || stream.slice(0, stream.indexOf('@')) !== symbol.toLowerCase()) {
    return { kind: 'bad', reason: 'unknown-stream', detail: stream };
  }
  if (k.i !== interval || klineStream(symbol, interval) !== stream) {
    return { kind: 'bad', reason: 'bad-shape', detail: `${stream} interval ${String(k.i)}` };
  }
  const ms = timeframeMs(interval);
  const openTime = num(k.t);
  const candle: Candle = {
    openTime,
    closeTime: openTime + ms,
    open: num(k.o),
    high: num(k.h),
    low: num(k.l),
    close: num(k.c),
    volume: num(k.v),
  };
  const eventTime = num(inner.E);
  if (![openTime, candle.open, candle.high, candle.low, candle.close, candle.volume].every(Number.isFinite)) {
    return { kind: 'bad', reason: 'bad-number', detail: `${stream} ${String(k.t)}` };
  }
  const problem = checkCandle(candle, ms);
  if (problem) return { kind: 'bad', reason: 'invalid-candle', detail: `${stream} ${openTime} ${problem}` };
  if (typeof k.x !== 'boolean') return { kind: 'bad', reason: 'bad-shape', detail: `${stream} x=${String(k.x)}` };
  return { kind: 'kline', frame: { stream, symbol, candle, final: k.x, eventTime } };
}

/** Callbacks of a {@link KlineConnection}. `conn` identifies the physical socket a frame came on. */
