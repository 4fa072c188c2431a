import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Button } from '../render.js';

/** `reply_markup` for rows of buttons; an empty inline keyboard removes the buttons on edit. */
export function keyboard(rows: Button[][]): { reply_markup: InlineKeyboardMarkup } {
  return { reply_markup: { inline_keyboard: rows.map((r) => r.map((b) => ({ text: b.text, callback_data: b.data }))) } };
}
