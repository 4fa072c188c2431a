import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from '../../core/log.js';
import type { Rendered } from '../rendered.js';
import type { ChatRouter } from '../router.js';
import type { AccessPolicy } from './auth.js';

/** What the Telegram bot and its features are built from (src/notifier/telegram/bot.ts). */
export interface BotDeps {
  router: ChatRouter;
  policy: AccessPolicy;
  log: Logger;
  apiRoot: string;
  /** Updates with an id ≤ this were handled before a restart; they are skipped if re-delivered. */
  lastUpdateId: () => number;
  setLastUpdateId: (id: number) => void;
  /** Queues a reply in the outbox (sent once the state that it reports is on disk). */
  reply: (r: Rendered, chatId: number) => void;
  /** Writes the state now; resolves false when it cannot be written. */
  commit: () => Promise<boolean>;
  /**
   * `onPollingDead` is called once when `getUpdates` has failed this many times in a row
   * (default 20), or has not succeeded for `pollDeadAfterMs` (default 5 min) while failing —
   * network down, Bot API errors: the bot cannot hear `/stop`, so the process should exit and
   * be restarted.
   */
  maxPollFailures?: number;
  pollDeadAfterMs?: number;
  onPollingDead?: (err: Error) => void;
  botInfo?: UserFromGetMe;
}
