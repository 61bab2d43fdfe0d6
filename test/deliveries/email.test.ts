/**
 * The customer's email through a real SMTP server on loopback, read back with mailparser: the
 * configured sender and reply-to address, the ticket link whenever the ticket is known (also when
 * only ZENDESK_URL gives it), and what happens on day 10.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { issueEmergencyLicense, resendLicense } from '../../src/core/issuance/index.js';
import { unwrap } from '../../src/core/outcome.js';
import { startSmtpServer, type TestSmtpServer } from '../adapters/mail/smtp-test-server.js';
import { appWith, drain, eligibleInput } from './harness.js';

const ZENDESK = 'https://acme.zendesk.com';
const address = (a: ParsedMail['from'] | ParsedMail['replyTo']) =>
  a && !Array.isArray(a) ? a.value.map((v) => `${v.name} <${v.address}>`) : [];

describe("the customer's email on a real SMTP server", () => {
  let smtp: TestSmtpServer;
  const apps: App[] = [];
  beforeEach(async () => {
    smtp = await startSmtpServer();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await smtp.stop();
  });

  const mailEnv = () => ({
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: smtp.url(),
    MAIL_FROM: 'GitLab Support <lifeline@support.example>',
    MAIL_REPLY_TO: 'Support <support@support.example>',
  });

  it('comes from MAIL_FROM, answers to MAIL_REPLY_TO, links the ticket ZENDESK_URL gives and says what day 10 brings', async () => {
    const app = await appWith({ ...mailEnv(), ZENDESK_URL: ZENDESK });
    apps.push(app);
    const input = eligibleInput();
    delete input.request.ticketUrl;
    const outcome = unwrap(await issueEmergencyLicense(input, app.ports, app.settings));
    expect(outcome.kind).toBe('issued');
    await drain(app);
    expect(smtp.received).toHaveLength(1);
    const mail = await simpleParser(smtp.received[0] as Buffer);
    expect(address(mail.from)).toEqual(['GitLab Support <lifeline@support.example>']);
    expect(address(mail.replyTo)).toEqual(['Support <support@support.example>']);
    const ticket = String(input.request.ticketId);
    expect(mail.text).toContain(`Your ticket: ${ZENDESK}/agent/tickets/${ticket}`);
    expect(mail.text).toContain(
      'On day 10 (2026-12-08) this license expires and your instance needs your renewed license: ' +
        'once your renewal is complete, upload the new license file the same way',
    );
  });

  it('links the ticket of a request stored without a URL once ZENDESK_URL is configured; none without it', async () => {
    // Issued (and emailed) before ZENDESK_URL was set: no link could be given.
    const before = await appWith(mailEnv());
    apps.push(before);
    const input = eligibleInput();
    delete input.request.ticketUrl;
    const outcome = unwrap(await issueEmergencyLicense(input, before.ports, before.settings));
    if (outcome.kind !== 'issued') throw new Error(outcome.kind);
    expect(outcome.view.request.ticketUrl).toBeNull();
    await drain(before);
    const first = await simpleParser(smtp.received[0] as Buffer);
    expect(first.text).toContain(`issued for support ticket #${String(input.request.ticketId)}`);
    expect(first.text).not.toContain('Your ticket:');
    await before.close();
    apps.pop();

    // The same database, now with ZENDESK_URL: a resend links the ticket.
    const after = await appWith({
      ...mailEnv(),
      ZENDESK_URL: ZENDESK,
      LIFELINE_DATA_DIR: before.dataDir,
      LIFELINE_SIGNING_KEY_FILE: before.env['LIFELINE_SIGNING_KEY_FILE'] ?? '',
    });
    apps.push(after);
    unwrap(
      await resendLicense(
        { requestId: outcome.view.request.id, actor: { name: 'erin', role: 'engineer' }, to: null },
        after.ports,
        after.settings,
      ),
    );
    await drain(after);
    expect(smtp.received).toHaveLength(2);
    const second = await simpleParser(smtp.received[1] as Buffer);
    expect(second.text).toContain(`Your ticket: ${ZENDESK}/agent/tickets/${String(input.request.ticketId)}`);
    expect(address(second.replyTo)).toEqual(['Support <support@support.example>']);
  });
});
