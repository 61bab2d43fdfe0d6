/**
 * The Mailer port of the embedded default (MAIL_TRANSPORT=outbox): every message is written as an
 * RFC 822 `.eml` file into the outbox directory instead of being sent (PRODUCT.md §9).
 *
 * The file is named after the Message-ID, so writing the same message again replaces the same file
 * (a resend or a retry after a crash does not produce a second email). Each file is written to a
 * temporary name and renamed, so a reader never sees half a message.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { DeliveryError, type EmailMessage, type Mailer } from '../../core/deliveries/ports.js';
import { outboxFileName } from './outbox-files.js';
import { toNodemailerMessage } from './message.js';

export function createOutboxMailer(dir: string): Mailer {
  const outbox = resolve(dir);

  const ensureDir = async (): Promise<void> => {
    const created = await mkdir(outbox, { recursive: true, mode: 0o700 });
    // `mode` is filtered by the umask; the outbox holds customers' licenses, so make sure.
    if (created !== undefined) await chmod(outbox, 0o700);
  };

  /** Writes `data` to `path` through a temporary file in the same directory. */
  const writeAtomically = async (path: string, data: Buffer | string): Promise<void> => {
    const temp = join(outbox, `.${randomBytes(8).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  };

  return {
    async send(message: EmailMessage): Promise<{ response: string }> {
      const name = outboxFileName(message.messageId);
      const path = join(outbox, name);
      let raw: Buffer;
      try {
        raw = await new MailComposer(toNodemailerMessage(message)).compile().build();
      } catch (err) {
        throw new DeliveryError('permanent', `the email could not be composed: ${reason(err)}`);
      }
      try {
        await ensureDir();
        await writeAtomically(path, raw);
      } catch (err) {
        throw new DeliveryError(
          'temporary',
          `the email could not be written to the outbox as ${name}: ${withoutPaths(reason(err), outbox)}`,
        );
      }
      // The file name only: the response is kept with the delivery and shown by the API, which
      // never shows a server path.
      return { response: name };
    },

    async verify(): Promise<string> {
      try {
        await ensureDir();
        const probe = join(outbox, `.verify-${randomBytes(8).toString('hex')}.tmp`);
        await writeAtomically(probe, '');
        await rm(probe, { force: true });
      } catch (err) {
        throw new DeliveryError('temporary', `the outbox ${outbox} is not writable: ${reason(err)}`);
      }
      return `outbox ${outbox} is writable (emails are written there as .eml files, not sent)`;
    },

    async close(): Promise<void> {
      // nothing is held open
    },
  };
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A file system error without the server's paths (`EACCES: permission denied, open
 * '/srv/lifeline/outbox/.1f2e.tmp'` → `… open '<outbox>/.1f2e.tmp'`): the outbox folder becomes
 * `<outbox>`, any other absolute path `<path>`.
 */
export function withoutPaths(message: string, outbox: string): string {
  return message
    .split(outbox)
    .join('<outbox>')
    .replace(/(^|[\s'"(])\/[^\s'"),]*/g, '$1<path>');
}
