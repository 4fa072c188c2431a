import { afterEach, describe, expect, it } from 'vitest';
import { deliveryRig, OWNER_CHAT, testCard, type DeliveryRig } from '../helpers/delivery-rig.js';

// What the owner's chat shows of risk limits: the alert overtakes cards already queued, the notice
// card is posted, and the cards collapsed into it are not.
describe('risk alerts in Telegram (fake Bot API)', () => {
  let rig: DeliveryRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('the alert goes ahead of queued cards; quiet cards are not posted', async () => {
    rig = await deliveryRig();
    const t0 = Date.parse('2025-05-05T08:00Z');
    const bus = rig.rt.bus;
    for (let i = 0; i < 20; i++) {
      const c = testCard(`queued${String(i).padStart(6, '0')}`, t0 + i * 300_000, `#c${i}`);
      rig.cards.set(c.id, c);
      bus.emit({ type: 'card', card: c });
    }
    bus.emit({ type: 'risk-limit', hit: { limit: 'daily-loss', value: 6, threshold: 5, equity: 9400, reference: 10_000, time: t0 + 20 * 300_000 } });
    const notice = testCard('notice000001', t0 + 21 * 300_000, '#n1');
    Object.assign(notice, { status: 'blocked', blockedReason: 'daily loss 6.0% ≥ 5%', blockedLimit: 'daily-loss', limitNotice: true });
    const quiet = testCard('quiet0000001', t0 + 22 * 300_000, '#q1');
    Object.assign(quiet, { status: 'blocked', blockedReason: 'daily loss 6.0% ≥ 5%', blockedLimit: 'daily-loss' });
    for (const c of [notice, quiet]) rig.cards.set(c.id, c);
    bus.emit({ type: 'card', card: notice });
    bus.emit({ type: 'card', card: quiet, quiet: true });
    await rig.chat.flush();

    const texts = rig.api.messages(OWNER_CHAT).map((m) => m.text ?? '');
    expect(texts).toHaveLength(22);
    // Everything was queued in one turn: the urgent alert is the first message.
    expect(texts[0]).toMatch(/^🚨 Daily loss limit hit: −6\.00% today \(limit −5\.00%\)/);
    expect(texts.at(-1)).toContain('Later signals blocked by the daily loss limit are not posted until 00:00 UTC.');
    expect(texts.some((t) => t.includes('#q1'))).toBe(false);
    expect(quiet.message).toBeUndefined();
  });
});
