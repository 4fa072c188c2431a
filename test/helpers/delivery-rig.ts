import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from 'grammy';
import pino from 'pino';
import type { Runtime } from '../../src/kernel/kernel.js';
import { EventBus } from '../../src/kernel/bus.js';
import type { Card } from '../../src/kernel/card.js';
import { TelegramChat } from '../../src/notifier/telegram/telegram-chat.js';
import { Outbox } from '../../src/store/outbox.js';
import type { OutboxItem } from '../../src/store/schema.js';
import { StateStore } from '../../src/store/state-store.js';
import { startFakeTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.js';

export const OWNER_CHAT = 1001;

/**
 * The real delivery path without the engine: a state file, the persisted outbox, the Telegram
 * chat's send loop and a real grammY client against the fake Bot API on loopback. Cards live in
 * `cards` (what the engine would hold). Used by the delivery tests and the delivery bench.
 */
export interface DeliveryRig {
  api: FakeTelegramApi;
  store: StateStore;
  outbox: Outbox;
  chat: TelegramChat;
  cards: Map<string, Card>;
  rt: Runtime;
  close(): Promise<void>;
}

export interface DeliveryRigOptions {
  /** Telegram pacing, ms before scaling (default 1000, as in production). */
  minIntervalMs?: number;
  /** Multiplies every outbox wait (default 0.001: a Telegram second is a millisecond). */
  timeScale?: number;
  onDelivered?: (item: OutboxItem, delayMs: number) => void;
}

export async function deliveryRig(o: DeliveryRigOptions = {}): Promise<DeliveryRig> {
  const api = await startFakeTelegramApi();
  const dir = mkdtempSync(join(tmpdir(), 'edgebot-delivery-'));
  const store = await StateStore.open(join(dir, 'state.json'), 10_000, { durable: false });
  const outbox = new Outbox(store, 100_000);
  const cards = new Map<string, Card>();
  const rt = {
    outbox, store, cards, log: pino({ level: 'silent' }), bus: new EventBus(), config: { quote: 'USDT' }, engine: { cards },
    // The owner's notification settings are judged at send time, on the engine's clock.
    clock: { now: () => Date.now() },
  } as unknown as Runtime;
  const bot = new Bot(api.token, { client: { apiRoot: api.apiRoot }, botInfo: api.botUser });
  const chat = new TelegramChat(rt, bot, {
    chatId: OWNER_CHAT, minIntervalMs: o.minIntervalMs ?? 1000, timeScale: o.timeScale ?? 0.001,
    ...(o.onDelivered ? { onDelivered: o.onDelivered } : {}),
  });
  await chat.start();
  return {
    api, store, outbox, chat, cards, rt,
    async close() {
      await chat.stop();
      await store.close();
      await api.close();
    },
  };
}

/** A tradable BUY card; `tag` ends up in its text (reason), so its message can be found. */
export function testCard(id: string, createdAt: number, tag: string): Card {
  return {
    id, createdAt, expiresAt: createdAt + 3 * 300_000, signalId: `zscore:${id}`, rule: 'glicko_zscore', name: 'Glicko z-score',
    symbol: 'BTCUSDT', timeframe: '5m', direction: 'long', entry: 100, stop: 99, target: 101.5,
    stopPercent: 1, targetPercent: 1.5, rr: 1.5, qty: 1, notional: 100, riskQuote: 1, riskPercent: 0.01,
    reason: tag, status: 'open',
  };
}
