import { Api, GrammyError, HttpError, type Bot } from 'grammy';
import type { Runtime } from '../../kernel/kernel.js';
import type { BotEvent } from '../../kernel/events.js';
import type { Card } from '../../kernel/card.js';
import type { ChatAdapter } from '../chat.js';
import { Deliverer, type SendFailure } from '../delivery.js';
import type { OutboxItem, Priority } from '../../store/schema.js';
import { esc, splitMessage, utc } from '../format.js';
import { renderCard, renderConfirmation, renderEvent, renderEvidence, type Rendered } from '../render.js';
import { commandMenu } from './bot.js';
import { cardChartPng, chartable, editCardCaption, sendCardPhoto, type SendExtra } from './features/card-photos.js';
import { deliveryLevel, isMuted, settingsOf, topicOf, type Topic } from '../../store/settings.js';
import { keyboard } from './keyboard.js';

export interface TelegramChatOptions {
  chatId: number;
  /** Pause between outgoing calls (Telegram allows about 1 message/s per chat; groups get at least 3 s). */
  minIntervalMs?: number;
  /** Multiplies the outbox's waits (pacing, backoff, retry_after); benches only. Default 1. */
  timeScale?: number;
  /** A send that has not answered after this long fails and is retried (s; default 30). */
  sendTimeoutSeconds?: number;
  /** Told of every delivered outbox item with its delay since enqueue, ms (benches, KPIs). */
  onDelivered?: (item: OutboxItem, delayMs: number) => void;
  /** Told when polling stops for good (409 Conflict: another instance; or too many failures in a row). */
  onFatal?: (err: Error) => void;
}

/**
 * The Telegram side of the bot: renders engine events into the owner chat and keeps card
 * messages in step with their state (buttons removed once used, expired cards say so).
 * Every message goes through the persisted outbox (write-ahead: on disk before it is sent, sent
 * again after a crash if Telegram never got it), urgent replies and alerts ahead of cards, cards
 * ahead of bulk; several cards from one close become a single digest with a row of buttons per
 * signal. Sends use their own API client without auto-retry: the outbox owns retries, so a
 * failing message waits on its own instead of holding the queue inside a send.
 */
export class TelegramChat implements ChatAdapter {
  readonly kind = 'telegram' as const;
  /** Cards whose chart went out ahead of their text (a caption too long), so a retry does not post it twice. */
  readonly #photoSent = new Set<string>();
  readonly #deliverer: Deliverer;
  /** The client the outbox sends with: same server and token as the bot, no auto-retry. */
  readonly api: Api;
  #unsubscribe: (() => void) | undefined;
  #polling: Promise<void> | undefined;

  constructor(readonly rt: Runtime, readonly bot: Bot, readonly opts: TelegramChatOptions) {
    this.api = new Api(bot.token, { ...bot.api.options, timeoutSeconds: opts.sendTimeoutSeconds ?? 30 });
    const pauseMs = opts.minIntervalMs ?? 1000;
    this.#deliverer = new Deliverer(rt.outbox, rt.store, (head, rest) => this.#send(head, rest), rt.log, {
      pauseMs,
      // Telegram: about 1 message/s in a private chat, 20/min in a group (negative ids).
      pauseFor: (chat) => (pauseMs > 0 && typeof chat === 'number' && chat < 0 ? Math.max(pauseMs, 3000) : pauseMs),
      chatOf: (item) => (item.kind === 'text' ? item.chatId ?? opts.chatId : opts.chatId),
      classify: telegramFailure,
      group: (head, rest) => this.#digestOf(head, rest),
      ...(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {}),
      ...(opts.onDelivered ? { onDelivered: opts.onDelivered } : {}),
    });
  }

  async start(): Promise<void> {
    await this.bot.api.setMyCommands(commandMenu());
    this.#unsubscribe = this.rt.bus.subscribe((e) => this.#onEvent(e));
    await this.bot.init();
    this.#deliverer.start();
    this.#polling = this.bot.start({
      drop_pending_updates: false,
      allowed_updates: ['message', 'callback_query'],
    }).catch((err: Error) => {
      // grammY stops polling only on errors it cannot retry (409 Conflict, 401): the bot is deaf.
      this.rt.log.error({ err }, 'telegram polling stopped with an error');
      this.opts.onFatal?.(err);
    });
  }

  #onEvent(e: BotEvent): void {
    const outbox = this.rt.outbox;
    if (e.type === 'card') {
      // A card a risk limit blocked after its notice went out today is recorded, not posted.
      if (!e.quiet) outbox.enqueue({ kind: 'card', cardId: e.card.id });
    } else if (e.type === 'card-update') outbox.enqueue({ kind: 'edit', cardId: e.card.id });
    else {
      const r = renderEvent(e, this.rt.config.quote);
      if (r) outbox.enqueue({ kind: 'text', priority: eventPriority(e), html: r.html, buttons: r.buttons, topic: eventTopic(e) });
    }
  }

  #card(id: string): Card | undefined {
    return this.rt.engine.cards.get(id) ?? (this.rt.store.data.cards.find((c) => c.id === id) as Card | undefined);
  }

  /** A card and the cards of the same close queued right behind it (one digest); anything else alone. */
  #digestOf(head: OutboxItem, rest: readonly OutboxItem[]): OutboxItem[] {
    if (head.kind !== 'card') return [head];
    const first = this.#card(head.cardId);
    if (!first) return [head];
    const items: OutboxItem[] = [head];
    for (const x of rest) {
      if (x.kind !== 'card') break;
      const c = this.#card(x.cardId);
      if (!c || c.createdAt !== first.createdAt) break;
      items.push(x);
    }
    return items;
  }

  async #send(head: OutboxItem, rest: readonly OutboxItem[]): Promise<number[]> {
    const quote = this.rt.config.quote;
    const chatId = this.opts.chatId;
    // The owner's settings decide, now, whether and how loudly this goes out.
    const settings = settingsOf(this.rt.store.data);
    const level = deliveryLevel(settings, topicOf(head), this.rt.clock.now());
    if (level === 'off') return [head.id];
    const extra: SendExtra = level === 'silent' ? { disable_notification: true } : {};
    if (head.kind === 'text') {
      await this.#sendRendered({ html: head.html, buttons: head.buttons }, head.chatId ?? chatId, extra);
      return [head.id];
    }
    if (head.kind === 'card') {
      // A card of a muted instrument is dropped, not sent.
      const shown = (c: Card) => !isMuted(settings, c.symbol, c.createdAt);
      // Cards of the same close waiting behind it go out as one digest.
      const items = this.#digestOf(head, rest);
      const cards = items.map((x) => this.#card((x as { cardId: string }).cardId)).filter((c): c is Card => !!c && shown(c));
      if (!cards.length) return items.map((x) => x.id);
      if (cards.length === 1) {
        const card = cards[0];
        const png = this.rt.history && chartable(card) ? await cardChartPng(card, this.rt.history, this.rt.log) : null;
        card.message = png
          ? await sendCardPhoto(this.api, chatId, card, png, quote, extra, (r, c, x) => this.#sendRendered(r, c, x), this.#photoSent)
          : { chatId, messageId: (await this.#sendRendered(renderCard(card, quote), chatId, extra)).message_id };
        return items.map((x) => x.id);
      }
      const msg = await this.#sendRendered(renderDigest(cards, quote), chatId, extra);
      for (const c of cards) c.message = { chatId, messageId: msg.message_id };
      return items.map((x) => x.id);
    }
    const card = this.#card(head.cardId);
    // Not sent yet (or forgotten): the send shows its latest state, nothing to edit.
    if (!card?.message) return [head.id];
    const m = card.message;
    try {
      if (m.photo) await editCardCaption(this.api, card, m, quote);
      else {
        // The cards a digest shows are the ones whose stored message is this one, so an edit
        // after a restart still redraws every row.
        const digest = [...this.rt.engine.cards.values()].filter((c) => c.message?.messageId === m.messageId && c.message.chatId === m.chatId);
        const r = digest.length > 1 ? renderDigest(digest, quote) : renderCard(card, quote);
        await this.api.editMessageText(m.chatId, m.messageId, r.html, { parse_mode: 'HTML', ...keyboard(r.buttons) });
      }
    } catch (err) {
      // An identical edit (two updates, one outcome) is not a failure.
      if (!String((err as Error).message).includes('message is not modified')) throw err;
    }
    return [head.id];
  }

  async #sendRendered(r: Rendered, chatId: number, extra: SendExtra = {}) {
    const parts = splitMessage(r.html);
    let last;
    for (let i = 0; i < parts.length; i++) {
      const isLast = i === parts.length - 1;
      last = await this.api.sendMessage(chatId, parts[i], {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...extra,
        ...(isLast && r.buttons.length ? keyboard(r.buttons) : {}),
      });
    }
    return last!;
  }

  /** Resolves when everything queued has been sent. */
  flush(): Promise<void> {
    return this.#deliverer.flush();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await this.#deliverer.stop();
    // bot.stop() confirms the last update offset with Telegram before returning.
    if (this.bot.isRunning()) await this.bot.stop().catch((err) => this.rt.log.warn({ err }, 'telegram stop failed'));
    await this.#polling;
  }
}

/** What an event's message is about, for the owner's notification settings. */
export function eventTopic(e: BotEvent): Topic {
  switch (e.type) {
    case 'entry':
    case 'exit':
      return 'fills';
    case 'alert':
      return e.level === 'error' ? 'error' : (e.topic ?? 'alert');
    case 'feed':
      return 'feed';
    case 'risk-limit':
      return 'risk';
    case 'system':
    case 'live-alert':
      return e.level === 'error' ? 'error' : 'alert';
    default:
      return 'alert';
  }
}

/** How the outbox retries a failed Bot API call: 429 waits `retry_after` for the chat, 5xx and network errors back off, other 4xx are final. */
export function telegramFailure(err: unknown): SendFailure {
  if (err instanceof GrammyError) {
    if (err.error_code === 429) return { kind: 'rate-limited', retryAfterMs: (err.parameters.retry_after ?? 1) * 1000 };
    if (err.error_code >= 400 && err.error_code < 500) return { kind: 'permanent' };
    return { kind: 'temporary' };
  }
  if (err instanceof HttpError) return { kind: 'temporary' };
  return { kind: 'temporary' };
}

/** Alerts (errors, risk limits, drift pauses) go ahead of cards; fills and exits go with cards. */
function eventPriority(e: BotEvent): Priority {
  return e.type === 'entry' || e.type === 'exit' ? 'normal' : 'urgent';
}

/** Several cards of one close as one message: a compact block and a row of buttons per signal. */
export function renderDigest(cards: Card[], quote = 'USDT'): Rendered {
  const blocks = cards.map((c, i) => {
    const html = renderCard(c, quote).html.split('\n');
    // Keep the head (with its unvalidated/paused badge), entry/stop/target, R:R, the evidence line
    // and the status line; the full card is one tap away in /signals.
    return `${i + 1}. ${html[0]}\n${html.slice(2, 6).join('\n')}\n${renderEvidence(c.evidence)}\nReason: <i>${esc(c.reason)}</i>` +
      (c.status !== 'open' ? `\n<b>${esc(statusWord(c))}</b>` : '') +
      (c.status === 'open' && c.confirmation ? renderConfirmation(c.confirmation, c.symbol, quote) : '');
  });
  const buttons = cards
    .filter((c) => c.status === 'open')
    .map((c) => renderCard(c, quote).buttons[0].map((b) => ({ ...b, text: `${b.text} ${c.symbol.replace(quote, '')}` })));
  return { html: `📣 <b>${cards.length} signals</b> at ${utc(cards[0].createdAt)}\n\n${blocks.join('\n\n')}`, buttons };
}

function statusWord(c: Card): string {
  switch (c.status) {
    case 'paper': return '📝 Paper-traded';
    case 'live': return '💰 Traded live';
    case 'skipped': return '✖ Skipped';
    case 'expired': return '⌛ Expired';
    case 'info': return 'ℹ️ Informational';
    case 'blocked': return `⛔ Not tradable: ${c.blockedReason ?? ''}`;
    default: return '';
  }
}
