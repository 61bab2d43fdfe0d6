/** The one mapping from the port's EmailMessage to nodemailer's message fields (SMTP and outbox). */
import type { EmailMessage } from '../../core/deliveries/ports.js';

/** nodemailer takes the port's fields as they are. */
export type NodemailerMessage = EmailMessage;

export function toNodemailerMessage(message: EmailMessage): NodemailerMessage {
  return {
    // nodemailer writes it as given (`<…>` kept), so the stored Message-ID is the sent one
    messageId: message.messageId,
    from: message.from,
    ...(message.replyTo !== undefined ? { replyTo: message.replyTo } : {}),
    to: message.to,
    subject: message.subject,
    text: message.text,
    attachments: message.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
    })),
  };
}
