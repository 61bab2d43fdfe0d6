/**
 * The Mailer port over SMTP (MAIL_TRANSPORT=smtp), with nodemailer.
 *
 * The one hard question is what a failure means for the message (PRODUCT.md §6: an email whose
 * outcome is unknown is shown to a human, never re-sent blindly):
 *
 * - a definite reply decides: 4xx → 'temporary'; 5xx to MAIL FROM / RCPT TO / DATA (also the
 *   final reply after the content) → 'permanent'; any other 5xx (greeting, EHLO, AUTH) is about the
 *   server or our credentials, not the message → 'temporary';
 * - no reply (connection refused or lost, a timeout): 'temporary' while the message content had not
 *   been handed over completely, 'unknown' once it had (the server may have accepted it before the
 *   connection was lost).
 *
 * nodemailer reports a lost connection as `code: 'ECONNECTION'|'ESOCKET'|'ETIMEDOUT'` with
 * `command: 'CONN'` whatever the stage, so the stage is observed here: a 'stream' plugin wraps the
 * message stream that the SMTP connection pipes into its DATA stream (only after the server answered
 * DATA with 354); when that stream has been read to its end, the whole content is on its way.
 *
 * Messages never contain the password of SMTP_URL: they are built from the host, port and user, and
 * every text taken from nodemailer is scrubbed.
 */
import { PassThrough, type Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import { DeliveryError, type EmailMessage, type Mailer } from '../../core/deliveries/ports.js';
import { LifelineError } from '../../core/errors.js';
import { toNodemailerMessage } from './message.js';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:port` or `smtps://…` (credentials percent-encoded in the URL). */
  url: string;
  /** Keep connections open between messages (default true). */
  pool?: boolean;
  /** TCP (and TLS) connect, default 10 s. */
  connectionTimeoutMs?: number;
  /** From connect to the server's 220 greeting, default 10 s. */
  greetingTimeoutMs?: number;
  /** Inactivity on an open connection, default 30 s. */
  socketTimeoutMs?: number;
  tls?: { rejectUnauthorized?: boolean };
}

export const SMTP_DEFAULT_TIMEOUTS = {
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  socketTimeoutMs: 30_000,
} as const;

/** What nodemailer puts on its errors (see nodemailer's smtp-connection `_formatError`). */
interface SmtpErrorFields {
  message: string;
  code?: unknown;
  originalCode?: unknown;
  command?: unknown;
  responseCode?: unknown;
  response?: unknown;
  timeoutType?: unknown;
}

/** Per send: set once the message content has been read completely by the DATA stream. */
interface SendProbe {
  contentSent: boolean;
}

/** The key under which a send carries its probe through nodemailer's message data. */
const PROBE_KEY = 'lifelineSendProbe';

/** Replies to these commands refuse the message itself (a 5xx there is permanent). */
const MESSAGE_COMMANDS = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);

export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const target = describeTarget(options.url);
  const scrub = scrubber(target.secrets);
  const pool = options.pool ?? true;

  const transportOptions = {
    url: options.url,
    pool,
    connectionTimeout: options.connectionTimeoutMs ?? SMTP_DEFAULT_TIMEOUTS.connectionTimeoutMs,
    greetingTimeout: options.greetingTimeoutMs ?? SMTP_DEFAULT_TIMEOUTS.greetingTimeoutMs,
    socketTimeout: options.socketTimeoutMs ?? SMTP_DEFAULT_TIMEOUTS.socketTimeoutMs,
    logger: false,
    ...(options.tls ? { tls: { ...options.tls } } : {}),
  };
  const transporter = nodemailer.createTransport(transportOptions);

  // Observe the end of the stream the SMTP connection reads the content from. It is the last stage
  // of the message stream (process functions run after the transforms), so nothing between it and
  // the DATA stream reads ahead: its 'end' means the DATA stream has taken every byte.
  transporter.use('stream', (mail, done) => {
    const probe: unknown = Reflect.get(mail.data, PROBE_KEY);
    if (isProbe(probe)) {
      mail.message.processFunc((input: Readable): Readable => {
        const output = new PassThrough();
        input.on('error', (err) => output.destroy(err));
        output.once('end', () => {
          probe.contentSent = true;
        });
        return input.pipe(output);
      });
    }
    done();
  });

  return {
    async send(message: EmailMessage): Promise<{ response: string }> {
      const probe: SendProbe = { contentSent: false };
      const mail = { ...toNodemailerMessage(message), [PROBE_KEY]: probe };
      try {
        const info = await transporter.sendMail(mail);
        return { response: typeof info.response === 'string' ? scrub(info.response) : 'accepted' };
      } catch (err) {
        throw classifySendError(err, probe.contentSent, target.label, scrub);
      }
    },

    async verify(): Promise<string> {
      try {
        await transporter.verify();
      } catch (err) {
        throw describeVerifyError(err, target, scrub);
      }
      return target.user !== null
        ? `SMTP ${target.label} accepted the connection and authentication (user ${JSON.stringify(target.user)})`
        : `SMTP ${target.label} accepted the connection (no credentials in SMTP_URL, so no authentication)`;
    },

    async close(): Promise<void> {
      transporter.close();
    },
  };
}

// ───────────────────────────── classification ─────────────────────────────

/** Exported for the tests: the decision alone, from nodemailer's error and the observed stage. */
export function classifySendError(
  err: unknown,
  contentSent: boolean,
  label: string,
  scrub: (text: string) => string = (text) => text,
): DeliveryError {
  const e = errorFields(err);
  const reason = scrub(e.message);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const command = typeof e.command === 'string' ? e.command : undefined;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;

  if (reply !== undefined && reply >= 400 && reply < 600) {
    const step = command && command !== 'CONN' ? ` ${command}` : '';
    if (reply < 500) {
      return new DeliveryError('temporary', `SMTP ${label} refused${step} temporarily: ${reason}`);
    }
    const aboutMessage =
      (command !== undefined && MESSAGE_COMMANDS.has(command)) || code === 'EENVELOPE' || code === 'EMESSAGE';
    if (aboutMessage && reply !== 503) {
      return new DeliveryError('permanent', `SMTP ${label} refused${step} permanently: ${reason}`);
    }
    if (code === 'EAUTH') {
      return new DeliveryError(
        'temporary',
        `SMTP ${label} refused the authentication (check the user and password in SMTP_URL): ${reason}`,
      );
    }
    return new DeliveryError('temporary', `SMTP ${label} refused${step}: ${reason}`);
  }

  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return new DeliveryError('temporary', `SMTP ${label}: authentication failed: ${reason}`);
  }
  // Refused by nodemailer before anything was sent (an address it cannot use): the same message
  // would be refused again.
  if (code === 'EENVELOPE' || code === 'EMESSAGE' || code === 'EMAXRECIPIENTS') {
    return new DeliveryError('permanent', `the message cannot be sent through SMTP ${label}: ${reason}`);
  }

  if (contentSent) {
    return new DeliveryError(
      'unknown',
      `SMTP ${label}: ${lostWhat(e)} after the message content was sent, before the server confirmed it; ` +
        `it may have been delivered (${reason})`,
    );
  }
  if (
    code === 'ETIMEDOUT' ||
    code === 'ECONNECTION' ||
    code === 'ESOCKET' ||
    code === 'EDNS' ||
    code === 'ETLS'
  ) {
    return new DeliveryError(
      'temporary',
      `SMTP ${label}: ${lostWhat(e)} before the message was sent (${reason})`,
    );
  }
  return new DeliveryError('temporary', `SMTP ${label}: the message was not sent (${reason})`);
}

function lostWhat(e: SmtpErrorFields): string {
  const original = typeof e.originalCode === 'string' ? e.originalCode : undefined;
  if (original === 'ECONNREFUSED') return 'the connection was refused';
  if (original === 'ENOTFOUND' || original === 'EAI_AGAIN' || e.code === 'EDNS')
    return 'the host was not found';
  if (e.code === 'ETLS') return 'TLS failed';
  if (e.code === 'ETIMEDOUT') {
    if (e.timeoutType === 'CONNECTION_TIMEOUT') return 'connecting timed out';
    if (e.timeoutType === 'GREETING_TIMEOUT') return 'the server sent no greeting in time';
    return 'the server stopped answering (timeout)';
  }
  return 'the connection was lost';
}

function describeVerifyError(err: unknown, target: Target, scrub: (text: string) => string): DeliveryError {
  const e = errorFields(err);
  const reason = scrub(e.message);
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    const who = target.user !== null ? ` for user ${JSON.stringify(target.user)}` : '';
    return new DeliveryError(
      reply !== undefined && reply >= 500 ? 'permanent' : 'temporary',
      `SMTP ${target.label} refused the authentication${who} (check the user and password in SMTP_URL): ${reason}`,
    );
  }
  if (reply !== undefined && reply >= 400 && reply < 600) {
    return new DeliveryError(
      reply < 500 ? 'temporary' : 'permanent',
      `SMTP ${target.label} refused: ${reason}`,
    );
  }
  return new DeliveryError('temporary', `SMTP ${target.label}: ${lostWhat(e)} (${reason})`);
}

function errorFields(err: unknown): SmtpErrorFields {
  if (err instanceof Error) return err as Error & SmtpErrorFields;
  return { message: String(err) };
}

function isProbe(value: unknown): value is SendProbe {
  return typeof value === 'object' && value !== null && 'contentSent' in value;
}

// ───────────────────────────── the target, without secrets ─────────────────────────────

interface Target {
  /** `host:port`, for messages. */
  label: string;
  user: string | null;
  /** The password in every form it may appear in a text (raw and percent-decoded). */
  secrets: string[];
}

function describeTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LifelineError('CONFIG_INVALID', 'SMTP_URL is not a valid URL (smtp://user:pass@host:port)');
  }
  const secure = parsed.protocol === 'smtps:';
  if (!secure && parsed.protocol !== 'smtp:') {
    throw new DeliveryError(
      'permanent',
      `SMTP_URL must start with smtp:// or smtps:// (got ${parsed.protocol}//)`,
    );
  }
  const port = parsed.port !== '' ? parsed.port : secure ? '465' : '587';
  const secrets = new Set<string>();
  if (parsed.password !== '') {
    secrets.add(parsed.password);
    secrets.add(safeDecode(parsed.password));
  }
  return {
    label: `${parsed.hostname}:${port}`,
    user: parsed.username !== '' ? safeDecode(parsed.username) : null,
    secrets: [...secrets].filter((s) => s.length > 0),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function scrubber(secrets: string[]): (text: string) => string {
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
}
