/**
 * Execution KPIs (seed 002's monitoring list), as data. Shared low in the layers: the KPI
 * service measures them, events carry their alerts, commands and the notifier show them.
 */
export type KpiName = 'slippage' | 'fill-time' | 'uptime' | 'latency';

/**
 * A KPI crossed its configured threshold (`kpi.*` in the config): `value` and `threshold` in
 * `unit` (percent, or seconds), over `samples` measurements. Sent once per crossing; the KPI
 * alerts again only after it has come back within its threshold.
 */
export interface KpiAlert {
  kpi: KpiName;
  /** slippage: mean over recent fills, %; fill-time: mean, s; uptime: feed connected, % of the last 24 h sampled; latency: p99, s. */
  value: number;
  threshold: number;
  unit: '%' | 's';
  /** Above (slippage, fill time, latency) or below (uptime) the threshold. */
  direction: 'above' | 'below';
  samples: number;
}
