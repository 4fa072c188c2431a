import type { BotEvent, RiskLimit, RiskLimitHit } from '../kernel/events.js';
import type { Card, LiveConfirmation } from '../kernel/card.js';
import type { Trade } from '../portfolio/types.js';
import type { Position } from '../portfolio/types.js';
import type { SampleStats } from '../signal/types.js';
import type { SignalEvidence } from '../signal/evidence.js';
import type { ResumeOutcome, SignalPause } from '../signal/drift-service.js';
import type { SignalRow, VenueMode } from '../commands/views.js';
import { encodeCallback } from './codec.js';
import { explain, liveAlertText } from './render-live.js';
import { feedText, systemText } from './render-system.js';
import { renderKpiAlert } from './render-kpi.js';
import { esc, htmlToText, money, pct, price, qty, utc } from './format.js';

export type { Button, Rendered } from './rendered.js';
import type { Rendered } from './rendered.js';

function stats(label: string, s: SampleStats | undefined): string {
  if (!s) return '';
  return `${label}: WR ${pct(s.winRate * 100, 1)} · PF ${s.profitFactor.toFixed(2)} · ${s.trades} trades\n`;
}

/** An R multiple with its sign: `+0.31R`, `−1.12R`. */
export function rr(x: number): string {
  return `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)}R`;
}

/** A UTC day, `2025-06-16`. */
function day(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * A signal's evidence in one line (issue #9): validated or not; pooled out-of-sample trades, mean
 * R with its 95 % interval, DSR; the data range (last day covered; the file's end is exclusive).
 * `Evidence: ✅ validated · OOS 52 trades · mean +0.31R (95 % +0.05R…+0.58R) · DSR 0.97 · data 2021-04-02→2025-06-16`
 */
export function renderEvidence(ev: SignalEvidence | undefined): string {
  if (!ev) return 'Evidence: ⚠️ no backtest evidence';
  const ci = ev.meanRLower !== undefined && ev.meanRUpper !== undefined ? `95 % ${rr(ev.meanRLower)}…${rr(ev.meanRUpper)}` : 'no interval';
  return `Evidence: ${ev.validated ? '✅ validated' : '⚠️ not validated'} · OOS ${ev.trades} trade${ev.trades === 1 ? '' : 's'} · ` +
    `mean ${rr(ev.meanR)} (${ci}) · DSR ${ev.dsr.toFixed(2)} · data ${day(ev.dataFrom)}→${day(ev.dataTo - 1)}`;
}

export const SIGNAL_STATE: Record<SignalRow['state'], string> = {
  validated: '✅',
  'paper-only': '📝 paper-only',
  paused: '⏸ PAUSED',
};

const PAPER_ONLY: Record<NonNullable<Card['paperOnly']>, string> = {
  unvalidated: '📝 Paper only: this signal is not validated by the backtest gate.',
  paused: '⏸ Paper only: this signal is paused by the drift monitor (its forward record fell below its backtest).',
};

/** The badge of everything shown in live mode: real orders, or the exchange's testnet. */
export const VENUE_BADGE: Record<VenueMode, string> = {
  live: '⚡ <b>LIVE</b>',
  testnet: '🧪 <b>TESTNET</b>',
};

const STATUS_LINE: Record<Card['status'], string> = {
  open: '',
  paper: '📝 <b>Paper-traded</b>',
  live: '💰 <b>Traded live</b>',
  skipped: '✖ Skipped',
  expired: '⌛ Expired',
  info: 'ℹ️ Informational — no trade on spot',
  blocked: '⛔ Not tradable',
};

/**
 * A signal card (SPEC §6): direction, instrument and timeframe, signal, entry, stop and target
 * with percents, R:R, size and value, risk in quote and % of equity, backtest and out-of-sample
 * stats, rating and MA-z, context, reason and expiry. Trade buttons only while the card is open.
 */
export function renderCard(card: Card, quote = 'USDT'): Rendered {
  const long = card.direction === 'long';
  // The badge ends the first line, so digests (which keep only that line) show it too.
  // A bearish card is a SHORT where it can be traded (perpetual swaps), else informational.
  const head = `${long ? '🟢' : '🔴'} <b>${long ? 'BUY' : card.status === 'info' ? 'BEARISH' : 'SHORT'} ${esc(card.symbol)}</b> · ${card.timeframe} · ${esc(card.name)}` +
    (card.status !== 'info' && !card.evidence?.validated ? ' · ⚠️ unvalidated' : '') +
    (card.paperOnly === 'paused' ? ' · ⏸ <b>paused</b>' : '') +
    (card.venueMode ? ` · ${VENUE_BADGE[card.venueMode]}` : '');
  const ctx = card.context;
  const ctxParts = [
    ctx?.rating !== undefined ? `rating ${ctx.rating.toFixed(1)}` : '',
    ctx?.maZ !== undefined ? `MA-z ${ctx.maZ.toFixed(2)}` : '',
    ctx?.htfAligned !== undefined ? `higher TF ${ctx.htfAligned ? '✓ aligned' : '✗ against'}` : '',
    ctx?.regime ? `regime ${ctx.regime}` : '',
  ].filter(Boolean);
  let html = `${head}\n\n` +
    `Entry: <b>${price(card.entry)}</b>\n` +
    `Stop: ${price(card.stop)} (${pct(card.stopPercent)})\n` +
    `Target: ${price(card.target)} (${pct(card.targetPercent)})\n` +
    `R:R 1:${card.rr.toFixed(2)}` + (card.maxHoldBars ? ` · max hold ${card.maxHoldBars} bars` : '') + '\n';
  if (card.status !== 'info') {
    html += `Size: ${qty(card.qty)} (${money(card.notional)} ${esc(quote)})\n` +
      `Risk: ${money(card.riskQuote)} ${esc(quote)} (${pct(card.riskPercent)} of equity)\n`;
  }
  html += renderEvidence(card.evidence) + '\n';
  html += stats('Backtest', card.inSample) + stats('Out-of-sample', card.outOfSample);
  if (card.confidence !== undefined) html += `Confidence: ${pct(card.confidence * 100, 0)}\n`;
  if (ctxParts.length) html += `Context: ${esc(ctxParts.join(' · '))}\n`;
  html += `Reason: <i>${esc(card.reason)}</i>\n`;
  if (card.marketType === 'swap') html += 'Perpetual swap: paper fills ignore funding payments\n';
  html += `Closed: ${utc(card.createdAt)} · expires ${utc(card.expiresAt)}`;
  if (card.paperOnly && card.status === 'open') html += `\n${PAPER_ONLY[card.paperOnly]}`;
  const status = STATUS_LINE[card.status];
  if (status) html += `\n\n${status}` + (card.status === 'blocked' && card.blockedReason ? `: ${esc(card.blockedReason)}` : '');
  if (card.status === 'blocked' && card.blockedLimit && card.limitNotice) {
    html += `\n<i>Later signals blocked by the ${LIMIT_NAME[card.blockedLimit]} are not posted until 00:00 UTC.</i>`;
  }
  const confirming = card.status === 'open' && card.confirmation;
  if (confirming) html += renderConfirmation(card.confirmation!, card.symbol, quote, card.venueMode);
  const buttons = confirming
    ? [[
        { text: '✅ Confirm', data: encodeCallback('confirm', card.id) },
        { text: 'Cancel', data: encodeCallback('cancel', card.id) },
      ]]
    : card.status === 'open'
      ? [[
          { text: '📝 Paper', data: encodeCallback('paper', card.id) },
          // A paper-only signal (unvalidated or paused) has no Live button; the trade service refuses a forged one.
          ...(card.paperOnly ? [] : [{ text: '💰 Live…', data: encodeCallback('live', card.id) }]),
          { text: '✖ Skip', data: encodeCallback('skip', card.id) },
        ], MUTE_ROW(card.id)]
      : card.status === 'info' ? [MUTE_ROW(card.id)] : [];
  return { html, buttons };
}

/** The second row of an open or informational card: mutes the instrument's cards for 4 hours. */
const MUTE_ROW = (cardId: string) => [{ text: '🔕 Mute 4h', data: encodeCallback('mute', cardId) }];

/** A view's `🔄 Refresh` row: the tap redraws it in place. */
export const REFRESH_ROW = (view: 'status' | 'positions') => [{ text: '🔄 Refresh', data: encodeCallback('refresh', view) }];

/** Telegram's limit on a photo caption, in characters of the text as shown (tags not counted). */
export const CAPTION_MAX = 1024;

/** Whether HTML fits a photo caption (Telegram counts the shown text, not the tags). */
export function fitsCaption(html: string): boolean {
  return htmlToText(html).length <= CAPTION_MAX;
}

/**
 * A card as the caption of its chart photo: the full card when it fits {@link CAPTION_MAX}, else
 * a compact one — the head line, entry/stop/target, R:R, status and any live confirmation (the
 * evidence and backtest lines go; `/signals` has them). Used for edits of photo cards, whose
 * caption can grow past the limit once a live confirmation is added.
 */
export function renderCardCaption(card: Card, quote = 'USDT'): Rendered {
  const full = renderCard(card, quote);
  if (fitsCaption(full.html)) return full;
  const lines = full.html.split('\n');
  const status = STATUS_LINE[card.status];
  let html = `${lines[0]}\n${lines.slice(2, 6).join('\n')}\nClosed: ${utc(card.createdAt)}`;
  if (status) html += `\n\n${status}` + (card.status === 'blocked' && card.blockedReason ? `: ${esc(card.blockedReason)}` : '');
  if (card.status === 'open' && card.confirmation) html += renderConfirmation(card.confirmation, card.symbol, quote, card.venueMode);
  return { html, buttons: full.buttons };
}

/**
 * The live confirmation block under a card: fresh quote, size, risk, exits and the deadline,
 * with the venue's LIVE/TESTNET badge (the confirmation's own, else `mode`, the card's).
 */
export function renderConfirmation(c: LiveConfirmation, symbol: string, quote: string, mode?: VenueMode): string {
  const base = symbol.endsWith(quote) ? symbol.slice(0, -quote.length) : symbol;
  const secs = Math.max(0, Math.round((c.expiresAt - c.quotedAt) / 1000));
  const badge = c.venueMode ?? mode;
  return `\n\n💰 <b>Confirm live market BUY</b> on ${esc(c.venue)}${badge ? ` · ${VENUE_BADGE[badge]}` : ''}\n` +
    `Quote: <b>${price(c.price)}</b> (ask at ${utc(c.quotedAt).slice(11, 16)} UTC)\n` +
    `Size: ${qty(c.qty)} ${esc(base)} = ${money(c.notional)} ${esc(quote)}\n` +
    `Risk: ${money(c.riskQuote)} ${esc(quote)} (${pct(c.riskPercent)} of equity ${money(c.equity)})\n` +
    `Stop ${price(c.stop)} (${pct(((c.price - c.stop) / c.price) * 100)}) · Target ${price(c.target)} (${pct(((c.target - c.price) / c.price) * 100)})\n` +
    `⏳ Valid ${secs} s — until ${new Date(c.expiresAt).toISOString().slice(11, 19)} UTC`;
}

function renderEntry(p: Position, quote: string): string {
  return `✅ <b>${p.mode === 'live' ? 'Live' : 'Paper'} ${p.side === 'short' ? 'short' : 'buy'} filled</b> ${esc(p.symbol)}\n` +
    `${qty(p.qty)} @ ${price(p.entryPrice)} (${money(p.qty * p.entryPrice)} ${esc(quote)}, fee ${money(p.entryFee)})\n` +
    `Stop ${price(p.stop)} · Target ${price(p.target)} · ${esc(p.id)}`;
}

const REASON: Record<Trade['reason'], string> = {
  stop: '🛑 stop hit',
  target: '🎯 target hit',
  'zscore-reversal': '↩️ z-score reversal',
  time: '⏰ time exit',
  manual: '✋ closed by you',
  risk: '🛡 daily loss limit (flatten)',
};

function renderExit(t: Trade, quote: string): string {
  return `${t.pnl >= 0 ? '💚' : '🔻'} <b>${esc(t.symbol)}${t.side === 'short' ? ' short' : ''} closed</b> — ${REASON[t.reason]}\n` +
    `${qty(t.qty)} ${price(t.entryPrice)} → ${price(t.exitPrice)}\n` +
    `P&amp;L ${money(t.pnl, true)} ${esc(quote)} (${pct(t.pnlPercent, 2, true)}, ${t.r >= 0 ? '+' : '−'}${Math.abs(t.r).toFixed(2)}R)`;
}

function alertIcon(level: 'info' | 'warning' | 'error'): string {
  return level === 'error' ? '🚨' : level === 'warning' ? '⚠️' : 'ℹ️';
}

/** Renders an engine event for the owner; returns null for events that are edits, not messages. */
export function renderEvent(e: BotEvent, quote = 'USDT'): Rendered | null {
  switch (e.type) {
    case 'card':
      return renderCard(e.card, quote);
    case 'card-update':
      return null;
    case 'entry':
      return { html: renderEntry(e.position, quote), buttons: [] };
    case 'exit':
      return { html: renderExit(e.trade, quote), buttons: [] };
    case 'alert':
      return { html: `${alertIcon(e.level)} ${esc(e.text)}`, buttons: [] };
    case 'live-alert':
      return { html: `${alertIcon(e.level)} ${esc(liveAlertText(e.alert, quote))}`, buttons: [] };
    case 'signal-paused':
      return renderPause(e.pause);
    case 'feed':
      return { html: `${alertIcon(e.level)} ${esc(feedText(e.feed))}`, buttons: [] };
    case 'system':
      return { html: `${alertIcon(e.level)} ${esc(systemText(e.notice))}`, buttons: [] };
    case 'risk-limit':
      return renderRiskLimit(e.hit, quote);
    case 'kpi-alert':
      return renderKpiAlert(e.alert);
  }
}

const LIMIT_NAME: Record<RiskLimit, string> = {
  'daily-loss': 'daily loss limit',
  drawdown: 'drawdown limit',
  'daily-trades': 'daily trade limit',
  'circuit-breaker': 'circuit breaker',
};

/**
 * A risk limit's one alert of the day, with its numbers: what was hit, against what, and what
 * happens now (entries blocked until 00:00 UTC, or until /resume; a flatten closes everything).
 */
export function renderRiskLimit(h: RiskLimitHit, quote = 'USDT'): Rendered {
  const q = esc(quote);
  let html: string;
  switch (h.limit) {
    case 'daily-loss':
      html = `🚨 <b>Daily loss limit hit</b>: ${pct(-h.value, 2)} today (limit ${pct(-h.threshold, 2)}): equity ${money(h.equity ?? 0)} ${q} ` +
        `vs ${money(h.reference ?? 0)} ${q} at 00:00 UTC.\n` +
        (h.flatten
          ? `Closing all ${h.flatten.positions} open position${h.flatten.positions === 1 ? '' : 's'} at market now` +
            (h.flatten.cancelledEntries ? ` and cancelling ${h.flatten.cancelledEntries} queued entr${h.flatten.cancelledEntries === 1 ? 'y' : 'ies'}` : '') +
            ' (<code>risk.onDailyLossLimit: flatten</code>). Trading is stopped until you /resume.'
          : `New entries are blocked until 00:00 UTC; open positions keep their stops and targets.`);
      break;
    case 'drawdown':
      html = `🚨 <b>Drawdown limit hit</b>: ${pct(h.value, 2)} below the equity peak (limit ${pct(h.threshold, 2)}): equity ${money(h.equity ?? 0)} ${q} ` +
        `vs peak ${money(h.reference ?? 0)} ${q}.\nNew entries are blocked while the drawdown is over the limit; open positions keep their stops and targets.`;
      break;
    case 'daily-trades':
      html = `⚠️ <b>Daily trade limit reached</b>: ${h.value} of ${h.threshold} entries today.\nNew entries are blocked until 00:00 UTC.`;
      break;
    case 'circuit-breaker':
      html = `🚨 <b>Circuit breaker open: ${h.value} exchange errors in a row</b> (limit ${h.threshold}${h.lastError ? `; last: ${esc(explain(h.lastError, quote))}` : ''}).\n` +
        'Live trading is paused; check the exchange and the keys, then /resume.';
      break;
  }
  return { html, buttons: [] };
}

/** The drift monitor's alert: the numbers behind the pause and a Resume button (confirmed by a second tap). */
export function renderPause(p: SignalPause): Rendered {
  const f = p.forward;
  const ev = p.evidence;
  return {
    html: `⏸ <b>Signal paused</b>: ${esc(p.signalId)}\n` +
      `Forward: ${f.trades} trade${f.trades === 1 ? '' : 's'}, mean ${rr(f.meanR)} · backtest OOS: ${ev.trades} trades, mean ${rr(ev.meanR)}\n` +
      `Held to ≥ ${rr(p.expectation.mean)} per trade (σ ${p.expectation.sigma.toFixed(2)}R); CUSUM ${f.peak.toFixed(2)} ≥ ${f.threshold} ` +
      '(one-sided, Page 1954: a signal performing as tested trips it within 100 trades under 5 % of the time)\n' +
      'Its new cards are paper-only until you resume it.',
    buttons: [[{ text: '▶️ Resume signal', data: encodeCallback('resume', p.key) }]],
  };
}

/** The second step of Resume: what resuming means, and the confirming button. */
export function renderResumeConfirm(signalId: string, key: string): Rendered {
  return {
    html: `Resume <b>${esc(signalId)}</b>? Its forward record restarts from now; Live is offered again only if it is validated.`,
    buttons: [[{ text: '✅ Yes, resume', data: encodeCallback('resumeyes', key) }]],
  };
}

/** The toast of a Resume confirmation. */
export function resumeText(r: ResumeOutcome): string {
  if (r.ok) return `▶️ ${r.signalId} resumed: the drift monitor watches it again from now.`;
  return r.reason === 'not-paused' ? 'This signal is not paused (already resumed?).' : 'Unknown signal.';
}
