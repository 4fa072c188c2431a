import { tradeRowsCsv } from '../portfolio/trades-csv.js';
import type { Evidence } from './gate.js';

/**
 * `edgebot backtest --trades FILE`: one row per closed out-of-sample trade of every family (the
 * trades the gate judged), families in the given order, trades by entry time: signal id
 * (`rule:SYMBOL:tf:<hex>`, or `glicko_zscore:SYMBOL`), rule, symbol, timeframe, entry and exit time
 * (ISO UTC), entry and exit price (quote currency), qty (base asset), fees (entry + exit, quote),
 * pnl (net of fees, quote), R (pnl / initial risk) and exit reason.
 */
export function tradesCsv(families: readonly Evidence[]): string {
  return tradeRowsCsv(families.flatMap((e) => e.oos.map((t) => ({ ...t, rule: e.family.rule, timeframe: e.family.timeframe }))));
}
