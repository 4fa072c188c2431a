import type { Runtime } from '../kernel/kernel.js';
import type { ChatAdapter } from '../notifier/chat.js';
import { ConsoleChat } from '../notifier/console-chat.js';
import { ChatRouter } from '../notifier/router.js';
import { loadTelegramConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { commit, reply } from '../notifier/delivery.js';

export interface ChatIo {
  input: NodeJS.ReadableStream | null;
  output: NodeJS.WritableStream;
  /** Secrets list the logger scrubs; the bot token is added here once known. */
  secrets: string[];
  /** Pause between Telegram sends (tests use 0). */
  minIntervalMs?: number;
  /** Console chat: read input lines only while a paused replay waits (replay `--pause-on-card`). */
  holdInput?: boolean;
  /** Told when the chat can no longer hear the owner (Telegram polling stopped for good). */
  onFatal?: (err: Error) => void;
}

/**
 * Opens the chat the config asks for: Telegram when `.telegram_config.json` (or
 * TELEGRAM_BOT_TOKEN) is present and `chat` is not "console", else the console chat.
 * @throws ConfigError when `chat: "telegram"` is set but no Telegram config exists
 */
export async function openChat(rt: Runtime, io: ChatIo): Promise<ChatAdapter> {
  const router = new ChatRouter(rt);
  const cfg = rt.config;
  const tg = cfg.chat.type === 'console' ? null : loadTelegramConfig(cfg.telegram.configFile);
  if (!tg) {
    if (cfg.chat.type === 'telegram') throw new ConfigError(`chat is "telegram" but ${cfg.telegram.configFile} is missing and TELEGRAM_BOT_TOKEN is not set`, 'chat');
    const chat = new ConsoleChat(rt, router, { input: io.input, output: io.output, ...(io.holdInput ? { holdInput: true } : {}) });
    await chat.start();
    return chat;
  }
  io.secrets.push(tg.token);
  // grammY loads only when Telegram is configured.
  const [{ createBot }, { TelegramChat }] = await Promise.all([import('../notifier/telegram/bot.js'), import('../notifier/telegram/telegram-chat.js')]);
  const state = rt.store.data.telegram;
  let fatal = false;
  const onFatal = (err: Error) => {
    if (fatal) return;
    fatal = true;
    io.onFatal?.(err);
  };
  const bot = createBot(tg.token, {
    router,
    policy: { allowedUserIds: tg.allowed_user_ids, chatId: tg.chat_id },
    log: rt.log,
    apiRoot: cfg.telegram.apiRoot,
    lastUpdateId: () => state.lastUpdateId,
    setLastUpdateId: (id) => {
      state.lastUpdateId = id;
      rt.store.save();
    },
    reply: (r, chatId) => reply(rt, r, chatId === tg.chat_id ? undefined : chatId),
    commit: () => commit(rt),
    onPollingDead: onFatal,
  });
  const chat = new TelegramChat(rt, bot, { chatId: tg.chat_id, minIntervalMs: io.minIntervalMs ?? 1000, onFatal });
  await chat.start();
  return chat;
}

