/**
 * Who may command the bot and tap its buttons: allow-listed numeric user ids; when the list is
 * empty, the owner's private chat id (which is the owner's user id). In a group, only the
 * configured chat counts.
 */
export interface AccessPolicy {
  allowedUserIds: readonly number[];
  chatId: number;
}

export function isAllowed(p: AccessPolicy, userId: number | undefined, chatId: number | undefined): boolean {
  if (userId === undefined) return false;
  const users = p.allowedUserIds.length ? p.allowedUserIds : p.chatId > 0 ? [p.chatId] : [];
  if (!users.includes(userId)) return false;
  // Private chat with the user, or the configured (group) chat.
  return chatId === undefined || chatId === userId || chatId === p.chatId;
}
