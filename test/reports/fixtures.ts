import type { ExitReason, Trade, TradeMode } from '../../src/portfolio/types.js';
import type { Timeframe } from '../../src/core/timeframe.js';

/** ms UTC of 2025-05-dd hh:mm. 2025-05-05 is a Monday. */
export const at = (dd: number, hh: number, mm = 0) => Date.UTC(2025, 4, dd, hh, mm);

interface Spec {
  id: string;
  signalId: string;
  rule: string;
  symbol: string;
  timeframe: Timeframe;
  entryTime: number;
  exitTime: number;
  qty: number;
  entryPrice: number;
  stop: number;
  exitPrice: number;
  /** Each side's fee, quote currency. */
  fee: number;
  reason: ExitReason;
  mode?: TradeMode;
}

/** A closed long trade whose pnl and R follow from its prices as the broker computes them: net of both fees, R over (entry − stop) × qty. */
export function closed(s: Spec): Trade {
  const pnl = s.qty * (s.exitPrice - s.entryPrice) - 2 * s.fee;
  return {
    id: s.id, cardId: `card-${s.id}`, signalId: s.signalId, rule: s.rule, symbol: s.symbol, timeframe: s.timeframe, mode: s.mode ?? 'paper',
    qty: s.qty, entryPrice: s.entryPrice, entryTime: s.entryTime, entryFee: s.fee, stop: s.stop, target: s.entryPrice + 2 * (s.entryPrice - s.stop),
    exitPrice: s.exitPrice, exitTime: s.exitTime, exitFee: s.fee, reason: s.reason, pnl,
    pnlPercent: (pnl / (s.qty * s.entryPrice)) * 100, r: pnl / (s.qty * (s.entryPrice - s.stop)),
  };
}

const GZ_BTC = 'glicko_zscore:BTCUSDT';
const GZ_ETH = 'glicko_zscore:ETHUSDT';
const DON_BTC = 'donchian_breakout:BTCUSDT:1h:9f2c';
const RSI_SOL = 'rsi_mean_reversion:SOLUSDT:15m:a1b2';

/**
 * Six trades from Saturday 2025-05-03 to Tuesday 2025-05-06, across the Sunday→Monday midnight
 * (which is also a week boundary) and the Monday→Tuesday one. pnl / R, worked out by hand:
 *   t6 Sat 10:00→14:00  BTC  0.125 × (94,128 − 94,000) − 1 = +15   R  15/20 = +0.75  zscore-reversal
 *   t1 Sun 20:00→23:30  BTC  0.125 × (95,248 − 95,000) − 1 = +30   R  30/20 = +1.5   target
 *   t2 Sun 22:00→Mon 00:10 ETH  2 × (1,790 − 1,800) − 1   = −21   R −21/20 = −1.05  stop
 *   t3 Mon 09:00→12:00  BTC  0.25 × (96,208 − 96,000) − 2 = +50   R  50/25 = +2     target
 *   t4 Mon 23:00→Tue 01:00 SOL  8 × (149 − 150) − 2      = −10   R −10/20 = −0.5   time
 *   t5 Tue 02:00→03:00  ETH  4 × (1,810 − 1,820) − 2      = −42   R −42/40 = −1.05  stop (live book)
 * Sum +22; R sum +1.65. t4 is entered Monday and closed Tuesday: it counts on Tuesday.
 */
export const TRADES: readonly Trade[] = Object.freeze([
  closed({ id: 't6', signalId: GZ_BTC, rule: 'glicko_zscore', symbol: 'BTCUSDT', timeframe: '5m', entryTime: at(3, 10), exitTime: at(3, 14), qty: 0.125, entryPrice: 94_000, stop: 93_840, exitPrice: 94_128, fee: 0.5, reason: 'zscore-reversal' }),
  closed({ id: 't1', signalId: GZ_BTC, rule: 'glicko_zscore', symbol: 'BTCUSDT', timeframe: '5m', entryTime: at(4, 20), exitTime: at(4, 23, 30), qty: 0.125, entryPrice: 95_000, stop: 94_840, exitPrice: 95_248, fee: 0.5, reason: 'target' }),
  closed({ id: 't2', signalId: GZ_ETH, rule: 'glicko_zscore', symbol: 'ETHUSDT', timeframe: '5m', entryTime: at(4, 22), exitTime: at(5, 0, 10), qty: 2, entryPrice: 1_800, stop: 1_790, exitPrice: 1_790, fee: 0.5, reason: 'stop' }),
  closed({ id: 't3', signalId: DON_BTC, rule: 'donchian_breakout', symbol: 'BTCUSDT', timeframe: '1h', entryTime: at(5, 9), exitTime: at(5, 12), qty: 0.25, entryPrice: 96_000, stop: 95_900, exitPrice: 96_208, fee: 1, reason: 'target' }),
  closed({ id: 't4', signalId: RSI_SOL, rule: 'rsi_mean_reversion', symbol: 'SOLUSDT', timeframe: '15m', entryTime: at(5, 23), exitTime: at(6, 1), qty: 8, entryPrice: 150, stop: 147.5, exitPrice: 149, fee: 1, reason: 'time' }),
  closed({ id: 't5', signalId: GZ_ETH, rule: 'glicko_zscore', symbol: 'ETHUSDT', timeframe: '5m', entryTime: at(6, 2), exitTime: at(6, 3), qty: 4, entryPrice: 1_820, stop: 1_810, exitPrice: 1_810, fee: 1, reason: 'stop', mode: 'live' }),
]);
