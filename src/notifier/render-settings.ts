import type { SettingsView, StatusView } from '../commands/views.js';
import type { Level, SettableTopic, SettingsOutcome } from '../store/settings.js';
import { esc, money, utc } from './format.js';
import type { Rendered } from './rendered.js';

/** Menu and message names of the settable topics. */
export const TOPIC_NAME: Record<SettableTopic, string> = {
  cards: 'Cards', fills: 'Fills and exits', feed: 'Feed', summary: 'Daily summary', heartbeat: 'Heartbeat',
};

/** A level with its icon: `🔔 loud`, `🔕 silent`, `🚫 off`. */
export function levelLabel(l: Level): string {
  return l === 'loud' ? '🔔 loud' : l === 'silent' ? '🔕 silent' : '🚫 off';
}

/** Quiet hours in one line. */
export function quietLabel(q: SettingsView['quietHours']): string {
  return q ? `${q.start}–${q.end} ${q.timeZone}` : 'off';
}

/** The answer to a settings change (a command's first line, or a tap's toast). */
export function settingsOutcomeText(o: SettingsOutcome): string {
  if (o.ok) {
    switch (o.change) {
      case 'level': return `${TOPIC_NAME[o.topic]}: ${levelLabel(o.level)}.`;
      case 'quiet': return o.quietHours ? `Quiet hours ${quietLabel(o.quietHours)}: only errors, risk alerts and replies ring then.` : 'Quiet hours off.';
      case 'mute': return `🔕 ${o.symbol} cards muted until ${utc(o.until)}.`;
      case 'unmute': return `🔔 ${o.symbol} cards unmuted.`;
    }
  }
  switch (o.reason) {
    case 'unknown-topic': return `Unknown setting "${o.input}": use cards, fills, feed, summary, heartbeat, quiet or unmute.`;
    case 'unknown-level': return `Unknown level "${o.input}": use loud, silent or off.`;
    case 'bad-time': return `Bad time "${o.input}": quiet hours take two times like 23:00 07:00, then an optional IANA time zone (default UTC).`;
    case 'unknown-zone': return `Unknown time zone "${o.input}": use an IANA name like Europe/Berlin or UTC.`;
    case 'not-muted': return `${o.input} is not muted.`;
  }
}

/** `/settings` as a message; the Telegram chat puts its menu under it, the console the command forms. */
export function renderSettings(v: SettingsView): Rendered {
  const lines = [
    ...(v.outcome ? [`${v.outcome.ok ? '✅' : '⚠️'} ${esc(settingsOutcomeText(v.outcome))}`, ''] : []),
    '⚙️ <b>Notifications</b>',
    ...(Object.keys(TOPIC_NAME) as SettableTopic[]).map((t) => `${TOPIC_NAME[t]}: ${levelLabel(v.levels[t])}`),
    `Quiet hours: ${esc(quietLabel(v.quietHours))}${v.quietHours ? ' (only errors, risk alerts and replies ring)' : ''}`,
    `Muted: ${v.mutes.length ? v.mutes.map((m) => `${esc(m.symbol)} until ${utc(m.until)}`).join(', ') : 'none'}`,
    '<i>Errors, risk alerts, /stop replies and live confirmations always arrive.</i>',
    'Change: <code>/settings cards silent</code> (loud | silent | off; cards, fills, feed, summary, heartbeat) · ' +
      '<code>/settings quiet 23:00 07:00 Europe/Berlin</code> · <code>/settings quiet off</code> · <code>/settings unmute BTCUSDT</code>',
  ];
  return { html: lines.join('\n'), buttons: [] };
}

/** The hourly heartbeat message (off by default; /settings turns it on): running or stopped, feed, equity, positions. */
export function renderHeartbeat(v: StatusView): Rendered {
  return {
    html: `💓 ${v.stopped ? '🛑 stopped' : '▶️ running'} · feed ${v.feed ? (v.feed.connected ? '🟢' : '🔴') : 'replay'} · ` +
      `equity ${money(v.equity)} ${esc(v.quote)} · ${v.openPositions} position${v.openPositions === 1 ? '' : 's'} · ` +
      `${v.cards} card${v.cards === 1 ? '' : 's'} · last close ${v.lastCloseTime ? utc(v.lastCloseTime) : '—'}`,
    buttons: [],
  };
}
