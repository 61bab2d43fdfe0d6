/**
 * Two `lifeline worker --drain` processes on one PostgreSQL database drain 500 queued deliveries
 * (125 licenses × email, tracker issue, Slack post, Zendesk note) side by side: each delivery is
 * claimed and performed exactly once (FOR UPDATE SKIP LOCKED), both workers take part, every
 * delivery ends `sent`, and the audit chain verifies.
 *
 * Every delivery is observable at a loopback peer: SMTP messages by Message-ID, GitLab issues by
 * their `lifeline-request:` marker, Slack posts and Zendesk notes by ticket.
 *
 * PostgreSQL (LIFELINE_TEST_POSTGRES_URL, postgres://postgres@127.0.0.1:5432/test by default) gets a
 * fresh database; the test is skipped when it is unreachable, and fails then under
 * LIFELINE_REQUIRE_POSTGRES=1. SQLite is not run here: there one worker at a time is the expected use.
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
  createTestDatabase,
  invariantViolations,
  postgresForTests,
  removeTempDirs,
  tempDir,
  testSigningKey,
} from '../integration/helpers.js';
import { startLoopbackPeers, tally, type LoopbackPeers } from './peers-helper.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

const LICENSES = 125;
const postgres = await postgresForTests();

describe.skipIf(!postgres)('two workers on PostgreSQL draining 500 queued deliveries', () => {
  let peers: LoopbackPeers;
  let app: App;
  let dataDir: string;
  let db: { url: string; drop: () => Promise<void> };

  beforeAll(async () => {
    ensureBuilt();
    peers = await startLoopbackPeers({ delayMs: () => Math.floor(Math.random() * 6) });
    dataDir = tempDir('lifeline-dlv-two-');
    db = await createTestDatabase();
    app = await createApp(
      loadConfig({
        LIFELINE_DATA_DIR: dataDir,
        LIFELINE_ALLOW_PINNED_DATES: 'true',
        DATABASE_URL: db.url,
        LIFELINE_SIGNING_KEY_FILE: testSigningKey(dataDir),
        LIFELINE_VERIFY_KEY_FILES: join(KEYS_DIR, 'test_public.pem'),
        ...peers.env(),
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await peers?.stop();
    removeTempDirs();
  });

  it('each delivery runs once, both workers take part, all are sent', async () => {
    const tickets = new Map<string, string>();
    for (let i = 0; i < LICENSES; i++) {
      const ticketId = String(82_000 + i);
      const outcome = unwrap(
        await issueEmergencyLicense(
          {
            request: {
              ticketId,
              ticketUrl: `${app.settings.ticketUrlBase}/agent/tickets/${ticketId}`,
              requesterEmail: `ops@two${i}.example`,
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
      tickets.set(outcome.view.request.id, ticketId);
    }
    const store = storeOf(app) as KyselyStore;
    const queued = await sql<{ id: string; request_id: string; channel: string }>`
      select id, request_id, channel from deliveries where status = 'queued'
    `.execute(store.db);
    expect(queued.rows).toHaveLength(LICENSES * 4);

    const env = childEnv(dataDir, db.url, peers.env());
    const started = Date.now();
    const workers = [0, 1].map(() => {
      const child = new Child([BIN, 'worker', '--drain', '--batch-size', '10'], env);
      child.endInput();
      return child;
    });
    const timers = workers.map((w) => setTimeout(() => w.kill(), 60_000));
    const exits = await Promise.all(workers.map((w) => w.exited));
    timers.forEach(clearTimeout);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    expect(
      exits.map((e) => e.code),
      workers.map((w) => w.describe()).join('\n'),
    ).toEqual([0, 0]);

    // Who sent what, from the workers' own lines: `sent    email   dlv_…`.
    const sentBy = workers.map(
      (w) =>
        new Set(
          w.lines.map((l) => /^sent\s+\w+\s+(dlv_\S+)/.exec(l)?.[1]).filter((id): id is string => !!id),
        ),
    );
    const [a, b] = sentBy as [Set<string>, Set<string>];
    const both = [...a].filter((id) => b.has(id));
    const perChannel = (ids: Set<string>) =>
      Object.fromEntries(
        tally(
          queued.rows.filter((d) => ids.has(d.id)),
          (d) => d.channel,
        ),
      );
    console.log(
      `two workers: ${LICENSES * 4} deliveries in ${seconds}s; worker 1 sent ${a.size} ${JSON.stringify(perChannel(a))}, ` +
        `worker 2 sent ${b.size} ${JSON.stringify(perChannel(b))}, by both ${both.length}; ` +
        `peers: ${peers.emails.length} emails, ${peers.gitlabIssues.length} GitLab issues, ` +
        `${peers.slackPosts.length} Slack posts, ${peers.zendeskNotes.length} Zendesk notes`,
    );
    expect(both).toEqual([]);
    expect(a.size).toBeGreaterThan(0);
    expect(b.size).toBeGreaterThan(0);
    expect(a.size + b.size).toBe(LICENSES * 4);

    // Every delivery is sent, and was performed exactly once at its peer.
    const statuses = await sql<{ status: string; n: string | number }>`
      select status, count(*) as n from deliveries group by status
    `.execute(store.db);
    expect(statuses.rows.map((r) => [r.status, Number(r.n)])).toEqual([['sent', LICENSES * 4]]);

    const emails = tally(peers.emails, (e) => e.messageId);
    const issues = tally(peers.gitlabIssues, (i) => i.requestId);
    const posts = tally(peers.slackPosts, (p) => /tickets\/(\d+)/.exec(p.text)?.[1] ?? '');
    const notes = tally(peers.zendeskNotes, (n) => n.ticketId);
    const problems: string[] = [];
    for (const d of queued.rows) {
      const ticketId = tickets.get(d.request_id) ?? '?';
      const times =
        d.channel === 'email'
          ? emails.get(`<${d.id}@lifeline>`)
          : d.channel === 'tracker'
            ? issues.get(d.request_id)
            : d.channel === 'chat'
              ? posts.get(ticketId)
              : notes.get(ticketId);
      if (times !== 1)
        problems.push(`${d.channel} ${d.id} (ticket ${ticketId}) performed ${times ?? 0} times`);
    }
    expect(problems).toEqual([]);
    expect(
      peers.emails.length + peers.gitlabIssues.length + peers.slackPosts.length + peers.zendeskNotes.length,
    ).toBe(LICENSES * 4);
    expect(peers.gitlabIssues.every((i) => i.state === 'closed' && i.confidential)).toBe(true);

    expect(await invariantViolations(store)).toEqual([]);
    const audit = await store.verifyAudit();
    expect(audit.ok).toBe(true);
    const sentEvents = await sql<{ n: string | number }>`
      select count(*) as n from audit_log where action = 'delivery.sent'
    `.execute(store.db);
    expect(Number(sentEvents.rows[0]?.n)).toBe(LICENSES * 4);
  }, 90_000);
});
