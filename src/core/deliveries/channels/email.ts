/**
 * §6.1 the customer's email: plain text with the license attached and, for mail clients that drop
 * attachments, between BEGIN/END lines in the body.
 */
import { addBoundary } from '../../license/boundary.js';
import { plainText } from '../../text/format.js';
import { ticketWebUrl } from '../../ticket-url.js';
import type { ChannelDefinition } from './definition.js';
import {
  EMAIL_SUBJECT,
  emailRecipient,
  lastWorkingDay,
  requireLicense,
  type MessageContext,
} from './common.js';

export interface EmailAttachment {
  filename: string;
  content: string;
  contentType: string;
}

export interface EmailMessage {
  /** Stable, derived from the delivery: `<dlv_…@lifeline>`. */
  messageId: string;
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  attachments: EmailAttachment[];
}

export interface Mailer {
  /**
   * `response`: the SMTP server's reply, or (the embedded default's outbox) the name of the .eml
   * file written.
   *
   * Sends one message. Throws DeliveryError: 'temporary' when the server could not be reached or
   * refused temporarily (4xx) BEFORE the message was handed over; 'permanent' for a 5xx refusal;
   * 'unknown' when the connection was lost after the DATA was sent (it may have been delivered).
   */
  send(message: EmailMessage): Promise<{ response: string }>;
  /** For `doctor`: connects (and authenticates) and says what it found, or throws with the reason. */
  verify(): Promise<string>;
  close(): Promise<void>;
}

/** The product name in the BEGIN/END lines around the license text in the email body. */
const BOUNDARY_PRODUCT = 'GitLab';

export interface MailSettings {
  /** MAIL_FROM. */
  from: string;
  /** MAIL_REPLY_TO: where the customer's replies go (the support address). */
  replyTo?: string;
  /** ZENDESK_URL: gives the ticket's link when the request has none of its own. */
  ticketUrlBase?: string | null;
}

export function buildEmail(ctx: MessageContext, mail: MailSettings): EmailMessage {
  const license = requireLicense(ctx, 'The email');
  const { request, delivery } = ctx;
  const lines: string[] = ['Hello,', ''];
  if (delivery.purpose === 'resend') {
    lines.push(
      'This is a copy of the license we sent you earlier; it is the same license, not a new one.',
      '',
    );
  }
  lines.push(
    `Attached is a temporary 10-day GitLab Ultimate trial license, issued for support ticket #${request.ticketId}.`,
    '',
    `It expires on ${license.expiresAt}: it works through ${lastWorkingDay(license.expiresAt)}, the day before.`,
    '',
    'To install it, as an administrator of your GitLab instance:',
    '1. Go to Admin Area → Settings → General → Add License (in newer versions: Admin Area → Subscription).',
    `2. Upload the attached file (${license.fileName}), or paste the license text shown below.`,
    '',
    'This license replaces nothing in your subscription: your renewal must still be completed.',
    '',
    `On day 10 (${license.expiresAt}) this license expires and your instance needs your renewed license: ` +
      'once your renewal is complete, upload the new license file the same way (Admin Area → Subscription, ' +
      'or Admin Area → Settings → General → Add License) before that day.',
  );
  // Only a web address, in its normalised form, is shown to the customer as their ticket.
  const ticketUrl = ticketWebUrl(request, mail.ticketUrlBase);
  if (ticketUrl) lines.push('', `Your ticket: ${ticketUrl}`);
  lines.push(
    '',
    'If your mail client removed the attachment, paste the license text between the two lines below',
    '(the lines themselves may be included):',
    '',
    addBoundary(license.text, BOUNDARY_PRODUCT),
    '',
    'GitLab Support',
  );
  const message: EmailMessage = {
    messageId: `<${delivery.id}@lifeline>`,
    from: mail.from,
    to: emailRecipient(ctx),
    subject: EMAIL_SUBJECT,
    text: `${plainText.lines(lines)}\n`,
    attachments: [
      { filename: license.fileName, content: license.text, contentType: 'application/octet-stream' },
    ],
  };
  if (mail.replyTo !== undefined) message.replyTo = mail.replyTo;
  return message;
}

export const emailChannel: ChannelDefinition<'email', 'mailer', Mailer> = {
  name: 'email',
  label: 'Email to the customer',
  portKey: 'mailer',
  integration: 'mail',
  purposes: ['issue', 'resend'],
  marksSending: true,
  waitsForTracker: false,
  firstWave: () => true,
  verify: (port) => port.verify(),
  async send({ ctx, port, mail, handOver }) {
    const message = buildEmail(ctx, mail);
    if (!(await handOver())) return 'claim_lost';
    const { response } = await port.send(message);
    return { externalRef: response.slice(0, 500) };
  },
  reference(delivery) {
    const recipient = delivery.recipient ? ` (to ${delivery.recipient})` : '';
    const outbox = delivery.externalRef?.endsWith('.eml') === true;
    return {
      text: outbox ? `Written to the local outbox${recipient}` : `Accepted by the mail server${recipient}`,
      url: null,
    };
  },
};
