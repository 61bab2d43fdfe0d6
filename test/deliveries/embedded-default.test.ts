import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { listLocalRecords } from '../../src/adapters/local/local-channels.js';
import { lookupById, resendLicense, voidRequest } from '../../src/core/issuance/index.js';
import { appWith, drain, issue } from './harness.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

describe('deliveries on the embedded default (outbox files, local tracker, chat and ticket notes)', () => {
  let app: (App & { dataDir: string }) | undefined;
  afterEach(async () => app?.close());

  it('delivers all four, once, with the exact texts, and lookup shows them', async () => {
    app = await appWith();
    const view = await issue(app);
    const summary = await drain(app);
    expect(summary).toEqual({ sent: 4, failed: 0, unknown: 0, retried: 0 });

    const after = unwrap(await lookupById(app.ports, view.request.id));
    expect(after.deliveries.map((d) => d.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(after.tracker?.iid).toMatch(/^iss_/);
    expect(after.events.filter((e) => e.action === 'delivery.sent')).toHaveLength(4);

    const outbox = join(app.dataDir, 'outbox');
    const files = readdirSync(outbox);
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(join(outbox, files[0] as string)));
    expect(mail.subject).toBe('Your 10-day Trial GitLab License');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(view.request.requesterEmail);
    expect(mail.messageId).toBe(`<${after.deliveries.find((d) => d.channel === 'email')?.id}@lifeline>`);
    expect(mail.attachments[0]?.filename).toBe('GitLab_Emergency_Trial_2026-11-28.gitlab-license');
    expect(mail.attachments[0]?.content.toString('utf8')).toBe(view.license?.text);

    const local = await listLocalRecords(storeOf(app).db, view.request.id, view.request.ticketId);
    const issueRecord = local.find((r) => r.kind === 'tracker_issue');
    expect(issueRecord?.title).toBe(
      `[Success] - Created a license under ${view.request.requesterEmail} for 120 users`,
    );
    expect(issueRecord?.state).toBe('closed (confidential)');
    expect(issueRecord?.ref).toBe('Mechanizer::Emergency License Generation');
    expect(issueRecord?.body).toContain(view.license?.text.slice(0, 60));
    expect(local.filter((r) => r.kind === 'chat_post')).toHaveLength(1);
    const note = local.find((r) => r.kind === 'ticket_note');
    expect(note?.state).toBe('internal');
    expect(note?.body).not.toContain(view.license?.text.slice(0, 60));

    // Nothing is repeated: a second drain has nothing to do.
    expect(await drain(app)).toEqual({ sent: 0, failed: 0, unknown: 0, retried: 0 });
    expect(readdirSync(outbox)).toHaveLength(1);
  });

  it('resends the same license and notes the resend and the void on the tracker issue', async () => {
    app = await appWith();
    const view = await issue(app);
    await drain(app);
    unwrap(
      await resendLicense(
        { requestId: view.request.id, actor: { name: 'erin', role: 'engineer' } },
        app.ports,
        app.settings,
      ),
    );
    unwrap(
      await voidRequest(
        { requestId: view.request.id, actor: { name: 'lou', role: 'licensing' }, reason: 'wrong address' },
        app.ports,
      ),
    );
    const summary = await drain(app);
    expect(summary.sent).toBe(4); // resend email, resend note, void note, void chat post
    const outbox = readdirSync(join(app.dataDir, 'outbox'));
    expect(outbox).toHaveLength(2);
    const mails = await Promise.all(
      outbox.map(async (f) => simpleParser(readFileSync(join(app!.dataDir, 'outbox', f)))),
    );
    expect(new Set(mails.map((m) => m.attachments[0]?.content.toString('utf8')))).toEqual(
      new Set([view.license?.text]),
    );
    const local = await listLocalRecords(storeOf(app).db, view.request.id, view.request.ticketId);
    expect(local.filter((r) => r.kind === 'tracker_issue')).toHaveLength(1);
    expect(local.filter((r) => r.kind === 'tracker_note')).toHaveLength(2);
  });
});
