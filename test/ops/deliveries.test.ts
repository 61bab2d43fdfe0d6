/** The runbook's commands: deliveries that need a human are listed, retried or acknowledged. */
import { afterAll, describe, expect, it } from 'vitest';
import { deliveriesNeedingHuman, operationalStats } from '../../src/adapters/store/stats-queries.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { acknowledgeDelivery, retryDelivery } from '../../src/core/deliveries/operator.js';
import { issueEmergencyLicense } from '../../src/core/issuance/index.js';
import { drain } from '../deliveries/harness.js';
import { childEnv, removeTempDirs, runCli } from '../integration/helpers.js';
import { opsApp, type OpsApp } from './helpers.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

afterAll(() => removeTempDirs());
const lou = { name: 'lou', role: 'licensing' as const };

async function issued(h: OpsApp, ticket: string) {
  const outcome = unwrap(
    await issueEmergencyLicense(
      {
        request: {
          ticketId: ticket,
          requesterEmail: `ops@dlv${ticket}.example`,
          seats: 120,
          plan: 'premium',
          expiresAt: '2026-11-14',
          previousSeats: 100,
        },
        actor: { name: 'erin', role: 'engineer' },
        today: '2026-11-28' as CalendarDate,
      },
      h.app.ports,
      h.app.settings,
    ),
  );
  if (outcome.kind !== 'issued') throw new Error(outcome.kind);
  return outcome.view.request.id;
}

describe('deliveries that need a human', () => {
  it('are listed, retried as new deliveries, acknowledged, and then no longer counted', async () => {
    const h = await opsApp('sqlite');
    try {
      const requestId = await issued(h, '4401');
      const db = storeOf(h.app).db;
      // What the worker leaves behind after a crash mid-send and a tracker refusing for good.
      await db
        .updateTable('deliveries')
        .set({ status: 'unknown', last_error: 'the worker stopped while sending' })
        .where('request_id', '=', requestId)
        .where('channel', '=', 'email')
        .execute();
      await db
        .updateTable('deliveries')
        .set({ status: 'failed', last_error: '403 Forbidden: the token lacks the api scope' })
        .where('request_id', '=', requestId)
        .where('channel', '=', 'tracker')
        .execute();
      const listed = await deliveriesNeedingHuman(storeOf(h.app));
      expect(listed.map((d) => [d.channel, d.status]).sort()).toEqual([
        ['email', 'unknown'],
        ['tracker', 'failed'],
      ]);
      const tracker = listed.find((d) => d.channel === 'tracker')!;
      const email = listed.find((d) => d.channel === 'email')!;

      expect(
        await retryDelivery({ requestId, deliveryId: tracker.id, actor: lou, reason: 'no' }, h.app.ports),
      ).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field: 'reason' } });
      const fresh = unwrap(
        await retryDelivery(
          { requestId, deliveryId: tracker.id, actor: lou, reason: 'token fixed (api scope added)' },
          h.app.ports,
        ),
      );
      expect(fresh).toMatchObject({ channel: 'tracker', purpose: 'issue', status: 'queued' });
      expect(
        await retryDelivery(
          { requestId, deliveryId: tracker.id, actor: lou, reason: 'once more please' },
          h.app.ports,
        ),
      ).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
      await drain(h.app);
      expect(await storeOf(h.app).getTrackerLink(requestId)).not.toBeNull();

      unwrap(
        await acknowledgeDelivery(
          {
            requestId,
            deliveryId: email.id,
            actor: lou,
            reason: 'customer confirmed on the ticket that it arrived',
          },
          h.app.ports,
        ),
      );
      expect(await deliveriesNeedingHuman(storeOf(h.app))).toEqual([]);
      const stats = await operationalStats(storeOf(h.app), new Date('2026-11-28T13:00:00Z'));
      expect(stats.unknownEmails).toBe(0);
      expect(stats.failedNeedingHuman).toEqual([]);
      const sent = (await storeOf(h.app).listDeliveries(requestId)).find((d) => d.channel === 'chat');
      expect(
        await acknowledgeDelivery(
          { requestId, deliveryId: sent!.id, actor: lou, reason: 'not needed at all' },
          h.app.ports,
        ),
      ).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
      const actions = (await storeOf(h.app).listAudit({ requestId })).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['delivery.retried', 'delivery.acknowledged']));
      expect((await storeOf(h.app).verifyAudit()).ok).toBe(true);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a retried follow-up still reports the email it was about', async () => {
    const h = await opsApp('sqlite');
    try {
      const requestId = await issued(h, '4403');
      const email = (await storeOf(h.app).listDeliveries(requestId)).find((d) => d.channel === 'email')!;
      // Queued after the license's deliveries (an older one of the channel is no replacement).
      const now = new Date(Date.parse(email.createdAt) + 60_000).toISOString();
      const followUp = {
        ...email,
        id: 'dlv_followup_4403',
        channel: 'chat' as const,
        purpose: 'follow_up' as const,
        status: 'failed' as const,
        about: email.id,
        lastError: 'Slack refused the message: invalid_auth',
        createdAt: now,
        updatedAt: now,
      };
      await storeOf(h.app).transaction((tx) => tx.insertDeliveries([followUp]));
      const fresh = unwrap(
        await retryDelivery(
          { requestId, deliveryId: followUp.id, actor: lou, reason: 'Slack token renewed' },
          h.app.ports,
        ),
      );
      expect(fresh).toMatchObject({ channel: 'chat', purpose: 'follow_up', about: email.id });
      const stored = (await storeOf(h.app).listDeliveries(requestId)).find((d) => d.id === fresh.id);
      expect(stored?.about).toBe(email.id);
    } finally {
      await h.close();
    }
  });

  it('from the command line: list, retry, and a coded error for a delivery that needs nothing', async () => {
    const h = await opsApp('sqlite');
    const requestId = await issued(h, '4402');
    await storeOf(h.app)
      .db.updateTable('deliveries')
      .set({ status: 'failed', last_error: '550 mailbox unavailable' })
      .where('request_id', '=', requestId)
      .where('channel', '=', 'email')
      .execute();
    const config = h.app.config;
    await h.close();
    const env = childEnv(h.dataDir, h.databaseUrl);
    env['LIFELINE_SIGNING_KEY_FILE'] = config.signingKey.kind === 'file' ? config.signingKey.path : '';
    const list = await runCli(['deliveries', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const deliveries = (JSON.parse(list.stdout) as { deliveries: { id: string; channel: string }[] })
      .deliveries;
    expect(deliveries.map((d) => d.channel)).toEqual(['email']);
    const human = await runCli(['deliveries', 'list'], env);
    expect(human.stdout).toContain('550 mailbox unavailable');
    const retry = await runCli(
      ['deliveries', 'retry', deliveries[0]!.id, '--reason', 'customer fixed the mailbox'],
      env,
    );
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain('Queued email delivery');
    expect((await runCli(['deliveries', 'list'], env)).stdout).toContain('No delivery needs a human.');
    const again = await runCli(
      ['deliveries', 'retry', deliveries[0]!.id, '--reason', 'and once more', '--json'],
      env,
    );
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'INVALID_STATE' } });
    const missing = await runCli(['deliveries', 'acknowledge', 'dlv_nope', '--reason', 'no such thing'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no delivery dlv_nope');
  }, 60_000);
});
