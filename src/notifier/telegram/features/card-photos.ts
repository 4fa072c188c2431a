import { InputFile, type Api } from 'grammy';
import type { Card } from '../../../kernel/card.js';
export { cardChartPng, chartable } from '../../charts/card-png.js';
import { fitsCaption, renderCard, renderCardCaption, type Rendered } from '../../render.js';
import { keyboard } from '../keyboard.js';

/** Extra send options: `disable_notification` for silent messages. */
export type SendExtra = { disable_notification?: boolean };

/**
 * Sends a card with its chart: one photo with the card as caption and the buttons when the card
 * fits Telegram's 1,024-character caption, else the photo alone and then the card as text with
 * the buttons. Returns the message that carries the card (the one later edits go to).
 * `photoSent` remembers cards whose bare photo already went out, so a retry after the text
 * failed does not post the photo twice.
 */
export async function sendCardPhoto(
  api: Api, chatId: number, card: Card, png: Buffer, quote: string, extra: SendExtra,
  sendText: (r: Rendered, chatId: number, extra: SendExtra) => Promise<{ message_id: number }>, photoSent: Set<string>,
): Promise<{ chatId: number; messageId: number; photo?: boolean }> {
  const r = renderCard(card, quote);
  const file = new InputFile(png, `${card.symbol}-${card.timeframe}-${card.id}.png`);
  if (fitsCaption(r.html)) {
    const m = await api.sendPhoto(chatId, file, { caption: r.html, parse_mode: 'HTML', ...extra, ...(r.buttons.length ? keyboard(r.buttons) : {}) });
    return { chatId, messageId: m.message_id, photo: true };
  }
  if (!photoSent.has(card.id)) {
    await api.sendPhoto(chatId, file, extra);
    photoSent.add(card.id);
  }
  const m = await sendText(r, chatId, extra);
  photoSent.delete(card.id);
  return { chatId, messageId: m.message_id };
}

/** Edits a photo card's caption to the card's current state (compact when the full card no longer fits). */
export async function editCardCaption(api: Api, card: Card, message: { chatId: number; messageId: number }, quote: string): Promise<void> {
  const r = renderCardCaption(card, quote);
  await api.editMessageCaption(message.chatId, message.messageId, { caption: r.html, parse_mode: 'HTML', ...keyboard(r.buttons) });
}
