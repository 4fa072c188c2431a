import type { ExitReason, Trade } from './types.js';

/** Header of every trade list edgebot writes (`backtest --trades`, `replay --trades`, `/export`). */
export const TRADES_CSV_HEADER = 'signalId,rule,symbol,timeframe,entryTime,exitTime,entry,exit,qty,fees,pnl,r,exitReason';

/** One row: prices, fees (entry + exit) and pnl (net of fees) in quote currency, qty in base asset, times ms UTC. */
export interface TradeRow {
  signalId: string;
  rule: string;
  symbol: string;
  timeframe: string;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  qty: number;
  fees: number;
  pnl: number;
  r: number;
  reason: ExitReason;
}

/** A CSV cell: quoted only when it holds a comma, quote or newline (RFC 4180). */
function cell(x: string | number): string {
  const s = String(x);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The rows in the given order, times as ISO 8601 UTC, numbers in full (JavaScript's shortest
 * round-trip form, so reading them back gives the same doubles).
 */
export function tradeRowsCsv(rows: readonly TradeRow[]): string {
  const lines = [TRADES_CSV_HEADER];
  for (const t of rows) {
    lines.push([
      t.signalId, t.rule, t.symbol, t.timeframe, new Date(t.entryTime).toISOString(), new Date(t.exitTime).toISOString(),
      t.entryPrice, t.exitPrice, t.qty, t.fees, t.pnl, t.r, t.reason,
    ].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Closed trades of the bot's books (`replay --trades`, `/export`); fees = entry + exit fee. */
export function closedTradesCsv(trades: readonly Trade[]): string {
  return tradeRowsCsv(trades.map((t) => ({ ...t, fees: t.entryFee + t.exitFee })));
}
