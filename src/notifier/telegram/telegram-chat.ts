import type { Bot } from 'grammy';
import type { Runtime } from '../../app/runtime.js';
import type { BotEvent } from '../../core/events.js';
import type { Card } from '../../engine/card.js';
import type { ChatAdapter } from '../chat.js';
import { esc, splitMessage, utc } from '../format.js';
import { renderCard, renderConfirmation, renderEvent, type Rendered } from '../render.js';
import { commandMenu } from './bot.js';
import { keyboard } from './keyboard.js';

type Outgoing =
  | { kind: 'message'; rendered: Rendered }
  | { kind: 'cards'; cards: Card[] }
  | { kind: 'edit'; card: Card };

export interface TelegramChatOptions {
  chatId: number;
  /** Pause between outgoing calls (Telegram allows about 1 message/s per chat). */
  minIntervalMs?: number;
}

/**
 * The Telegram side of the bot: renders engine events into the owner chat and keeps card
 * messages in step with their state (buttons removed once used, expired cards say so).
 * Outgoing messages go through one paced queue; several cards from one close become a single
 * digest with a row of buttons per signal.
 */
export class TelegramChat implements ChatAdapter {
  readonly kind = 'telegram' as const;
  readonly #queue: Outgoing[] = [];
  /** Digest messages by message id → the cards they show, to re-render on updates. */
  readonly #digests = new Map<number, Card[]>();
  #unsubscribe: (() => void) | undefined;
  #worker: Promise<void> | undefined;
  #idle: (() => void)[] = [];
  #polling: Promise<void> | undefined;

  constructor(readonly rt: Runtime, readonly bot: Bot, readonly opts: TelegramChatOptions) {}

  async start(): Promise<void> {
    await this.bot.api.setMyCommands(commandMenu());
    this.#unsubscribe = this.rt.bus.subscribe((e) => this.#onEvent(e));
    await this.bot.init();
    this.#polling = this.bot.start({
      drop_pending_updates: false,
      allowed_updates: ['message', 'callback_query'],
    }).catch((err) => this.rt.log.error({ err }, 'telegram polling stopped with an error'));
  }

  #onEvent(e: BotEvent): void {
    if (e.type === 'card') this.#push({ kind: 'cards', cards: [e.card] });
    else if (e.type === 'card-update') {
      if (e.card.message) this.#push({ kind: 'edit', card: e.card });
    } else {
      const r = renderEvent(e, this.rt.config.quote);
      if (r) this.#push({ kind: 'message', rendered: r });
    }
  }

  #push(o: Outgoing): void {
    this.#queue.push(o);
    if (!this.#worker) this.#worker = this.#drain().finally(() => {
      this.#worker = undefined;
      for (const f of this.#idle.splice(0)) f();
    });
  }

  async #drain(): Promise<void> {
    const pause = this.opts.minIntervalMs ?? 1000;
    while (this.#queue.length) {
      let item = this.#queue.shift()!;
      if (item.kind === 'cards') {
        // Cards of the same close go out as one digest.
        while (this.#queue[0]?.kind === 'cards' && (this.#queue[0] as { cards: Card[] }).cards[0].createdAt === item.cards[0].createdAt) {
          item = { kind: 'cards', cards: [...item.cards, ...(this.#queue.shift() as { cards: Card[] }).cards] };
        }
      }
      try {
        await this.#send(item);
      } catch (err) {
        this.rt.log.error({ err, kind: item.kind }, 'telegram send failed');
      }
      if (this.#queue.length && pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  }

  async #send(o: Outgoing): Promise<void> {
    const api = this.bot.api;
    const chatId = this.opts.chatId;
    if (o.kind === 'message') {
      await this.#sendRendered(o.rendered);
    } else if (o.kind === 'cards') {
      const r = o.cards.length === 1 ? renderCard(o.cards[0], this.rt.config.quote) : renderDigest(o.cards, this.rt.config.quote);
      const msg = await this.#sendRendered(r);
      for (const c of o.cards) c.message = { chatId, messageId: msg.message_id };
      if (o.cards.length > 1) this.#digests.set(msg.message_id, o.cards);
      this.rt.store.save();
    } else {
      const m = o.card.message!;
      const cards = this.#digests.get(m.messageId);
      const r = cards ? renderDigest(cards, this.rt.config.quote) : renderCard(o.card, this.rt.config.quote);
      try {
        await api.editMessageText(m.chatId, m.messageId, r.html, { parse_mode: 'HTML', ...keyboard(r.buttons) });
      } catch (err) {
        // An identical edit (two updates, one outcome) is not a failure.
        if (!String((err as Error).message).includes('message is not modified')) throw err;
      }
    }
  }

  async #sendRendered(r: Rendered) {
    const parts = splitMessage(r.html);
    let last;
    for (let i = 0; i < parts.length; i++) {
      const isLast = i === parts.length - 1;
      last = await this.bot.api.sendMessage(this.opts.chatId, parts[i], {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(isLast && r.buttons.length ? keyboard(r.buttons) : {}),
      });
    }
    return last!;
  }

  /** Resolves when everything queued has been sent. */
  async flush(): Promise<void> {
    if (!this.#worker) return;
    await new Promise<void>((r) => this.#idle.push(r));
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await this.flush();
    // bot.stop() confirms the last update offset with Telegram before returning.
    if (this.bot.isRunning()) await this.bot.stop();
    await this.#polling;
  }
}

/** Several cards of one close as one message: a compact block and a row of buttons per signal. */
export function renderDigest(cards: Card[], quote = 'USDT'): Rendered {
  const blocks = cards.map((c, i) => {
    const html = renderCard(c, quote).html.split('\n');
    // Keep the head, entry/stop/target, R:R and the status line; the full card is one tap away in /signals.
    return `${i + 1}. ${html[0]}\n${html.slice(2, 6).join('\n')}\nReason: <i>${esc(c.reason)}</i>` +
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
