import type { SentMessage } from '../fakes/telegram-api.js';

/** Inline buttons of a message the fake Bot API holds, as [text, callback data] pairs. */
export function buttons(m: SentMessage | undefined): [string, string][] {
  const kb = (m?.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return kb.flat().map((b) => [b.text, b.callback_data ?? '']);
}
