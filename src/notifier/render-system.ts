import type { FeedNotice, SystemNotice } from '../kernel/events.js';
import { duration, utc } from './format.js';

/** A feed notice in words. */
export function feedText(f: FeedNotice): string {
  switch (f.code) {
    case 'down': return `Market data feed down: ${f.reason}. Falling back to REST and reconnecting.`;
    case 'up': return `Market data feed back after ${duration(f.downtimeMs)}; missed candles were backfilled.`;
    case 'gap': return `${f.symbol}: the exchange has no candles for ${f.missingBars} bars before ${new Date(f.toOpenTime).toISOString().slice(0, 16)} UTC.`;
  }
}

/** A notice of the bot process about itself, in words. */
export function systemText(n: SystemNotice): string {
  switch (n.code) {
    case 'started': {
      const previous = n.previous.kind === 'first' ? 'first start'
        : n.previous.kind === 'clean' ? `last stop was clean (${utc(n.previous.stoppedAt)})`
          : `⚠️ the last run (started ${utc(n.previous.startedAt)}) did not stop cleanly: it crashed or was killed`;
      return `🚀 edgebot started (${n.mode}): ${n.coins} coins on ${n.venue} ${n.marketType}, ${n.timeframes.join('/')}, ` +
        `${n.parameterSets} parameter sets, ${n.validatedSignals} validated signals; ${previous}.` +
        (n.stopped ? ' Trading is STOPPED (/resume to allow entries).' : '');
    }
    case 'stopped': return `🛑 edgebot stopped (${n.reason}).`;
    case 'fatal': return `${n.message}. edgebot exits so that its supervisor restarts it.`;
    case 'reconciled':
      return `♻️ Live: reconciled ${n.checked} record${n.checked === 1 ? '' : 's'} with ${n.venue}; ${n.open} open position${n.open === 1 ? '' : 's'}` +
        (n.failed ? `, ${n.failed} still to settle (retried every minute).` : ', protective orders checked.');
    case 'storage-ok': return 'State file writable again: everything is saved, new entries are allowed.';
    case 'downtime':
      return `edgebot was down for ${duration(n.downMs)}: closes older than ${duration(n.maxCatchUpMs)} are not processed (positions keep their stops and targets on the books).`;
  }
}
