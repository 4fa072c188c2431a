import * as cmd from '../../commands/index.js';
import { renderExportCaption, renderReport } from '../render-reports.js';
import type { ChatFeature } from './feature.js';

/** The report tables: per period, per instrument and signal, statistics, and the trade list as CSV. */
export const reports: ChatFeature = {
  commands: [
    { command: 'daily', description: 'P&L per UTC day: /daily 7', run: ({ rt }, args) => cmd.periods(rt, 'day', Number(args.trim())) },
    { command: 'weekly', description: 'P&L per week (Monday to Sunday): /weekly 4', run: ({ rt }, args) => cmd.periods(rt, 'week', Number(args.trim())) },
    { command: 'monthly', description: 'P&L per month: /monthly 6', run: ({ rt }, args) => cmd.periods(rt, 'month', Number(args.trim())) },
    { command: 'performance', description: 'P&L per instrument and per signal', run: ({ rt }) => cmd.performance(rt) },
    { command: 'stats', description: 'Exits by reason, hold, PF, mean R, drawdown, Sharpe', run: ({ rt }) => cmd.stats(rt) },
    { command: 'export', description: 'All closed trades as a CSV file', run: ({ rt }) => cmd.exportTrades(rt) },
  ],
  views: {
    periods: (v, quote) => renderReport(v, quote),
    performance: (v, quote) => renderReport(v, quote),
    stats: (v, quote) => renderReport(v, quote),
    export: (v) => ({ html: renderExportCaption(v.trades, v.at), buttons: [] }),
  },
};
