/**
 * A chat adapter: shows engine events to the owner and feeds the owner's commands and taps
 * to the ChatRouter. Telegram and the console implement it.
 */
export interface ChatAdapter {
  readonly kind: 'telegram' | 'console';
  start(): Promise<void>;
  /** Sends everything still queued (replay end, shutdown). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}
