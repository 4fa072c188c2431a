import type { KpiView } from '../commands/views.js';
import type { KpiAlert, KpiName } from '../core/kpi.js';
import type { KpiSnapshot } from '../kernel/kpi.js';
import type { Rendered } from './rendered.js';

const NAME: Record<KpiName, string> = { slippage: 'Slippage', 'fill-time': 'Fill time', uptime: 'Feed uptime', latency: 'Signal latency' };

/** Seconds from ms: `0.4 s`, `12 s`, `3.1 min`. */
function secs(ms: number): string {
  const s = ms / 1000;
  if (s >= 120) return `${(s / 60).toFixed(1)} min`;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

/** A signed percent with two decimals: `+0.05 %`. */
function signedPct(x: number): string {
  return `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)} %`;
}

function flag(s: KpiSnapshot, k: KpiName): string {
  return s.breaching.includes(k) ? ' ⚠️' : '';
}

/** The `/status` line: each KPI in a few characters, `—` where nothing was measured, ⚠️ past a threshold. */
export function renderKpiLine(s: KpiSnapshot): string {
  const e = s.execution;
  const parts = [
    `exec ${e.percent === null ? '—' : `${Math.round(e.percent)} % (${e.acted}/${e.tradable})`}`,
    `slip ${s.slippage.meanPercent === null ? '—' : signedPct(s.slippage.meanPercent)}${flag(s, 'slippage')}`,
    `fill ${s.fillTime.meanMs === null ? '—' : secs(s.fillTime.meanMs)}${flag(s, 'fill-time')}`,
    `uptime ${s.uptime.percent === null ? '—' : `${s.uptime.percent.toFixed(1)} %`}${flag(s, 'uptime')}`,
    `latency ${s.latency.p50Ms === null || s.latency.p99Ms === null ? '—' : `${secs(s.latency.p50Ms)}/${secs(s.latency.p99Ms)}`}${flag(s, 'latency')}`,
  ];
  return `KPI: ${parts.join(' · ')} (/kpi)`;
}

/** `/kpi`: one paragraph per KPI with its sample count and threshold. */
export function renderKpi(v: KpiView): Rendered {
  const t = v.thresholds;
  const e = v.execution;
  const lines = ['<b>Execution KPIs</b>'];
  lines.push(`Execution rate: ${e.percent === null ? 'no tradable cards yet' : `${e.percent.toFixed(1)} % — ${e.acted} of ${e.tradable} tradable cards paper- or live-traded`}`);
  lines.push(v.slippage.meanPercent === null
    ? 'Slippage: no fills yet'
    : `Slippage${flag(v, 'slippage')}: mean ${signedPct(v.slippage.meanPercent)}, worst ${signedPct(v.slippage.maxPercent!)} over the last ${v.slippage.samples} fill${v.slippage.samples === 1 ? '' : 's'} (fill vs the card's entry; alert above ${t.slippagePercent} %)`);
  lines.push(v.fillTime.meanMs === null
    ? 'Fill time: no fills yet'
    : `Fill time${flag(v, 'fill-time')}: mean ${secs(v.fillTime.meanMs)}, longest ${secs(v.fillTime.maxMs!)} over ${v.fillTime.samples} order${v.fillTime.samples === 1 ? '' : 's'} (tap → fill; alert above ${t.fillTimeSeconds} s)`);
  lines.push(v.uptime.percent === null
    ? 'Feed uptime: no live feed sampled (replay)'
    : `Feed uptime${flag(v, 'uptime')}: ${v.uptime.percent.toFixed(1)} % of ${v.uptime.minutes} minute${v.uptime.minutes === 1 ? '' : 's'} sampled in the last 24 h (alert below ${t.uptimePercent} %)`);
  lines.push(!v.latency.measured
    ? 'Signal latency: not measured in a replay (its clock is candle time)'
    : v.latency.p50Ms === null || v.latency.p99Ms === null
      ? 'Signal latency: no cards delivered yet'
      : `Signal latency${flag(v, 'latency')}: p50 ${secs(v.latency.p50Ms)}, p99 ${secs(v.latency.p99Ms)} over ${v.latency.samples} card${v.latency.samples === 1 ? '' : 's'} (candle close → delivered; alert when p99 is above ${t.latencySeconds} s)`);
  return { html: lines.join('\n'), buttons: [] };
}

/** The alert when a KPI crosses its threshold. */
export function renderKpiAlert(a: KpiAlert): Rendered {
  const value = a.unit === '%' ? `${a.value.toFixed(a.kpi === 'uptime' ? 1 : 2)} %` : secs(a.value * 1000);
  const over = a.kpi === 'uptime' ? `of the last ${a.samples} minutes` : `over the last ${a.samples} ${a.kpi === 'latency' ? 'cards' : 'fills'}`;
  const stat = a.kpi === 'latency' ? 'p99 ' : a.kpi === 'uptime' ? '' : 'mean ';
  return {
    html: `⚠️ <b>KPI alert — ${NAME[a.kpi]}</b>: ${stat}${value} ${over}, ${a.direction} the threshold of ${a.threshold} ${a.unit}. /kpi shows the detail.`,
    buttons: [],
  };
}
