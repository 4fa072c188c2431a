import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { prepareReplay } from '../../src/app/replay.js';
import type { Card } from '../../src/kernel/card.js';

describe('card expiry on the engine clock', () => {
  it('an untapped card expires at its expiry time (its buttons go), not at the next tap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgebot-expiry-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      chat: 'console', execution: { autoTrade: 'off', cardExpiryBars: 3 },
      paths: { validatedSignals: join(dir, 'none.json'), logDir: join(dir, 'logs'), state: join(dir, 'state.json') },
    }));
    const session = await prepareReplay({
      data: 'data/binance-2025-5m', config: join(dir, 'config.json'), to: Date.UTC(2025, 0, 5),
      statePath: join(dir, 'replay-state.json'), input: null, output: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    const updates: Card[] = [];
    session.rt.bus.subscribe((e) => {
      if (e.type === 'card-update') updates.push(structuredClone(e.card));
    });
    const first = () => [...session.rt.engine.cards.values()].find((c) => c.status === 'open');
    await session.feed.run({ pauseWhen: () => !!first() });
    const card = first()!;
    expect(card.expiresAt - card.createdAt).toBe(3 * 300_000);
    // Up to the candles closing at its expiry it is open; then the clock's timer marks it expired.
    await session.feed.run({ pauseWhen: () => session.rt.clock.now() >= card.expiresAt });
    expect(card.status).toBe('open');
    await session.feed.run({ pauseWhen: () => session.rt.clock.now() > card.expiresAt });
    expect(card.status).toBe('expired');
    expect(updates.filter((c) => c.id === card.id).map((c) => c.status)).toEqual(['expired']);
    expect(session.rt.trades.paper(card.id).outcome).toEqual({ code: 'card-expired' });
    await session.close();
  });
});
