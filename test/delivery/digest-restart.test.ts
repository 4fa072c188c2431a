import { afterEach, describe, expect, it } from 'vitest';
import { TelegramChat } from '../../src/notifier/telegram/telegram-chat.js';
import { deliveryRig, OWNER_CHAT, testCard, type DeliveryRig } from '../helpers/delivery-rig.js';

describe('a digest after a restart', () => {
  let rig: DeliveryRig | undefined;
  let second: TelegramChat | undefined;
  afterEach(async () => {
    await second?.stop();
    await rig?.close();
  });

  it('a tap on one row, handled by a new process, redraws every row of the digest', async () => {
    rig = await deliveryRig({ minIntervalMs: 0 });
    const t = Date.UTC(2025, 0, 2, 8, 15);
    const cards = ['dA', 'dB', 'dC'].map((id) => testCard(id, t, `row-${id}`));
    for (const c of cards) {
      rig.cards.set(c.id, c);
      rig.outbox.enqueue({ kind: 'card', cardId: c.id });
    }
    const digest = await rig.api.waitFor(() => rig!.api.messages(OWNER_CHAT).find((m) => /3 signals/.test(m.text ?? '')));
    // The chat records the message on each card once Telegram has answered the send.
    await rig.api.waitFor(() => cards.every((c) => c.message?.messageId === digest.message_id));

    // The process restarts: a new chat on the same state, with nothing in memory about the digest.
    await rig.chat.stop();
    second = new TelegramChat(rig.rt, rig.chat.bot, { chatId: OWNER_CHAT, minIntervalMs: 0, timeScale: 0.001 });
    await second.start();
    cards[1].status = 'skipped';
    rig.outbox.enqueue({ kind: 'edit', cardId: 'dB' });
    const edit = await rig.api.waitFor(() => rig!.api.callsOf('editMessageText').find((c) => c.ok && c.payload.message_id === digest.message_id));
    for (const tag of ['row-dA', 'row-dB', 'row-dC']) expect(String(edit.payload.text)).toContain(tag);
    expect(String(edit.payload.text)).toContain('Skipped');
  });
});
