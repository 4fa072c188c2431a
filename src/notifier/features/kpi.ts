import * as cmd from '../../commands/index.js';
import { renderKpi } from '../render-kpi.js';
import type { ChatFeature } from './feature.js';

/** `/kpi`: the execution KPIs against their alert thresholds. */
export const kpi: ChatFeature = {
  commands: [{ command: 'kpi', description: 'Execution KPIs: execution rate, slippage, fill time, uptime, latency', run: ({ rt }) => cmd.kpi(rt) }],
  views: { kpi: (v) => renderKpi(v) },
};
