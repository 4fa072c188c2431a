import type { Trade } from '../portfolio/types.js';
import type { Evidence } from './gate.js';
import type { TradeRecord } from './stats.js';

/** Header of `edgebot backtest --trades FILE`. */
export const TRADES_CSV_HEADER = 'signalId,rule,symbol,timeframe,entryTime,exitTime,entry,exit,qty,fees,pnl,r,exitReason';

/** A CSV cell: quoted only when it holds a comma, quote or newline (RFC 4180). */
function cell(x: string | number): string {
  const s = String(x);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One row per closed out-of-sample trade of every family (the trades the gate judged), families
 * in the given order, trades by entry time: signal id (`rule:SYMBOL:tf:<hex>`, or
 * `glicko_zscore:SYMBOL`), rule, symbol, timeframe, entry and exit time (ISO UTC), entry and exit
 * price (quote currency), qty (base asset), fees (entry + exit, quote), pnl (net of fees, quote),
 * R (pnl / initial risk) and exit reason (`target`, `stop`, `time`, `zscore-reversal`).
 */
export function tradesCsv(families: readonly Evidence[]): string {
  return tradeRowsCsv(families.flatMap((e) => e.oos.map((t) => ({ ...t, rule: e.family.rule, timeframe: e.family.timeframe }))));
}

/** The same file for closed trades of the bot's own books (`replay --trades`, `/export`): fees = entry + exit fee. */
export function closedTradesCsv(trades: readonly Trade[]): string {
  return tradeRowsCsv(trades.map((t) => ({ ...t, fees: t.entryFee + t.exitFee })));
}

/** The rows in the given order, one per trade. */
function tradeRowsCsv(rows: readonly (Omit<TradeRecord, 'stop'> & { rule: string; timeframe: string })[]): string {
  const lines = [TRADES_CSV_HEADER];
  for (const t of rows) {
    lines.push([
      t.signalId, t.rule, t.symbol, t.timeframe, new Date(t.entryTime).toISOString(), new Date(t.exitTime).toISOString(),
      t.entryPrice, t.exitPrice, t.qty, t.fees, t.pnl, t.r, t.reason,
    ].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}
