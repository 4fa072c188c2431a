import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Deliverer, type OutboxTransport, type SendFailure } from '../../src/notifier/delivery.js';
import { Outbox } from '../../src/store/outbox.js';
import type { OutboxItem } from '../../src/store/schema.js';
import { StateStore } from '../../src/store/state-store.js';

class Temporary extends Error {}
class RateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super('429');
  }
}
const classify = (err: unknown): SendFailure =>
  err instanceof RateLimited ? { kind: 'rate-limited', retryAfterMs: err.retryAfterMs } : err instanceof Temporary ? { kind: 'temporary' } : { kind: 'permanent' };

const label = (x: OutboxItem) => (x.kind === 'text' ? x.html : `${x.kind}:${x.cardId}`);

// The Deliverer's scheduling with a scripted transport: which item goes when, never how long.
describe('Deliverer: priorities, individual backoff, per-card order', () => {
  let store: StateStore;
  let d: Deliverer | undefined;
  afterEach(async () => {
    await d?.stop(0);
    await store?.close();
  });

  async function setup(send: OutboxTransport, chatOf?: (x: OutboxItem) => number) {
    store = await StateStore.open(join(mkdtempSync(join(tmpdir(), 'edgebot-deliverer-')), 'state.json'), 10_000, { durable: false });
    const outbox = new Outbox(store);
    d = new Deliverer(outbox, store, send, pino({ level: 'silent' }), {
      pauseMs: 1000, timeScale: 0.001, classify, ...(chatOf ? { chatOf } : {}),
    });
    return outbox;
  }

  it('sends urgent before normal before bulk, FIFO within a class', async () => {
    const sent: string[] = [];
    const outbox = await setup(async (h) => {
      sent.push(label(h));
      return [h.id];
    });
    outbox.enqueue({ kind: 'text', priority: 'bulk', html: 'summary', buttons: [] });
    outbox.enqueue({ kind: 'card', cardId: 'A' });
    outbox.enqueue({ kind: 'text', html: 'fill', buttons: [] });
    outbox.enqueue({ kind: 'text', priority: 'urgent', html: 'reply 1', buttons: [] });
    outbox.enqueue({ kind: 'text', priority: 'urgent', html: 'reply 2', buttons: [] });
    d!.start();
    await d!.flush();
    expect(sent).toEqual(['reply 1', 'reply 2', 'card:A', 'fill', 'summary']);
  });

  it('a failing item backs off on its own: its class and the classes above go on', async () => {
    const sent: string[] = [];
    let failures = 0;
    const outbox = await setup(async (h) => {
      // "bad" fails its first 4 attempts.
      if (label(h) === 'bad' && failures++ < 4) throw new Temporary();
      sent.push(label(h));
      return [h.id];
    });
    outbox.enqueue({ kind: 'text', html: 'bad', buttons: [] });
    for (let i = 0; i < 3; i++) outbox.enqueue({ kind: 'text', html: `normal ${i}`, buttons: [] });
    d!.start();
    await d!.flush();
    expect(failures).toBe(5);
    expect(sent.indexOf('bad')).toBeGreaterThan(sent.indexOf('normal 0'));
    expect(sent.sort()).toEqual(['bad', 'normal 0', 'normal 1', 'normal 2']);
  });

  it('an edit queued while its card is being sent waits for that send, then goes', async () => {
    const events: string[] = [];
    let release!: () => void;
    let outbox!: Outbox;
    outbox = await setup(async (h) => {
      events.push(`start ${label(h)}`);
      if (h.kind === 'card') {
        // The card changes while Telegram has not answered: its edit must follow the send.
        outbox.enqueue({ kind: 'edit', cardId: 'A' });
        outbox.enqueue({ kind: 'text', priority: 'urgent', html: 'reply', buttons: [] });
        await new Promise<void>((r) => (release = r));
      }
      events.push(`done ${label(h)}`);
      return [h.id];
    });
    outbox.enqueue({ kind: 'card', cardId: 'A' });
    d!.start();
    while (!release) await new Promise((r) => setImmediate(r));
    release();
    await d!.flush();
    expect(events).toEqual(['start card:A', 'done card:A', 'start reply', 'done reply', 'start edit:A', 'done edit:A']);
  });

  it('an edit queued while its card still waits is moot (the send shows the latest state)', async () => {
    const sent: string[] = [];
    const outbox = await setup(async (h) => {
      sent.push(label(h));
      return [h.id];
    });
    outbox.enqueue({ kind: 'card', cardId: 'A' });
    outbox.enqueue({ kind: 'edit', cardId: 'A' });
    d!.start();
    await d!.flush();
    expect(sent).toEqual(['card:A']);
  });

  it('a 429 holds its chat for retry_after; another chat goes on', async () => {
    const sent: string[] = [];
    const outbox = await setup(async (h) => {
      // Chat 1 is rate-limited for a (scaled) hour.
      if (h.kind === 'text' && h.chatId === 1) throw new RateLimited(3_600_000);
      sent.push(label(h));
      return [h.id];
    }, (x) => (x.kind === 'text' ? x.chatId ?? 0 : 0));
    outbox.enqueue({ kind: 'text', priority: 'urgent', html: 'to chat 1', buttons: [], chatId: 1 });
    outbox.enqueue({ kind: 'text', html: 'to chat 2', buttons: [], chatId: 2 });
    outbox.enqueue({ kind: 'text', html: 'to owner', buttons: [] });
    d!.start();
    await new Promise<void>((r) => {
      const check = () => (sent.length === 2 ? r() : setTimeout(check, 5));
      check();
    });
    expect(sent).toEqual(['to chat 2', 'to owner']);
    expect(outbox.pending().map(label)).toEqual(['to chat 1']);
  });

  it('drops what the chat refuses for good and goes on', async () => {
    const sent: string[] = [];
    const outbox = await setup(async (h) => {
      if (label(h) === 'refused') throw new Error('400 Bad Request');
      sent.push(label(h));
      return [h.id];
    });
    outbox.enqueue({ kind: 'text', html: 'refused', buttons: [] });
    outbox.enqueue({ kind: 'text', html: 'fine', buttons: [] });
    d!.start();
    await d!.flush();
    expect(sent).toEqual(['fine']);
    expect(outbox.size).toBe(0);
  });
});
