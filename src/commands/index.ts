import type { Runtime } from '../kernel/kernel.js';
import { venueMode } from '../execution/live/key-check.js';
import { sideSign } from '../portfolio/types.js';
import { driftKey } from '../signal/drift-service.js';
import { paperOnlyReason } from '../signal/evidence.js';
import { ZScoreRule } from '../signal/zscore-rule.js';
import { equityCurve, performance as performanceTable, periodTable, stats as statsTable, tradesCsv } from './reports.js';
import { SETTABLE_TOPICS, levelOf, settingsOf, type SettingsOutcome } from '../store/settings.js';
import type {
  BalanceUnavailableView, KpiView,
  SettingsView, ExportView, BalanceView, PnlView, PositionsView, SignalRow, SignalsView, StatusView, TradesView,
} from './views.js';

const DAY_MS = 86_400_000;

/** `/daily [n]`, `/weekly [n]`, `/monthly [n]`: the last n UTC periods (default 7, 4, 6), newest first. */
export function periods(rt: Runtime, period: 'day' | 'week' | 'month', n?: number) {
  const dflt = { day: 7, week: 4, month: 6 }[period];
  return periodTable(rt.portfolio.closedTrades(), rt.clock.now(), period, Number.isFinite(n) && n! > 0 ? n! : dflt);
}

/** `/performance`: per instrument and per signal. */
export function performance(rt: Runtime) {
  return performanceTable(rt.portfolio.closedTrades());
}

/** `/stats`: over every closed trade, from the starting balance. */
export function stats(rt: Runtime) {
  return statsTable(rt.portfolio.closedTrades(), rt.config.broker.startingBalance);
}

/** `/export`: every closed trade (paper and live) as CSV. */
export function exportTrades(rt: Runtime): ExportView {
  const trades = rt.portfolio.closedTrades();
  return { kind: 'export', at: rt.clock.now(), trades: trades.length, csv: tradesCsv(trades) };
}

/** `/status` view model. */
export function status(rt: Runtime): StatusView {
  const now = rt.clock.now();
  const r = rt.risk.state;
  const equity = rt.broker.equity();
  // A query: the day's figures as of now, without rolling the risk state over.
  const day = rt.risk.dayAt(now, equity);
  const dayPnl = equity - day.dayStartEquity;
  return {
    kind: 'status',
    mode: rt.mode,
    stopped: r.killSwitch,
    circuitOpen: r.circuitOpen,
    uptimeMs: now - rt.startedAt,
    feed: rt.feedStatus(),
    candles: rt.engine.stats.candles,
    lastCloseTime: rt.engine.stats.lastCloseTime,
    cards: rt.engine.stats.cards,
    equity,
    dayPnl,
    openPositions: rt.portfolio.openPositions().length,
    maxOpenPositions: rt.config.risk.maxOpenPositions,
    dayTrades: day.dayTrades,
    maxDailyTrades: rt.config.risk.maxDailyTrades,
    dayLossHeadroomPercent: rt.config.risk.maxDailyLossPercent + Math.min(0, (dayPnl / day.dayStartEquity) * 100),
    quote: rt.config.quote,
    ...(rt.mode === 'live' ? { venue: { exchange: rt.config.exchange.id, mode: venueMode(rt.config.exchange.sandbox) } } : {}),
    liveUnvalidated: rt.config.execution.liveUnvalidated,
    pausedSignals: rt.drift.signalIds().filter((id) => rt.drift.isPaused(id)).length,
    kpi: rt.kpi.snapshot(),
  };
}

/** `/settings` view model: the owner's notification settings now (the router applies changes first). */
export function settings(rt: Runtime, outcome?: SettingsOutcome): SettingsView {
  const s = settingsOf(rt.store.data);
  const now = rt.clock.now();
  return {
    kind: 'settings',
    levels: Object.fromEntries(SETTABLE_TOPICS.map((t) => [t, levelOf(s, t)])) as SettingsView['levels'],
    ...(s.quietHours ? { quietHours: { ...s.quietHours } } : {}),
    mutes: Object.entries(s.mutes).filter(([, until]) => until > now).map(([symbol, until]) => ({ symbol, until })).sort((a, b) => a.until - b.until),
    now,
    ...(outcome ? { outcome } : {}),
  };
}

/** `/kpi`: execution rate, slippage, fill time, feed uptime and signal latency against their thresholds. */
export function kpi(rt: Runtime): KpiView {
  return { kind: 'kpi', ...rt.kpi.snapshot() };
}

/** `/positions` view model. */
export async function positions(rt: Runtime): Promise<PositionsView> {
  const held = await Promise.all(rt.portfolio.clients.map((c) => c.holdings()));
  return {
    kind: 'positions',
    positions: held.flatMap((h) => h.positions.map(({ position: p, mark, closing }) => {
      const pnl = sideSign(p) * p.qty * (mark - p.entryPrice) - p.entryFee;
      return {
        id: p.id, symbol: p.symbol, side: p.side ?? 'long', mode: p.mode, qty: p.qty, entryPrice: p.entryPrice, mark, stop: p.stop,
        target: p.target, pnl, pnlPercent: (pnl / (p.qty * p.entryPrice)) * 100, closing,
        heldMs: Math.max(0, rt.clock.now() - p.entryTime), timeframe: p.timeframe,
      };
    })),
    pending: held.flatMap((h) => h.pending),
    quote: rt.config.quote,
  };
}

/** `/trades [n]`: the last n closed trades, paper and live, newest first (n defaults to 10, at most 50). */
export function trades(rt: Runtime, n = 10): TradesView {
  const all = rt.portfolio.closedTrades();
  const k = Math.max(1, Math.min(50, Number.isFinite(n) ? Math.floor(n) : 10));
  return {
    kind: 'trades',
    total: all.length,
    quote: rt.config.quote,
    trades: all.slice(-k).reverse().map((t) => ({
      symbol: t.symbol, signalId: t.signalId, entryTime: t.entryTime, exitTime: t.exitTime, entryPrice: t.entryPrice,
      exitPrice: t.exitPrice, reason: t.reason, pnl: t.pnl, pnlPercent: t.pnlPercent,
    })),
  };
}

/** `/pnl` view model: realized P&L of paper and live trades together. */
export function pnl(rt: Runtime): PnlView {
  const now = rt.clock.now();
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  const all = rt.portfolio.closedTrades();
  const per = new Map<string, { trades: number; wins: number; pnl: number }>();
  let day = 0;
  let total = 0;
  for (const t of all) {
    total += t.pnl;
    if (t.exitTime >= dayStart) day += t.pnl;
    const s = per.get(t.signalId) ?? { trades: 0, wins: 0, pnl: 0 };
    s.trades++;
    if (t.pnl > 0) s.wins++;
    s.pnl += t.pnl;
    per.set(t.signalId, s);
  }
  const backtest = new Map(rt.signals.map((s) => [s.id, s.winRate]));
  return {
    kind: 'pnl',
    dayPnl: day,
    allTimePnl: total,
    unrealized: rt.broker.unrealizedPnl(),
    quote: rt.config.quote,
    perSignal: [...per].map(([signalId, s]) => ({
      signalId, trades: s.trades, winRate: s.wins / s.trades, pnl: s.pnl,
      ...(backtest.get(signalId) !== undefined ? { backtestWinRate: backtest.get(signalId) } : {}),
    })),
    stats: statsTable(all, rt.config.broker.startingBalance),
    equity: equityCurve(all, rt.config.broker.startingBalance),
  };
}

/** `/balance`: the account real orders go to — the exchange in live mode, else the paper account. */
export async function balance(rt: Runtime): Promise<BalanceView | BalanceUnavailableView> {
  const h = await rt.portfolio.primary.balance();
  if ('kind' in h) return { kind: 'balance-unavailable', failure: h, quote: rt.config.quote };
  return { kind: 'balance', ...h };
}

const STATE_ORDER: Record<SignalRow['state'], number> = { paused: 0, validated: 1, 'paper-only': 2 };

/**
 * `/signals`: every signal with backtest evidence, every enabled z-score parameter set, and every
 * signal with forward trades or drift state — paused first, then validated, then paper-only —
 * each with its evidence and forward record; and the coins with the largest |MA-z| now.
 */
export function signals(rt: Runtime, top = 5): SignalsView {
  const snap = rt.engine.ratingsSnapshot();
  snap.sort((a, b) => Math.abs(b.maZ) - Math.abs(a.maZ));
  const meta = new Map<string, { rule: string; symbol: string; timeframe: SignalRow['timeframe'] }>();
  for (const r of rt.evidence.rows()) meta.set(r.signalId, r);
  for (const [symbol, p] of Object.entries(rt.liveParams)) {
    const id = ZScoreRule.signalId(symbol);
    if (p.enabled && !meta.has(id)) meta.set(id, { rule: 'glicko_zscore', symbol, timeframe: rt.config.rating.timeframe });
  }
  for (const t of rt.portfolio.closedTrades()) if (!meta.has(t.signalId)) meta.set(t.signalId, t);
  for (const id of rt.drift.signalIds()) if (!meta.has(id)) meta.set(id, { rule: id.split(':')[0], symbol: id.split(':')[1] ?? '', timeframe: rt.config.rating.timeframe });
  const liveUnvalidated = rt.config.execution.liveUnvalidated;
  const rows: SignalRow[] = [...meta].map(([signalId, m]) => {
    const evidence = rt.evidence.get(signalId);
    const f = rt.drift.row(signalId);
    const state: SignalRow['state'] = f.paused ? 'paused' : evidence?.validated ? 'validated' : 'paper-only';
    return {
      signalId, rule: m.rule, symbol: m.symbol, timeframe: m.timeframe, state,
      live: paperOnlyReason(evidence, f.paused, liveUnvalidated) === null,
      ...(evidence ? { evidence } : {}),
      forward: {
        trades: f.trades, meanR: f.meanR,
        ...(f.drift && f.expectation ? { expectedMeanR: f.expectation.mean, cusum: f.drift.cusum, threshold: f.drift.threshold } : {}),
      },
      ...(f.paused ? { resumeKey: driftKey(signalId) } : {}),
    };
  });
  rows.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || a.signalId.localeCompare(b.signalId));
  return {
    kind: 'signals',
    signals: rows,
    liveUnvalidated,
    topMaZ: snap.slice(0, top).map((s) => ({ symbol: s.symbol, maZ: s.maZ, rating: s.rating, tradable: !!rt.liveParams[s.symbol]?.enabled })),
  };
}
