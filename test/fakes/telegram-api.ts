/**
 * A fake Telegram Bot API server for tests.
 *
 * The real grammY client talks to it over loopback HTTP (`client.apiRoot`),
 * so tests exercise the actual request/response path — serialisation, long
 * polling, error handling, transformers such as auto-retry — without any
 * network access. Only the behaviour edgebot relies on is modelled.
 */
import { mulberry32 } from '../../src/backtest/evidence.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotCommand, Chat, Message, Update, User, UserFromGetMe } from 'grammy/types';

/** An error the fake answers with, shaped like Telegram's. */
export interface FakeApiError {
  code: number;
  description: string;
  /** Seconds; sent as `parameters.retry_after`, which is how a 429 looks. */
  retryAfter?: number;
}

/** One recorded API call (successful or not). */
export interface RecordedCall {
  method: string;
  payload: any;
  at: number;
  /** false when the fake answered with an error (or dropped the call before handling it). */
  ok?: boolean;
  /** The injected fault this call got, if any (see {@link FakeTelegramApi.injectFaults}). */
  fault?: FaultKind;
}

/**
 * Injected faults: `429` answers Too Many Requests with `retry_after`; `5xx` answers 502 Bad
 * Gateway; `drop-before` closes the connection without handling the call; `drop-after` handles
 * it (the message exists) and then closes the connection before answering — the one case where
 * a client cannot know the call succeeded.
 */
export type FaultKind = '429' | '5xx' | 'drop-before' | 'drop-after';

/** A random fault plan; deterministic for a given `seed`. */
export interface FaultPlan {
  /** Fraction of the matching calls that fail, 0…1. */
  rate: number;
  /** Relative weights of the fault kinds; default all equal. */
  weights?: Partial<Record<FaultKind, number>>;
  /** Seconds a 429 asks to wait (`parameters.retry_after`); default 1. */
  retryAfter?: number;
  /** Methods that can fail; default every sending and editing method (never getUpdates). */
  methods?: readonly string[];
  seed?: number;
}

const FAULTY_METHODS = ['sendMessage', 'sendPhoto', 'sendDocument', 'editMessageText', 'editMessageReplyMarkup', 'editMessageCaption', 'deleteMessage'];


/** Someone sending a message or pressing a button. */
export interface FakeUser {
  id: number;
  first_name?: string;
  username?: string;
}

/**
 * A message the bot sent, as Telegram currently holds it. `text` is what
 * Telegram would return (HTML tags stripped); `raw_text` keeps the source the
 * bot sent when a `parse_mode` was used. A photo or document has its caption in
 * `caption`, as Telegram holds it, and the same words in `text` too, so a test
 * reads a card the same way whether it came as text or as a photo's caption
 * (`photo` / `document` tell the two apart).
 */
export type SentMessage = Message & { raw_text?: string; parse_mode?: string };

export const DEFAULT_TOKEN = '123456:TEST-fake-token-abcdefghijklmnopqrstuvwxyz';

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_CALLBACK_DATA_BYTES = 64;
const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const HTML_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'a',
  'tg-spoiler', 'span', 'blockquote', 'tg-emoji',
]);
// Form-encoded bodies carry everything as strings; these are numbers in the Bot API.
const NUMERIC_FIELDS = new Set([
  'chat_id', 'message_id', 'offset', 'limit', 'timeout', 'from_chat_id', 'reply_to_message_id',
  'cache_time', 'user_id', 'message_thread_id',
]);

/** Thrown inside a method handler to answer with a Bot API error. */
class ApiError extends Error {
  constructor(readonly code: number, readonly description: string, readonly retryAfter?: number) {
    super(description);
  }
}
const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

interface StoredMessage {
  message: Message;
  /** Source text/caption as sent, used for the "not modified" comparison. */
  raw?: string;
  parseMode?: string;
  markup?: unknown;
}

interface PollWaiter {
  offset: number;
  limit: number;
  respond: (updates: Update[]) => void;
}

type Handler = (p: any) => unknown;

export class FakeTelegramApi {
  readonly token: string;
  readonly calls: RecordedCall[] = [];
  /** Chats the fake knows about, by id (created by `sendText` or first send). */
  readonly chats = new Map<number, Chat>();
  /** Last `setMyCommands` payload. */
  commands: { commands: BotCommand[]; scope?: unknown; language_code?: string } | undefined;

  readonly botUser: UserFromGetMe;
  private server: Server | undefined;
  private port = 0;
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private nextCallbackId = 1;
  private pending: Update[] = [];
  private waiters = new Set<PollWaiter>();
  private store = new Map<string, StoredMessage>();
  private failures = new Map<string, { error: FakeApiError; remaining: number }[]>();
  private callbackIds = new Set<string>();
  private documents = new Map<number, string>();
  private photos = new Map<number, Buffer>();
  private faultPlan: { plan: FaultPlan; rand: () => number; methods: Set<string> } | undefined;
  private readonly handlers: Record<string, Handler>;

  constructor(opts: { token?: string } = {}) {
    this.token = opts.token ?? DEFAULT_TOKEN;
    this.botUser = {
      id: Number(this.token.split(':')[0]) || 123456,
      is_bot: true,
      first_name: 'edgebot',
      username: 'edgebot_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    } as UserFromGetMe;
    this.handlers = {
      getMe: () => this.botUser,
      deleteWebhook: (p) => {
        if (p.drop_pending_updates) this.pending = [];
        return true;
      },
      sendMessage: (p) => this.sendMessage(p),
      sendPhoto: (p) => this.sendPhoto(p),
      sendDocument: (p) => this.sendDocument(p),
      editMessageText: (p) => this.editMessageText(p),
      editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
      editMessageCaption: (p) => this.editMessageCaption(p),
      deleteMessage: (p) => {
        if (!this.store.delete(key(p.chat_id, p.message_id))) throw badRequest('message to delete not found');
        return true;
      },
      answerCallbackQuery: (p) => {
        if (!this.callbackIds.delete(String(p.callback_query_id))) {
          throw badRequest('query is too old and response timeout expired or query ID is invalid');
        }
        return true;
      },
      setMyCommands: (p) => {
        this.commands = p;
        return true;
      },
      getMyCommands: () => this.commands?.commands ?? [],
      sendChatAction: () => true,
    };
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts listening on 127.0.0.1 with a random port. */
  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${err}` });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Base URL to pass as grammY's `client.apiRoot`. */
  get apiRoot(): string {
    if (!this.server) throw new Error('FakeTelegramApi: call listen() first');
    return `http://127.0.0.1:${this.port}`;
  }

  /** Releases held long polls (with an empty result) and stops the server. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const w of [...this.waiters]) w.respond([]);
    this.waiters.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive sockets of the client agent would otherwise keep close() pending.
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 50).unref();
    });
  }

  // ------------------------------------------------------- test-side helpers

  /** Makes the next `times` calls of `method` fail with `error`. */
  failNext(method: string, error: FakeApiError, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    queue.push({ error, remaining: times });
    this.failures.set(method, queue);
  }

  /**
   * From now on, a random `plan.rate` of the calls of `plan.methods` fail with one of the
   * {@link FaultKind}s (recorded on the call as `fault`). `null` turns faults off.
   */
  injectFaults(plan: FaultPlan | null): void {
    this.faultPlan = plan ? { plan, rand: mulberry32(plan.seed ?? 1), methods: new Set(plan.methods ?? FAULTY_METHODS) } : undefined;
  }

  /** How many calls got each injected fault so far. */
  faultCounts(): Record<FaultKind, number> {
    const out: Record<FaultKind, number> = { '429': 0, '5xx': 0, 'drop-before': 0, 'drop-after': 0 };
    for (const c of this.calls) if (c.fault) out[c.fault]++;
    return out;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages the bot sent (current state after edits/deletes), oldest first. */
  messages(chatId?: number): SentMessage[] {
    const out: SentMessage[] = [];
    for (const s of this.store.values()) {
      if (chatId !== undefined && s.message.chat.id !== chatId) continue;
      const m = structuredClone(s.message) as SentMessage;
      if (s.parseMode) Object.assign(m, { raw_text: s.raw, parse_mode: s.parseMode });
      if (m.text === undefined && m.caption !== undefined) m.text = m.caption;
      out.push(m);
    }
    return out;
  }

  lastMessage(chatId?: number): SentMessage | undefined {
    return this.messages(chatId).at(-1);
  }

  /** Payloads of every successful `answerCallbackQuery` call. */
  answeredCallbacks(): any[] {
    return this.calls.filter((c) => c.method === 'answerCallbackQuery' && c.ok).map((c) => c.payload);
  }

  /** Enqueues a `message` update from `from`; `/commands` get a bot_command entity. */
  sendText(from: FakeUser, text: string, chatId: number = from.id): Update {
    const user = toUser(from);
    const chat = this.chatFor(chatId, from);
    const message = {
      message_id: this.nextMessageId++,
      from: user,
      chat,
      date: now(),
      text,
    } as Message;
    const command = /^\/\S+/.exec(text);
    if (command) message.entities = [{ type: 'bot_command', offset: 0, length: command[0].length }];
    return this.enqueue({ message } as Omit<Update, 'update_id'>);
  }

  /**
   * Enqueues a `callback_query` as if `from` pressed a button carrying `data`
   * under a message the bot sent. Returns the callback query id.
   */
  pressButton(
    from: FakeUser,
    message: { message_id: number; chat: { id: number } } | number,
    data: string,
    chatId?: number,
  ): string {
    const messageId = typeof message === 'number' ? message : message.message_id;
    const chat = typeof message === 'number' ? chatId : (chatId ?? message.chat.id);
    const stored = [...this.store.values()].find(
      (s) => s.message.message_id === messageId && (chat === undefined || s.message.chat.id === chat),
    );
    if (!stored) throw new Error(`FakeTelegramApi.pressButton: no stored message ${messageId}`);
    const id = String(this.nextCallbackId++);
    this.callbackIds.add(id);
    this.enqueue({
      callback_query: {
        id,
        from: toUser(from),
        message: structuredClone(stored.message),
        chat_instance: `ci${stored.message.chat.id}`,
        data,
      },
    } as Omit<Update, 'update_id'>);
    return id;
  }

  /**
   * Polls `fn` every 10 ms until it returns a truthy value (exceptions count
   * as "not yet"), else rejects with the recent calls so failures are readable.
   */
  async waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const value = fn();
        if (value) return value;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const recent = this.calls
      .slice(-8)
      .map((c) => `  ${c.method}${c.ok ? '' : ' (failed)'} ${short(c.payload)}`)
      .join('\n');
    const cause = lastError instanceof Error ? `\nlast error: ${lastError.message}` : '';
    throw new Error(`waitFor timed out after ${timeoutMs} ms${cause}\nrecent calls:\n${recent || '  (none)'}`);
  }

  // ---------------------------------------------------------------- updates

  private enqueue(partial: Omit<Update, 'update_id'>): Update {
    const update = { update_id: this.nextUpdateId++, ...partial } as Update;
    this.pending.push(update);
    for (const w of [...this.waiters]) {
      const ready = this.pending.filter((u) => u.update_id >= w.offset).slice(0, w.limit);
      if (ready.length) w.respond(ready);
    }
    return update;
  }

  /** Long polling: confirm below `offset`, answer now or hold up to `timeout` s. */
  private getUpdates(p: any, res: ServerResponse): void {
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeout = Math.max(0, Number(p.timeout ?? 0));
    if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    const ready = this.pending.filter((u) => u.update_id >= offset).slice(0, limit);
    if (ready.length || timeout === 0 || !this.server) {
      send(res, 200, { ok: true, result: ready });
      return;
    }
    const waiter: PollWaiter = {
      offset,
      limit,
      respond: (updates) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        if (!res.writableEnded) send(res, 200, { ok: true, result: updates });
      },
    };
    const timer = setTimeout(() => waiter.respond([]), timeout * 1000);
    // The client aborts its poll on bot.stop(); forget it so nothing writes to a dead socket.
    res.on('close', () => {
      clearTimeout(timer);
      this.waiters.delete(waiter);
    });
    this.waiters.add(waiter);
  }

  // ------------------------------------------------------------ bot methods

  private sendMessage(p: any): Message {
    const text = checkText(p.text, p.parse_mode, MAX_TEXT, 'message is too long', 'message text is empty');
    const markup = checkMarkup(p.reply_markup);
    const message = { ...this.newMessage(p.chat_id), text } as Message;
    return this.save(message, p.text, p.parse_mode, markup);
  }

  /** A photo: an uploaded file (multipart) is kept byte for byte (`photoBytes`); a string is a file id or URL. */
  private sendPhoto(p: any): Message {
    if (p.photo === undefined || p.photo === '') throw badRequest('there is no photo in the request');
    const markup = checkMarkup(p.reply_markup);
    let caption: string | undefined;
    if (p.caption !== undefined) caption = checkText(p.caption, p.parse_mode, MAX_CAPTION, 'message caption is too long');
    const message = { ...this.newMessage(p.chat_id), photo: fakePhotoSizes(this.nextMessageId) } as Message;
    if (caption !== undefined) message.caption = caption;
    if (typeof p.photo === 'object' && p.photo.bytes) this.photos.set(message.message_id, p.photo.bytes);
    return this.save(message, p.caption, p.parse_mode, markup);
  }

  /** Bytes of a photo the bot uploaded, by message id. */
  photoBytes(messageId: number): Buffer | undefined {
    return this.photos.get(messageId);
  }

  /** A document upload: its file part is kept (`document.content`, text) so tests can read it back. */
  private sendDocument(p: any): Message {
    if (p.document === undefined || p.document === '') throw badRequest('there is no document in the request');
    const markup = checkMarkup(p.reply_markup);
    const file = p.document as { filename: string; size: number; content?: string };
    const message = {
      ...this.newMessage(p.chat_id),
      document: { file_id: `doc-${this.nextMessageId}`, file_unique_id: `doc-${this.nextMessageId}`, file_name: file.filename, file_size: file.size },
    } as Message;
    if (p.caption !== undefined) message.caption = checkText(p.caption, p.parse_mode, MAX_CAPTION, 'message caption is too long');
    this.documents.set(message.message_id, file.content ?? '');
    return this.save(message, p.caption, p.parse_mode, markup);
  }

  /** Content of a document the bot sent, by message id. */
  documentContent(messageId: number): string | undefined {
    return this.documents.get(messageId);
  }

  private editMessageText(p: any): Message {
    const text = checkText(p.text, p.parse_mode, MAX_TEXT, 'message is too long', 'message text is empty');
    const markup = checkMarkup(p.reply_markup);
    const stored = this.find(p, 'message to edit not found');
    if (stored.message.text === undefined) throw badRequest('there is no text in the message to edit');
    if (stored.raw === p.text && stored.parseMode === p.parse_mode && sameJson(stored.markup, markup)) {
      throw badRequest(NOT_MODIFIED.slice('Bad Request: '.length));
    }
    stored.message.text = text;
    stored.raw = p.text;
    stored.parseMode = p.parse_mode;
    this.setMarkup(stored, markup);
    stored.message.edit_date = now();
    return structuredClone(stored.message);
  }

  /** Edits a photo's or document's caption (and its buttons); a text message has none to edit. */
  private editMessageCaption(p: any): Message {
    const caption = checkText(p.caption, p.parse_mode, MAX_CAPTION, 'message caption is too long');
    const markup = checkMarkup(p.reply_markup);
    const stored = this.find(p, 'message to edit not found');
    if (stored.message.text !== undefined) throw badRequest('there is no caption in the message to edit');
    if (stored.raw === p.caption && stored.parseMode === p.parse_mode && sameJson(stored.markup, markup)) {
      throw badRequest(NOT_MODIFIED.slice('Bad Request: '.length));
    }
    stored.message.caption = caption;
    stored.raw = p.caption;
    stored.parseMode = p.parse_mode;
    this.setMarkup(stored, markup);
    stored.message.edit_date = now();
    return structuredClone(stored.message);
  }

  private editMessageReplyMarkup(p: any): Message {
    const markup = checkMarkup(p.reply_markup);
    const stored = this.find(p, 'message to edit not found');
    if (sameJson(stored.markup, markup)) throw badRequest(NOT_MODIFIED.slice('Bad Request: '.length));
    this.setMarkup(stored, markup);
    stored.message.edit_date = now();
    return structuredClone(stored.message);
  }

  private newMessage(chatIdRaw: unknown): Pick<Message, 'message_id' | 'from' | 'chat' | 'date'> {
    const chatId = Number(chatIdRaw);
    if (!Number.isInteger(chatId) || chatId === 0) throw badRequest('chat not found');
    const { id, is_bot, first_name, username } = this.botUser;
    const from: User = { id, is_bot, first_name, username };
    return { message_id: this.nextMessageId++, from, chat: this.chatFor(chatId), date: now() };
  }

  private save(message: Message, raw: string | undefined, parseMode: string | undefined, markup: unknown): Message {
    const stored: StoredMessage = { message, raw, parseMode };
    this.setMarkup(stored, markup);
    this.store.set(key(message.chat.id, message.message_id), stored);
    return structuredClone(message);
  }

  /** Telegram only reports inline keyboards as part of a Message; reply keyboards are not echoed. */
  private setMarkup(stored: StoredMessage, markup: any): void {
    stored.markup = markup;
    if (markup?.inline_keyboard?.length) stored.message.reply_markup = markup;
    else delete stored.message.reply_markup;
  }

  private find(p: any, notFound: string): StoredMessage {
    if (p.inline_message_id !== undefined) throw badRequest('inline messages are not supported by the fake');
    const stored = this.store.get(key(p.chat_id, p.message_id));
    if (!stored) throw badRequest(notFound);
    return stored;
  }

  /** Positive ids are private chats unless someone else writes there; negative ids are groups. */
  private chatFor(chatId: number, from?: FakeUser): Chat {
    let chat = this.chats.get(chatId);
    if (!chat) {
      const isPrivate = chatId > 0 && (!from || from.id === chatId);
      chat = isPrivate
        ? ({ id: chatId, type: 'private', first_name: from?.first_name ?? 'User', username: from?.username } as Chat)
        : ({ id: chatId, type: chatId < 0 ? 'supergroup' : 'group', title: `Group ${chatId}` } as Chat);
      this.chats.set(chatId, chat);
    }
    return chat;
  }

  // --------------------------------------------------------------- plumbing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });

    let payload: any;
    try {
      payload = { ...Object.fromEntries(url.searchParams), ...(await readPayload(req)) };
      payload = normalise(payload);
    } catch {
      return send(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid request body' });
    }
    // Telegram method names are case-insensitive.
    const method = [...Object.keys(this.handlers), 'getUpdates'].find(
      (m) => m.toLowerCase() === match[2].toLowerCase(),
    ) ?? match[2];
    const call: RecordedCall = { method, payload, at: Date.now() };
    this.calls.push(call);

    const fault = this.drawFault(method);
    if (fault) call.fault = fault;
    if (fault === 'drop-before') {
      call.ok = false;
      res.socket?.destroy();
      return;
    }
    try {
      this.injectedFailure(method);
      if (fault === '429') {
        const s = this.faultPlan!.plan.retryAfter ?? 1;
        throw new ApiError(429, `Too Many Requests: retry after ${s}`, s);
      }
      if (fault === '5xx') throw new ApiError(502, 'Bad Gateway');
      if (method === 'getUpdates') {
        call.ok = true;
        return this.getUpdates(payload, res);
      }
      const handler = this.handlers[method];
      if (!handler) throw new ApiError(404, 'Not Found: method not found');
      const result = handler(payload);
      call.ok = true;
      // Handled, but the answer never arrives.
      if (fault === 'drop-after') res.socket?.destroy();
      else send(res, 200, { ok: true, result });
    } catch (err) {
      call.ok = false;
      if (!(err instanceof ApiError)) throw err;
      const body: Record<string, unknown> = { ok: false, error_code: err.code, description: err.description };
      if (err.retryAfter !== undefined) body.parameters = { retry_after: err.retryAfter };
      send(res, err.code, body);
    }
  }

  private drawFault(method: string): FaultKind | undefined {
    const f = this.faultPlan;
    if (!f || !f.methods.has(method) || f.rand() >= f.plan.rate) return undefined;
    const kinds: FaultKind[] = ['429', '5xx', 'drop-before', 'drop-after'];
    const w = kinds.map((k) => f.plan.weights?.[k] ?? (f.plan.weights ? 0 : 1));
    let x = f.rand() * w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < kinds.length; i++) if ((x -= w[i]) < 0) return kinds[i];
    return kinds[kinds.length - 1];
  }

  private injectedFailure(method: string): void {
    const queue = this.failures.get(method);
    const next = queue?.[0];
    if (!queue || !next) return;
    if (--next.remaining <= 0) queue.shift();
    throw new ApiError(next.error.code, next.error.description, next.error.retryAfter);
  }
}

/** Creates a FakeTelegramApi and starts it listening. */
export async function startFakeTelegramApi(opts?: { token?: string }): Promise<FakeTelegramApi> {
  const api = new FakeTelegramApi(opts);
  await api.listen();
  return api;
}

// ------------------------------------------------------------------ helpers

const now = () => Math.floor(Date.now() / 1000);
const key = (chatId: unknown, messageId: unknown) => `${Number(chatId)}:${Number(messageId)}`;
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function toUser(from: FakeUser): User {
  const user: User = { id: from.id, is_bot: false, first_name: from.first_name ?? 'User' };
  if (from.username !== undefined) user.username = from.username;
  return user;
}

function short(payload: unknown): string {
  const s = JSON.stringify(payload) ?? '';
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function fakePhotoSizes(seed: number) {
  return [90, 320, 800].map((w, i) => ({
    file_id: `photo-${seed}-${i}`,
    file_unique_id: `uphoto-${seed}-${i}`,
    width: w,
    height: Math.round((w * 3) / 4),
    file_size: w * 100,
  }));
}

/** Validates a text/caption and returns it as Telegram would store it. */
function checkText(
  value: unknown,
  parseMode: unknown,
  max: number,
  tooLong: string,
  empty?: string,
): string {
  const raw = value === undefined || value === null ? '' : String(value);
  let text = raw;
  if (parseMode === 'HTML') {
    const problem = htmlProblem(raw);
    if (problem) throw badRequest(`can't parse entities: ${problem}`);
    text = stripHtml(raw);
  }
  if (empty && text.trim() === '') throw badRequest(empty);
  if (text.length > max) throw badRequest(tooLong);
  return text;
}

/** Rejects inline buttons whose callback_data is empty or over 64 bytes. */
function checkMarkup(markup: any): unknown {
  for (const row of markup?.inline_keyboard ?? []) {
    for (const button of row ?? []) {
      if (button && 'callback_data' in button) {
        const bytes = Buffer.byteLength(String(button.callback_data ?? ''), 'utf8');
        if (bytes < 1 || bytes > MAX_CALLBACK_DATA_BYTES) throw badRequest('BUTTON_DATA_INVALID');
      }
    }
  }
  return markup;
}

/** A deliberately small version of Telegram's HTML parser; returns why `text` is invalid. */
export function htmlProblem(text: string): string | undefined {
  const stack: string[] = [];
  const at = (i: number) => `at byte offset ${Buffer.byteLength(text.slice(0, i))}`;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '<') {
      const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>/.exec(text.slice(i));
      if (!tag) return `Unexpected "<" ${at(i)}`;
      const name = tag[2].toLowerCase();
      if (tag[1]) {
        if (stack.at(-1) !== name) return `Unexpected end tag ${at(i)}`;
        stack.pop();
      } else {
        if (!HTML_TAGS.has(name)) return `Unsupported start tag "${name}" ${at(i)}`;
        stack.push(name);
      }
      i += tag[0].length;
    } else if (ch === '&') {
      const entity = /^&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/.exec(text.slice(i));
      if (!entity) return `Character entity expected ${at(i)}`;
      i += entity[0].length;
    } else {
      i++;
    }
  }
  const open = stack.at(-1);
  return open ? `Can't find end tag corresponding to start tag "${open}"` : undefined;
}

function stripHtml(html: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/g, (whole, e: string) => {
      if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
      return named[e.toLowerCase()] ?? whole;
    });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses JSON, urlencoded or multipart bodies into a plain object. */
async function readPayload(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req);
  if (body.length === 0) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return JSON.parse(body.toString('utf8'));
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (type.includes('multipart/form-data') && boundary) return parseMultipart(body, boundary[1] ?? boundary[2]);
  return JSON.parse(body.toString('utf8'));
}

/**
 * Minimal multipart parser: text parts become fields; file parts are recorded
 * as `{ filename, size }` in place of the `attach://<id>` that referenced them.
 */
function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const files: Record<string, { filename: string; size: number; content: string; bytes: Buffer }> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // drop the CRLFs around the part
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="?([^";\r\n]*)"?/i.exec(headers)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) files[name] = { filename, size: content.length, content: content.toString('utf8'), bytes: Buffer.from(content) };
      else fields[name] = content.toString('utf8');
    }
    pos = next;
  }
  for (const [k, v] of Object.entries(fields)) {
    const attach = typeof v === 'string' && /^attach:\/\/(.+)$/.exec(v);
    if (attach && files[attach[1]]) fields[k] = files[attach[1]];
  }
  return fields;
}

/** Turns form-encoded strings back into the JSON types the Bot API expects. */
function normalise(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (typeof v !== 'string') out[k] = v;
    else if (NUMERIC_FIELDS.has(k) && /^-?\d+$/.test(v)) out[k] = Number(v);
    else if (v === 'true' || v === 'false') out[k] = v === 'true';
    else if (/^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v;
      }
    } else out[k] = v;
  }
  return out;
}
