/** The customer's email: outbox files (embedded default) or SMTP. */
import { choice, flag, mailbox, need, spec, url, type RuleContext, type ValuesOf } from './fields.js';

export const DEFAULT_MAIL_FROM = 'Lifeline <lifeline@localhost>';

export type MailConfig =
  | { transport: 'outbox'; from: string; replyTo?: string }
  /** `url` is secret (it holds the SMTP credentials). */
  | { transport: 'smtp'; url: string; from: string; replyTo?: string };

export interface MailGroupConfig {
  mail: MailConfig;
  /** LIFELINE_ALLOW_LOCAL_DELIVERIES: production may keep outbox/local deliveries. */
  allowLocalDeliveries: boolean;
}

export const MAIL = {
  LIFELINE_ALLOW_LOCAL_DELIVERIES: spec({
    group: 'mail',
    default: 'false',
    secret: false,
    description:
      'true lets production run with MAIL_TRANSPORT outbox, TRACKER local or CHAT local (e.g. a staging instance).',
    schema: flag.default(false),
  }),
  MAIL_TRANSPORT: spec({
    group: 'mail',
    default: 'outbox',
    secret: false,
    description: 'outbox (emails written as .eml files into $LIFELINE_DATA_DIR/outbox) or smtp.',
    schema: choice(['outbox', 'smtp']).default('outbox'),
  }),
  SMTP_URL: spec({
    group: 'mail',
    default: null,
    secret: true,
    description:
      'SMTP server as smtp://USER:PASSWORD@HOST:587 (STARTTLS) or smtps://USER:PASSWORD@HOST:465 (TLS). Required for smtp. Secret: contains credentials.',
    schema: url(['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL with a host').optional(),
  }),
  MAIL_FROM: spec({
    group: 'mail',
    default: DEFAULT_MAIL_FROM + ' (outbox only)',
    secret: false,
    description: 'Sender of customer emails, as address or "Name <address>". Required for smtp.',
    schema: mailbox.optional(),
  }),
  MAIL_REPLY_TO: spec({
    group: 'mail',
    default: null,
    secret: false,
    description: 'Reply-To of customer emails (e.g. the support address), as address or "Name <address>".',
    schema: mailbox.optional(),
  }),
};

export function mailRules(v: Partial<ValuesOf<typeof MAIL>>, r: RuleContext<keyof typeof MAIL>): void {
  if (v.MAIL_TRANSPORT === 'smtp') r.requireFor('MAIL_TRANSPORT=smtp', ['SMTP_URL', 'MAIL_FROM']);
  if (v.MAIL_TRANSPORT === 'outbox') {
    r.localRefusal(
      'MAIL_TRANSPORT',
      v.MAIL_TRANSPORT,
      'customer emails would only be written to files',
      'MAIL_TRANSPORT=smtp',
    );
  }
}

export function mailConfig(v: ValuesOf<typeof MAIL>): MailGroupConfig {
  const replyTo = v.MAIL_REPLY_TO !== undefined ? { replyTo: v.MAIL_REPLY_TO } : {};
  return {
    mail:
      v.MAIL_TRANSPORT === 'smtp'
        ? { transport: 'smtp', url: need(v.SMTP_URL), from: need(v.MAIL_FROM), ...replyTo }
        : { transport: 'outbox', from: v.MAIL_FROM ?? DEFAULT_MAIL_FROM, ...replyTo },
    allowLocalDeliveries: v.LIFELINE_ALLOW_LOCAL_DELIVERIES,
  };
}
