/**
 * Killing the delivery worker (kill -9) at random points never loses a delivery and never repeats
 * one that must not be repeated (PRODUCT.md §6):
 *
 * 110 licenses are issued in-process on a SQLite file; then the real `lifeline worker` runs against
 * loopback peers (SMTP, GitLab, Slack, Zendesk, each answering after a random 0–30 ms) and is
 * SIGKILLed 100–600 ms after it starts working, 12 times; a final `lifeline worker --drain` finishes.
 * Then, from the database and the peers:
 *
 * - every license has its four deliveries finished (sent) or explicitly failed/unknown;
 * - exactly one GitLab issue per request; at most one Slack post and one Zendesk note per ticket,
 *   and at most one follow-up of each (a post or note written while the email was on its way);
 * - each email arrived at most once (the worker never re-sends); one that did not arrive is marked
 *   `unknown` (a kill hit it in flight) or `failed`; every `unknown` email has its tracker note;
 * - the audit chain verifies and the store's invariants hold.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { issueEmergencyLicense } from '../../src/core/issuance/index.js';
import type { KyselyStore } from '../../src/adapters/store/kysely-store.js';
import { ensureBuilt } from '../cli/helpers.js';
import { KEYS_DIR } from '../helpers/vectors.js';
import {
  BIN,
  Child,
  childEnv,
  invariantViolations,
  removeTempDirs,
  sleep,
  tempDir,
  testSigningKey,
} from '../integration/helpers.js';
import { TICKET_FOLLOW_UP_HEADING } from '../../src/core/deliveries/messages.js';
import { startLoopbackPeers, tally, type LoopbackPeers } from './peers-helper.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

const LICENSES = 110;
const KILLS = 12;
const FINAL_STATUSES = ['sent', 'failed', 'unknown'];

interface DeliveryRow {
  id: string;
  request_id: string;
  channel: string;
  purpose: string;
  status: string;
  claimed_by: string | null;
  last_error: string | null;
  about: string | null;
}

async function deliveries(store: KyselyStore): Promise<DeliveryRow[]> {
  const result = await sql<DeliveryRow>`
    select id, request_id, channel, purpose, status, claimed_by, last_error, about from deliveries
  `.execute(store.db);
  return result.rows;
}

const random = (from: number, to: number): number => from + Math.floor(Math.random() * (to - from + 1));

describe('the delivery worker killed at random points (SQLite, real peers on loopback)', () => {
  let peers: LoopbackPeers;
  let app: App;
  let dataDir: string;
  let databaseUrl: string;

  beforeAll(async () => {
    ensureBuilt();
    peers = await startLoopbackPeers({ delayMs: () => random(0, 30) });
    dataDir = tempDir('lifeline-dlv-crash-');
    databaseUrl = `sqlite:${join(dataDir, 'lifeline.db')}`;
    app = await createApp(
      loadConfig({
        LIFELINE_DATA_DIR: dataDir,
        LIFELINE_ALLOW_PINNED_DATES: 'true',
        DATABASE_URL: databaseUrl,
        LIFELINE_SIGNING_KEY_FILE: testSigningKey(dataDir),
        LIFELINE_VERIFY_KEY_FILES: join(KEYS_DIR, 'test_public.pem'),
        ...peers.env(),
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await peers?.stop();
    removeTempDirs();
  });

  it(`delivers ${LICENSES} licenses through ${KILLS} kills: nothing lost, nothing repeated`, async () => {
    const started = Date.now();
    const phases: string[] = [];
    const phase = (name: string): void => {
      phases.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}s`);
    };
    // ── 110 licenses, distinct tickets and customer domains (rule 9 refuses repeats) ──
    const requests = new Map<string, { ticketId: string; ticketUrl: string }>();
    for (let i = 0; i < LICENSES; i++) {
      const ticketId = String(81_000 + i);
      const ticketUrl = `${app.settings.ticketUrlBase}/agent/tickets/${ticketId}`;
      const outcome = unwrap(
        await issueEmergencyLicense(
          {
            request: {
              ticketId,
              ticketUrl,
              requesterEmail: `ops@crash${i}.example`,
              seats: 120,
              plan: 'premium',
              expiresAt: '2026-11-14',
              previousSeats: 100,
            },
            actor: { name: 'erin', role: 'engineer' },
            today: '2026-11-28' as CalendarDate,
          },
          app.ports,
          app.settings,
        ),
      );
      if (outcome.kind !== 'issued') throw new Error(`expected issued, got ${outcome.kind}`);
      requests.set(outcome.view.request.id, { ticketId, ticketUrl });
    }
    const store = storeOf(app) as KyselyStore;
    expect(await deliveries(store)).toHaveLength(LICENSES * 4);

    phase('issued');
    // ── kill -9 the worker at random points, restart it ──
    const env = childEnv(dataDir, databaseUrl, peers.env());
    const stats = { kills: 0, killsMidEmail: 0, killsWithClaims: 0, linesBeforeKills: 0 };
    const inFlightEmails = new Set<string>();
    for (let k = 0; k < KILLS; k++) {
      const child = new Child([BIN, 'worker', '--lease-seconds', '2', '--batch-size', '10'], env);
      child.endInput();
      // Random moments once the process is working (starting node takes a while on a loaded machine).
      await Promise.race([child.waitFor(() => true, 10_000).catch(() => undefined), sleep(10_000)]);
      await sleep(random(100, 600));
      expect(child.alive, `the worker exited by itself\n${child.describe()}`).toBe(true);
      child.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      stats.kills++;
      stats.linesBeforeKills += child.lines.length;
      const after = await deliveries(store);
      const sending = after.filter((d) => d.status === 'sending' && d.channel === 'email');
      for (const d of sending) inFlightEmails.add(d.id);
      if (sending.length > 0) stats.killsMidEmail++;
      if (after.some((d) => d.status === 'claimed' || d.status === 'sending')) stats.killsWithClaims++;
    }

    phase('killed');
    // ── a final drain once the dead workers' leases (2 s) have expired ──
    await sleep(2_100);
    const final = new Child([BIN, 'worker', '--drain', '--lease-seconds', '2'], env);
    final.endInput();
    const timer = setTimeout(() => final.kill(), 40_000);
    const exit = await final.exited;
    clearTimeout(timer);
    expect(exit.code, final.describe()).toBe(0);
    phase('drained');

    // ── count, from the database and the peers ──
    const rows = await deliveries(store);
    const problems: string[] = [];
    const unfinished = rows.filter((d) => !FINAL_STATUSES.includes(d.status));
    if (unfinished.length > 0)
      problems.push(`unfinished deliveries: ${unfinished.map((d) => `${d.id} ${d.status}`).join(', ')}`);

    const issuesPerRequest = tally(peers.gitlabIssues, (i) => i.requestId);
    // Follow-ups are counted on their own: a reply in a post's thread, a note that says it is one.
    const ticketOf = (p: { text: string }): string => /tickets\/(\d+)/.exec(p.text)?.[1] ?? '';
    const slackPerTicket = tally(
      peers.slackPosts.filter((p) => p.threadTs === null),
      ticketOf,
    );
    const slackFollowUps = tally(
      peers.slackPosts.filter((p) => p.threadTs !== null),
      ticketOf,
    );
    const isFollowUp = (n: { body: string }): boolean => n.body.includes(TICKET_FOLLOW_UP_HEADING);
    const zendeskPerTicket = tally(
      peers.zendeskNotes.filter((n) => !isFollowUp(n)),
      (n) => n.ticketId,
    );
    const zendeskFollowUps = tally(peers.zendeskNotes.filter(isFollowUp), (n) => n.ticketId);
    const emailsPerId = tally(peers.emails, (e) => e.messageId);
    const counts = {
      unknownEmails: 0,
      failedEmails: 0,
      unknownEmailsReceived: 0,
      duplicateIssues: 0,
      duplicateSlack: 0,
      duplicateZendesk: 0,
      duplicateEmails: 0,
    };

    for (const [requestId, { ticketId }] of requests) {
      const own = rows.filter((d) => d.request_id === requestId);
      const issue = own.filter((d) => d.purpose === 'issue');
      if (issue.length !== 4 || !issue.every((d) => FINAL_STATUSES.includes(d.status)))
        problems.push(
          `${requestId}: issue deliveries ${issue.map((d) => `${d.channel}=${d.status}`).join(' ')}`,
        );

      const issues = issuesPerRequest.get(requestId) ?? 0;
      if (issues !== 1) problems.push(`${requestId}: ${issues} GitLab issues`);
      if (issues > 1) counts.duplicateIssues += issues - 1;
      const posts = slackPerTicket.get(ticketId) ?? 0;
      if (posts > 1) {
        problems.push(`ticket ${ticketId}: ${posts} Slack posts`);
        counts.duplicateSlack += posts - 1;
      }
      for (const [what, map] of [
        ['Slack follow-ups', slackFollowUps],
        ['Zendesk follow-ups', zendeskFollowUps],
      ] as const) {
        if ((map.get(ticketId) ?? 0) > 1) problems.push(`ticket ${ticketId}: ${map.get(ticketId)} ${what}`);
      }
      const chat = issue.find((d) => d.channel === 'chat');
      if (chat?.status === 'sent' && posts === 0)
        problems.push(`ticket ${ticketId}: chat sent, no Slack post`);
      const notes = zendeskPerTicket.get(ticketId) ?? 0;
      if (notes > 1) {
        problems.push(`ticket ${ticketId}: ${notes} Zendesk notes`);
        counts.duplicateZendesk += notes - 1;
      }
      const ticket = issue.find((d) => d.channel === 'ticket');
      if (ticket?.status === 'sent' && notes === 0)
        problems.push(`ticket ${ticketId}: note sent, none received`);

      const email = issue.find((d) => d.channel === 'email');
      if (!email) continue;
      const received = emailsPerId.get(`<${email.id}@lifeline>`) ?? 0;
      if (received > 1) {
        problems.push(`${email.id}: received ${received} times`);
        counts.duplicateEmails += received - 1;
      }
      if (email.status === 'sent' && received !== 1)
        problems.push(`${email.id}: sent but received ${received}`);
      if (received === 0 && email.status !== 'unknown' && email.status !== 'failed')
        problems.push(`${email.id}: never received, yet ${email.status}`);
      if (email.status === 'failed') counts.failedEmails++;
      if (email.status === 'unknown') {
        counts.unknownEmails++;
        if (received > 0) counts.unknownEmailsReceived++;
        if (!inFlightEmails.has(email.id))
          problems.push(`${email.id}: unknown, but no kill caught it sending`);
        // A human must hear of it: a note on the tracker issue.
        const note = own.find(
          (d) => d.channel === 'tracker' && d.purpose === 'follow_up' && d.about === email.id,
        );
        if (note?.status !== 'sent')
          problems.push(`${email.id}: unknown, tracker note ${note ? note.status : 'missing'}`);
      }
    }
    // Every final state is on the audit trail (`delivery.sent|failed|unknown` naming the delivery).
    const audited = await sql<{ action: string; details: string }>`
      select action, details from audit_log where action like 'delivery.%'
    `.execute(store.db);
    const auditedAs = new Map(
      audited.rows.map((r) => [(JSON.parse(r.details) as { deliveryId?: string }).deliveryId, r.action]),
    );
    const unaudited = rows.filter(
      (d) => FINAL_STATUSES.includes(d.status) && auditedAs.get(d.id) !== `delivery.${d.status}`,
    );
    if (unaudited.length > 0)
      problems.push(
        `final states without their audit entry: ${unaudited.map((d) => `${d.id} ${d.channel} ${d.status} (audit: ${auditedAs.get(d.id) ?? 'none'})`).join(', ')}`,
      );
    const strays = peers.emails.filter((e) => !rows.some((d) => `<${d.id}@lifeline>` === e.messageId));
    if (strays.length > 0) problems.push(`${strays.length} emails that match no delivery`);
    // The store's invariants of an issue, except "exactly four deliveries": an `unknown` email adds
    // its tracker note (checked above), and a post or note written while the email was on its way
    // its follow-up, so a request may have more.
    problems.push(
      ...(await invariantViolations(store)).filter(
        (p) => !p.startsWith('issued request without exactly four deliveries'),
      ),
    );
    const audit = await store.verifyAudit();

    console.log(
      `crash test: ${LICENSES} licenses, ${stats.kills} kills (${stats.killsWithClaims} with deliveries in hand, ` +
        `${stats.killsMidEmail} during an email send), ${stats.linesBeforeKills} results printed before kills, ` +
        `final drain printed ${final.lines.length - 1}; emails received ${peers.emails.length}, ` +
        `unknown ${counts.unknownEmails} (of which received ${counts.unknownEmailsReceived}), failed ${counts.failedEmails}; ` +
        `GitLab issues ${peers.gitlabIssues.length}, notes ${peers.gitlabNotes.length}; Slack posts ${peers.slackPosts.length}; ` +
        `Zendesk notes ${peers.zendeskNotes.length}; duplicates: issues ${counts.duplicateIssues}, ` +
        `Slack ${counts.duplicateSlack}, Zendesk ${counts.duplicateZendesk}, emails ${counts.duplicateEmails}; ` +
        `audit ${audit.ok ? `intact (${audit.entries} entries)` : 'BROKEN'}; ${phases.join(', ')}`,
    );
    expect(problems).toEqual([]);
    expect(audit.ok).toBe(true);
  }, 90_000);
});
