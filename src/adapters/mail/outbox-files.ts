/** How the outbox names its files (light: the purge needs it without the mailer's libraries). */

/**
 * `<dlv_abc@lifeline>` → `dlv_abc.eml`: the part before the last `@`, with every character outside
 * `A-Z a-z 0-9 . _ -` replaced, no leading dot, at most 200 characters.
 */
export function outboxFileName(messageId: string): string {
  const id = messageId.trim().replace(/^<+|>+$/g, '');
  const at = id.lastIndexOf('@');
  const local = at > 0 ? id.slice(0, at) : id;
  const safe = local
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 200);
  return `${safe === '' ? 'message' : safe}.eml`;
}
