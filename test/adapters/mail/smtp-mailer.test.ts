import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpMailer, classifySendError } from '../../../src/adapters/mail/smtp-mailer.js';
import { DeliveryError, type EmailMessage, type Mailer } from '../../../src/core/deliveries/ports.js';
import { SMTP_PASSWORD, startSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

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

const FAST = { connectionTimeoutMs: 2_000, greetingTimeoutMs: 2_000, socketTimeoutMs: 2_000 };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function server(port?: number): Promise<TestSmtpServer> {
  const s = await startSmtpServer(port);
  cleanup.push(() => s.stop());
  return s;
}

function mailer(url: string, options: Partial<Parameters<typeof createSmtpMailer>[0]> = {}): Mailer {
  const m = createSmtpMailer({ url, ...FAST, ...options });
  cleanup.push(() => m.close());
  return m;
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    const e = err as DeliveryError;
    expect(e.message).not.toContain(SMTP_PASSWORD);
    expect(e.message).not.toContain(encodeURIComponent(SMTP_PASSWORD));
    return e;
  }
  throw new Error('expected the promise to reject');
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** A port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('SMTP mailer', () => {
  it('delivers the message with every field intact (pooled and unpooled)', async () => {
    const s = await server();
    for (const pool of [true, false]) {
      s.received.length = 0;
      const m = mailer(s.url(), { pool });
      const result = await m.send(message());
      expect(result.response).toMatch(/^250 /);
      expect(s.received).toHaveLength(1);

      const parsed = await simpleParser(s.received[0] ?? Buffer.alloc(0));
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
    }
  });

  it('sends several messages over one pool, concurrently', async () => {
    const s = await server();
    const m = mailer(s.url());
    await Promise.all(
      [1, 2, 3].map((i) => m.send(message({ messageId: `<dlv_${i}@lifeline>`, to: `c${i}@x.example` }))),
    );
    const ids = await Promise.all(s.received.map(async (raw) => (await simpleParser(raw)).messageId));
    expect(ids.sort()).toEqual(['<dlv_1@lifeline>', '<dlv_2@lifeline>', '<dlv_3@lifeline>']);
  });

  it('verify() names the server and says the login worked', async () => {
    const s = await server();
    await expect(mailer(s.url()).verify()).resolves.toBe(
      `SMTP 127.0.0.1:${s.port} accepted the connection and authentication (user "lifeline")`,
    );
  });

  it('verify() with a wrong password: says authentication was refused, without the password', async () => {
    const s = await server();
    const wrong = 'Wr0ng-Passw0rd!';
    const e = await failure(mailer(s.url(wrong)).verify());
    expect(e.message).toMatch(/auth/i);
    expect(e.message).toContain(`127.0.0.1:${s.port}`);
    expect(e.message).not.toContain(wrong);
    expect(e.message).not.toContain(encodeURIComponent(wrong));
  });

  it('a send with a wrong password is temporary (a configuration problem, not the message)', async () => {
    const s = await server();
    const wrong = 'Wr0ng-Passw0rd!';
    const e = await failure(mailer(s.url(wrong)).send(message()));
    expect(e.kind).toBe('temporary');
    expect(e.message).toMatch(/auth/i);
    expect(e.message).not.toContain(wrong);
  });

  it('verify() with nothing listening: connection refused, in words', async () => {
    const port = await closedPort();
    const e = await failure(
      mailer(`smtp://lifeline:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${port}`).verify(),
    );
    expect(e.message).toContain('refused');
  });

  it('nothing listening → temporary', async () => {
    const port = await closedPort();
    const e = await failure(
      mailer(`smtp://lifeline:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${port}`).send(message()),
    );
    expect(e.kind).toBe('temporary');
    expect(e.message).toContain('the connection was refused');
  });

  it('no greeting in time → temporary', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const { port } = silent.address() as AddressInfo;
    const m = mailer(`smtp://lifeline:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${port}`, {
      greetingTimeoutMs: 300,
    });
    const e = await failure(m.send(message()));
    expect(e.kind).toBe('temporary');
    expect(e.message).toContain('no greeting');
  });

  it('451 on RCPT TO → temporary', async () => {
    const s = await server();
    s.rcpt = { reply: 451, text: 'Try again later' };
    const e = await failure(mailer(s.url()).send(message()));
    expect(e.kind).toBe('temporary');
    expect(e.message).toContain('451');
    expect(s.received).toHaveLength(0);
  });

  it('550 on RCPT TO → permanent', async () => {
    const s = await server();
    s.rcpt = { reply: 550, text: 'No such user here' };
    const e = await failure(mailer(s.url()).send(message()));
    expect(e.kind).toBe('permanent');
    expect(e.message).toContain('550');
    expect(e.message).toContain('RCPT TO');
  });

  it('554 after the content → permanent; 452 after the content → temporary', async () => {
    const s = await server();
    const m = mailer(s.url());
    s.data = { reply: 554, text: 'Message rejected as spam' };
    expect((await failure(m.send(message()))).kind).toBe('permanent');
    s.data = { reply: 452, text: 'Insufficient storage' };
    expect((await failure(m.send(message()))).kind).toBe('temporary');
    // the pool survives refusals
    s.data = 'accept';
    await expect(m.send(message())).resolves.toMatchObject({ response: expect.stringMatching(/^250 /) });
  });

  it('connection dropped at RCPT TO (before the content) → temporary', async () => {
    const s = await server();
    s.rcpt = 'drop';
    const e = await failure(mailer(s.url()).send(message()));
    expect(e.kind).toBe('temporary');
    expect(s.received).toHaveLength(0);
  });

  it('connection dropped after the server received the content → unknown, and not re-sent', async () => {
    const s = await server();
    s.data = 'drop-after-content';
    const e = await failure(mailer(s.url()).send(message()));
    expect(e.kind).toBe('unknown');
    expect(e.message).toContain('may have been delivered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.received).toHaveLength(1);
  });

  it('no final reply after the content (socket timeout) → unknown', async () => {
    const s = await server();
    s.data = 'hang-after-content';
    const e = await failure(mailer(s.url(), { socketTimeoutMs: 400 }).send(message()));
    expect(e.kind).toBe('unknown');
    expect(s.received).toHaveLength(1);
  });

  it('recovers when the server comes back, without a new mailer', async () => {
    const first = await startSmtpServer();
    const port = first.port;
    const m = mailer(first.url());
    await m.send(message());
    await first.stop(); // down

    const down = await failure(m.send(message()));
    expect(down.kind).toBe('temporary');

    const again = await server(port); // up again, same port
    await expect(m.send(message())).resolves.toMatchObject({ response: expect.stringMatching(/^250 /) });
    expect(again.received).toHaveLength(1);
  });

  it('close() ends the pool; an invalid URL is refused without echoing it', async () => {
    const s = await server();
    const m = createSmtpMailer({ url: s.url(), ...FAST });
    await m.send(message());
    await m.close();

    expect(() => createSmtpMailer({ url: `http://u:${SMTP_PASSWORD}@host` })).toThrow(/smtp:\/\//);
    const encoded = encodeURIComponent(SMTP_PASSWORD);
    const invalid = (): Mailer => createSmtpMailer({ url: `smtp://u:${encoded}@ho st:25` });
    expect(invalid).toThrow(/SMTP_URL is not a valid URL/);
    expect(invalid).not.toThrow(encoded);
    // after close(), a send fails as temporary (nothing was sent)
    expect((await failure(m.send(message()))).kind).toBe('temporary');
  });
});

describe('classifySendError', () => {
  const label = 'mail.example:587';
  const err = (fields: Record<string, unknown>): Error => Object.assign(new Error('boom'), fields);

  it.each([
    [{ code: 'ECONNECTION', command: 'CONN' }, false, 'temporary'],
    [{ code: 'ECONNECTION', command: 'CONN' }, true, 'unknown'],
    [{ code: 'ETIMEDOUT', command: 'CONN', timeoutType: 'SOCKET_TIMEOUT' }, true, 'unknown'],
    [{ code: 'ETIMEDOUT', command: 'CONN', timeoutType: 'GREETING_TIMEOUT' }, false, 'temporary'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, false, 'temporary'],
    [{ code: 'ECONNECTION', command: 'CONN', responseCode: 421 }, true, 'temporary'],
    [{ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 553 }, false, 'permanent'],
    [{ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 450 }, false, 'temporary'],
    [{ code: 'EENVELOPE', command: 'DATA', responseCode: 554 }, false, 'permanent'],
    [{ code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 503 }, false, 'temporary'],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 550 }, true, 'permanent'],
    [{ code: 'EMESSAGE', command: 'DATA', responseCode: 451 }, true, 'temporary'],
    [{ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535 }, false, 'temporary'],
    [{ code: 'EPROTOCOL', command: 'CONN' }, true, 'unknown'],
  ] as const)('%o, content sent %s → %s', (fields, contentSent, kind) => {
    expect(classifySendError(err(fields), contentSent, label).kind).toBe(kind);
  });

  it('scrubs the password from the reason', () => {
    const e = classifySendError(new Error('login as u:hunter2 failed'), false, label, (t) =>
      t.replace('hunter2', '[redacted]'),
    );
    expect(e.message).not.toContain('hunter2');
  });
});
