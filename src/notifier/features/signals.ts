import * as cmd from '../../commands/index.js';
import type { SignalRow } from '../../commands/views.js';
import { encodeCallback } from '../codec.js';
import { esc } from '../format.js';
import { renderEvidence, renderResumeConfirm, resumeText, rr, SIGNAL_STATE } from '../render.js';
import type { ChatFeature } from './feature.js';

/** `/signals` with each signal's evidence and forward record, and the drift monitor's Resume (confirmed by a second tap). */
export const signals: ChatFeature = {
  commands: [{ command: 'signals', description: 'Signals: evidence, paper-only, paused, forward vs backtest', run: ({ rt }) => cmd.signals(rt) }],
  taps: {
    resume({ rt }, key) {
      // First tap of a drift alert's Resume button: ask again.
      const signalId = rt.drift.pausedByKey(key);
      if (!signalId) return { ok: false, text: resumeText({ ok: false, reason: 'not-paused' }) };
      return { ok: true, text: 'Confirm the resume.', reply: renderResumeConfirm(signalId, key) };
    },
    resumeyes({ rt }, key) {
      const r = rt.drift.resume(key);
      return { ok: r.ok, text: resumeText(r) };
    },
  },
  views: {
    signals: (v) => {
    const count = (st: SignalRow['state']) => v.signals.filter((s) => s.state === st).length;
    const lines = [`<b>Signals</b>: ${count('validated')} validated · ${count('paper-only')} paper-only · ${count('paused')} paused` +
      (v.liveUnvalidated ? '\n⚠️ Live is allowed on unvalidated signals (execution.liveUnvalidated)' : '')];
    const shown = v.signals.slice(0, 30);
    for (const s of shown) {
      const f = s.forward;
      lines.push(`${SIGNAL_STATE[s.state]}${s.live ? ' · 💰 Live' : ''} <b>${esc(s.symbol)}</b> ${s.timeframe} ${esc(s.rule)} — <code>${esc(s.signalId)}</code>\n` +
        `   ${renderEvidence(s.evidence)}\n` +
        `   Forward: ${f.trades} trade${f.trades === 1 ? '' : 's'}${f.trades ? `, mean ${rr(f.meanR)}` : ''}` +
        (s.evidence ? ` vs backtest ${rr(s.evidence.meanR)}` : '') +
        (f.cusum !== undefined && f.expectedMeanR !== undefined ? ` · held to ≥ ${rr(f.expectedMeanR)}, drift CUSUM ${f.cusum.toFixed(2)}/${f.threshold}` : ''));
    }
    if (v.signals.length > shown.length) lines.push(`… and ${v.signals.length - shown.length} more`);
    lines.push('', '<b>Top |MA-z|</b>');
    for (const z of v.topMaZ) lines.push(`${z.maZ >= 0 ? '▲' : '▼'} ${esc(z.symbol)} MA-z ${z.maZ.toFixed(2)} · rating ${z.rating.toFixed(1)}${z.tradable ? '' : ' (monitor only)'}`);
    const buttons = shown.filter((s) => s.resumeKey).map((s) => [{ text: `▶️ Resume ${s.symbol} ${s.rule}`.slice(0, 60), data: encodeCallback('resume', s.resumeKey!) }]);
    return { html: lines.join('\n'), buttons };
    },
  },
};
