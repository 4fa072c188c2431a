import type { BotEvent } from '../kernel/events.js';
import type { KeyWarning, LiveStart } from '../execution/live/key-check.js';

const KEY_WARNING_TEXT: Record<KeyWarning['code'], string> = {
  'no-ip-restriction':
    'The exchange API key has no IP restriction: whoever obtains it can trade this account from anywhere. ' +
    'On Binance: API Management → Edit restrictions → "Restrict access to trusted IPs only", and add this server\'s IP.',
};

/** The owner's alerts from a live start: one warning per problem the key check found. */
export function liveStartAlerts(s: LiveStart): BotEvent[] {
  return s.warnings.map((w) => ({ type: 'alert', level: 'warning', text: `${s.mode === 'testnet' ? 'Testnet' : 'Live'} (${s.venue}): ${KEY_WARNING_TEXT[w.code]}` }));
}
