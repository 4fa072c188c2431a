import type { Clock } from '../core/clock.js';
import type { BotEvent } from './events.js';
import type { KpiAlert, KpiName } from '../core/kpi.js';
import type { Card } from './card.js';
import type { Config } from '../config/schema.js';
import type { Position } from '../portfolio/types.js';
import type { KpiState } from '../store/schema.js';
import type { OutboxItem } from '../store/schema.js';
import { max, mean, percentile } from './kpi-stats.js';

/** Samples kept: the last fills and latencies, and 24 h of per-minute feed samples. */
export const KPI_WINDOW = { fills: 100, latencies: 200, uptimeMinutes: 1440, orders: 200, cardsSeen: 1000 } as const;
/** Measurements a KPI needs before it can alert (one slow message is not a trend). */
export const KPI_MIN_SAMPLES: Record<KpiName, number> = { slippage: 3, 'fill-time': 3, latency: 5, uptime: 10 };

/** A new, empty KPI state. */
export function emptyKpiState(): KpiState {
  return { tradable: 0, acted: 0, orders: {}, fills: [], latencyMs: [], uptime: '', alerted: [] };
}

/**
 * The KPIs now (seed 002): percents as percents, times in ms, null where nothing was measured.
 * Execution rate counts cards since the state began; the others cover the last
 * {@link KPI_WINDOW} samples.
 */
export interface KpiSnapshot {
  /** Cards the owner acted on (paper or live) / cards that offered trade buttons. */
  execution: { tradable: number; acted: number; percent: number | null };
  /** Fill price vs the card's quoted entry, % (adverse positive: paid more on a buy). */
  slippage: { samples: number; meanPercent: number | null; maxPercent: number | null };
  /** Order sent (tap) → fill, ms. */
  fillTime: { samples: number; meanMs: number | null; maxMs: number | null };
  /** Minutes the feed was sampled over the last 24 h of running, and % of them connected. */
  uptime: { minutes: number; percent: number | null };
  /** Candle close → card delivered to the chat, ms; not measured in replay (simulated time). */
  latency: { measured: boolean; samples: number; p50Ms: number | null; p99Ms: number | null };
  /** The configured thresholds (`kpi.*`). */
  thresholds: Config['kpi'];
  /** KPIs past their threshold now. */
  breaching: KpiName[];
}

export interface KpiServiceDeps {
  /** The persisted KPI state (the runtime keeps it in `state.kpi`). */
  state: KpiState;
  clock: Clock;
  cards: ReadonlyMap<string, Card>;
  thresholds: Config['kpi'];
  /** Latency is measured only where the clock is the wall clock (paper, live). */
  measureLatency: boolean;
  /** Cards created before this (ms UTC) were counted by an earlier run. */
  startedAt: number;
  emit: (e: BotEvent) => void;
  persist: () => void;
}

/**
 * Measures the execution KPIs from what happens anyway — engine events (cards, taps, fills) and
 * the outbox's deliveries — and alerts once when one crosses its threshold. It answers with data
 * ({@link snapshot}); `src/notifier` words it.
 */
export class KpiService {
  readonly #d: KpiServiceDeps;
  /** Cards counted this run (dedupes the card event and an auto-trade's nested card-update). */
  readonly #seen = new Map<string, { acted: boolean }>();

  constructor(deps: KpiServiceDeps) {
    this.#d = deps;
  }

  get state(): KpiState {
    return this.#d.state;
  }

  /** Feeds an engine event (subscribe it to the bus). */
  onEvent(e: BotEvent): void {
    if (e.type === 'card') this.#onCard(e.card, true);
    else if (e.type === 'card-update') this.#onCard(e.card, false);
    else if (e.type === 'entry') this.#onFill(e.position);
  }

  #onCard(card: Card, created: boolean): void {
    const acted = card.status === 'paper' || card.status === 'live';
    if (!acted && (!created || card.status !== 'open')) return;
    const s = this.#d.state;
    let seen = this.#seen.get(card.id);
    if (!seen) {
      // A tap on a card an earlier run made: that run counted it as tradable.
      if (created || card.createdAt >= this.#d.startedAt) s.tradable++;
      seen = { acted: false };
      this.#seen.set(card.id, seen);
      if (this.#seen.size > KPI_WINDOW.cardsSeen) this.#seen.delete(this.#seen.keys().next().value!);
    }
    if (acted && !seen.acted) {
      seen.acted = true;
      s.acted++;
      s.orders[card.id] ??= this.#d.clock.now();
      const ids = Object.keys(s.orders);
      if (ids.length > KPI_WINDOW.orders) delete s.orders[ids[0]];
    }
    this.#d.persist();
  }

  #onFill(p: Position): void {
    const card = this.#d.cards.get(p.cardId);
    if (!card) return;
    const s = this.#d.state;
    const sign = card.direction === 'short' ? -1 : 1;
    const orderedAt = s.orders[p.cardId];
    delete s.orders[p.cardId];
    s.fills.push({
      at: this.#d.clock.now(), cardId: p.cardId, symbol: p.symbol, mode: p.mode, quote: card.entry, price: p.entryPrice,
      slippagePercent: (sign * (p.entryPrice - card.entry) / card.entry) * 100,
      // The simulator fills "at the next open", which can be stamped before the tap: never negative.
      ...(orderedAt !== undefined ? { fillMs: Math.max(0, p.entryTime - orderedAt) } : {}),
    });
    if (s.fills.length > KPI_WINDOW.fills) s.fills.splice(0, s.fills.length - KPI_WINDOW.fills);
    this.#check();
    this.#d.persist();
  }

  /** Records the latency of the cards among `items` the chat has just delivered (wire to the outbox). */
  onDelivered(items: readonly OutboxItem[]): void {
    if (!this.#d.measureLatency) return;
    const s = this.#d.state;
    const now = this.#d.clock.now();
    let n = 0;
    for (const it of items) {
      if (it.kind !== 'card') continue;
      const card = this.#d.cards.get(it.cardId);
      if (!card) continue;
      s.latencyMs.push(Math.max(0, now - card.createdAt));
      n++;
    }
    if (!n) return;
    if (s.latencyMs.length > KPI_WINDOW.latencies) s.latencyMs.splice(0, s.latencyMs.length - KPI_WINDOW.latencies);
    this.#check();
    this.#d.persist();
  }

  /** One per-minute sample of the feed (a job on the clock); `null` = no live feed (replay), not sampled. */
  sampleFeed(feed: { connected: boolean } | null): void {
    if (!feed) return;
    const s = this.#d.state;
    s.uptime = (s.uptime + (feed.connected ? '1' : '0')).slice(-KPI_WINDOW.uptimeMinutes);
    this.#check();
    this.#d.persist();
  }

  /** The KPIs now. */
  snapshot(): KpiSnapshot {
    const s = this.#d.state;
    const slip = s.fills.map((f) => f.slippagePercent);
    const fill = s.fills.flatMap((f) => (f.fillMs === undefined ? [] : [f.fillMs]));
    const up = s.uptime.length;
    const snap: KpiSnapshot = {
      execution: { tradable: s.tradable, acted: s.acted, percent: s.tradable ? (s.acted / s.tradable) * 100 : null },
      slippage: { samples: slip.length, meanPercent: mean(slip), maxPercent: max(slip) },
      fillTime: { samples: fill.length, meanMs: mean(fill), maxMs: max(fill) },
      uptime: { minutes: up, percent: up ? (countOnes(s.uptime) / up) * 100 : null },
      latency: { measured: this.#d.measureLatency, samples: s.latencyMs.length, p50Ms: percentile(s.latencyMs, 50), p99Ms: percentile(s.latencyMs, 99) },
      thresholds: this.#d.thresholds,
      breaching: [],
    };
    snap.breaching = this.#readings(snap).filter((r) => r.breach).map((r) => r.alert.kpi);
    return snap;
  }

  /** Each KPI's alert reading: its value against its threshold, and whether it is past it. */
  #readings(snap: KpiSnapshot): { alert: KpiAlert; breach: boolean }[] {
    const t = this.#d.thresholds;
    const out: { alert: KpiAlert; breach: boolean }[] = [];
    const add = (kpi: KpiName, value: number | null, threshold: number, unit: '%' | 's', direction: 'above' | 'below', samples: number) => {
      if (value === null || samples < KPI_MIN_SAMPLES[kpi]) return;
      out.push({ alert: { kpi, value, threshold, unit, direction, samples }, breach: direction === 'above' ? value > threshold : value < threshold });
    };
    add('slippage', snap.slippage.meanPercent, t.slippagePercent, '%', 'above', snap.slippage.samples);
    add('fill-time', snap.fillTime.meanMs === null ? null : snap.fillTime.meanMs / 1000, t.fillTimeSeconds, 's', 'above', snap.fillTime.samples);
    add('uptime', snap.uptime.percent, t.uptimePercent, '%', 'below', snap.uptime.minutes);
    add('latency', snap.latency.p99Ms === null ? null : snap.latency.p99Ms / 1000, t.latencySeconds, 's', 'above', snap.latency.samples);
    return out;
  }

  /** Alerts each KPI that has just crossed its threshold; one back within it can alert again later. */
  #check(): void {
    const s = this.#d.state;
    for (const r of this.#readings(this.snapshot())) {
      const was = s.alerted.includes(r.alert.kpi);
      if (r.breach && !was) {
        s.alerted.push(r.alert.kpi);
        this.#d.emit({ type: 'kpi-alert', alert: r.alert });
      } else if (!r.breach && was) s.alerted = s.alerted.filter((k) => k !== r.alert.kpi);
    }
  }
}

function countOnes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 49) n++;
  return n;
}
