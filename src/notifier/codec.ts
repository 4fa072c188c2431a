/**
 * Button actions. `close` takes a position id; `closeall`/`keepall` take `-`; `resume`/`resumeyes`
 * a signal's drift key (12 chars, src/signal/drift-service.ts `driftKey`); `chart` a position id;
 * `refresh` the view to redraw (`status`, `positions`); the rest (`mute` too) a card id.
 */
export const ACTIONS = [
  'paper', 'live', 'skip', 'confirm', 'cancel', 'close', 'closeyes', 'closeall', 'keepall', 'resume', 'resumeyes',
  'mute', 'chart', 'refresh',
] as const;
export type Action = (typeof ACTIONS)[number];

export interface Callback {
  action: Action;
  id: string;
}

const ID_RE = /^[A-Za-z0-9_-]{1,40}$/;
const MAX_BYTES = 64;

/**
 * Encodes button data as `v1:<action>:<id>` (Telegram allows 64 bytes of callback_data).
 * @throws RangeError on an unknown action, a malformed id or more than 64 bytes
 */
export function encodeCallback(action: Action, id: string): string {
  if (!(ACTIONS as readonly string[]).includes(action)) throw new RangeError(`unknown action ${action}`);
  if (!ID_RE.test(id)) throw new RangeError(`bad callback id "${id}"`);
  const data = `v1:${action}:${id}`;
  if (Buffer.byteLength(data) > MAX_BYTES) throw new RangeError(`callback data over ${MAX_BYTES} bytes`);
  return data;
}

/**
 * Decodes button data; anything that is not exactly `v1:<known action>:<id>` within 64 bytes
 * (another version, a forged or truncated payload) returns null and must be refused.
 */
export function decodeCallback(data: string | undefined): Callback | null {
  if (typeof data !== 'string' || Buffer.byteLength(data) > MAX_BYTES) return null;
  const parts = data.split(':');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const [, action, id] = parts;
  if (!(ACTIONS as readonly string[]).includes(action) || !ID_RE.test(id)) return null;
  return { action: action as Action, id };
}
