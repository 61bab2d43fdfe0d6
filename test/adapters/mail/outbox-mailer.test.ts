import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { createOutboxMailer } from '../../../src/adapters/mail/outbox-mailer.js';
import { outboxFileName } from '../../../src/adapters/mail/outbox-files.js';
import { DeliveryError, type EmailMessage } from '../../../src/core/deliveries/ports.js';

const LICENSE = 'eyJkYXRhIjoi\nZm9vYmFy\n'.repeat(40);

function message(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    messageId: '<dlv_01JABCDEF@lifeline>',
    from: 'Lifeline <lifeline@example.com>',
    replyTo: 'Support <support@example.com>',
    to: 'customer@customer.example',
    subject: 'Your 10-day Trial GitLab License',
    text: `Your temporary license for ticket #12345.\n\n${LICENSE}`,
    attachments: [{ filename: 'GitLab.gitlab-license', content: LICENSE, contentType: 'text/plain' }],
    ...overrides,
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'lifeline-outbox-'));

describe('outbox mailer', () => {
  it('writes an .eml file that parses back to the same message', async () => {
    const dir = join(tempDir(), 'outbox');
    const mailer = createOutboxMailer(dir);
    const result = await mailer.send(message());
    const path = join(dir, 'dlv_01JABCDEF.eml');
    // The file name only: the response is the delivery's externalRef, which the API shows.
    expect(result.response).toBe('dlv_01JABCDEF.eml');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['dlv_01JABCDEF.eml']);

    const parsed = await simpleParser(readFileSync(path));
    expect(parsed.messageId).toBe('<dlv_01JABCDEF@lifeline>');
    expect(parsed.subject).toBe('Your 10-day Trial GitLab License');
    expect(addresses(parsed.to)).toEqual(['customer@customer.example']);
    expect(addresses(parsed.from)).toEqual(['lifeline@example.com']);
    expect(addresses(parsed.replyTo)).toEqual(['support@example.com']);
    expect(parsed.text).toContain('Your temporary license for ticket #12345.');
    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    expect(attachment?.filename).toBe('GitLab.gitlab-license');
    expect(attachment?.contentType).toBe('text/plain');
    expect(attachment?.content.toString('utf8')).toBe(LICENSE);
    await mailer.close();
  });

  it('the same Message-ID twice → one file, holding the latest content', async () => {
    const dir = tempDir();
    const mailer = createOutboxMailer(dir);
    await mailer.send(message({ subject: 'first' }));
    await mailer.send(message({ subject: 'second' }));
    expect(readdirSync(dir)).toEqual(['dlv_01JABCDEF.eml']);
    const parsed = await simpleParser(readFileSync(join(dir, 'dlv_01JABCDEF.eml')));
    expect(parsed.subject).toBe('second');

    await mailer.send(message({ messageId: '<dlv_other@lifeline>' }));
    expect(readdirSync(dir).sort()).toEqual(['dlv_01JABCDEF.eml', 'dlv_other.eml']);
  });

  it('concurrent writes of one message leave one complete file and no temporary files', async () => {
    const dir = tempDir();
    const mailer = createOutboxMailer(dir);
    await Promise.all(Array.from({ length: 8 }, () => mailer.send(message())));
    expect(readdirSync(dir)).toEqual(['dlv_01JABCDEF.eml']);
    const parsed = await simpleParser(readFileSync(join(dir, 'dlv_01JABCDEF.eml')));
    expect(parsed.attachments[0]?.content.toString('utf8')).toBe(LICENSE);
  });

  it.each([
    ['<dlv_abc@lifeline>', 'dlv_abc.eml'],
    ['dlv_abc@lifeline', 'dlv_abc.eml'],
    ['<../../etc/passwd@x>', '_.._etc_passwd.eml'],
    ['<a b/c\\d@x>', 'a_b_c_d.eml'],
    ['<>', 'message.eml'],
    ['<...@x>', 'message.eml'],
  ])('file name of %s is %s', (id, name) => {
    expect(outboxFileName(id)).toBe(name);
  });

  it('verify() says the outbox is writable, and leaves nothing behind', async () => {
    const dir = join(tempDir(), 'new');
    const mailer = createOutboxMailer(dir);
    await expect(mailer.verify()).resolves.toContain(`outbox ${dir} is writable`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('verify() and send() fail with the reason when the outbox cannot be written', async () => {
    const parent = tempDir();
    const blocked = join(parent, 'file');
    writeFileSync(blocked, 'not a directory');
    const mailer = createOutboxMailer(join(blocked, 'outbox'));
    const verify = mailer.verify();
    await expect(verify).rejects.toBeInstanceOf(DeliveryError);
    await expect(verify).rejects.toThrow(/is not writable/);
    await expect(mailer.send(message())).rejects.toMatchObject({ kind: 'temporary' });

    if (process.getuid?.() !== 0) {
      const readOnly = tempDir();
      chmodSync(readOnly, 0o500);
      await expect(createOutboxMailer(readOnly).verify()).rejects.toThrow(/is not writable/);
    }
  });

  it('names no server path in what it returns or throws (both reach API responses)', async () => {
    const parent = tempDir();
    const blocked = join(parent, 'file');
    writeFileSync(blocked, 'not a directory');
    const failing = createOutboxMailer(join(blocked, 'outbox'));
    const error = await failing.send(message()).then(
      () => new Error('expected the send to fail'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toMatch(
      /^the email could not be written to the outbox as dlv_01JABCDEF\.eml: E[A-Z]+/,
    );
    expect(error.message).not.toContain(parent);
    expect(error.message).not.toMatch(/\/tmp|\/srv|\/var/);

    const dir = join(tempDir(), 'outbox');
    const sent = await createOutboxMailer(dir).send(message());
    expect(sent.response).not.toContain('/');
  });
});
