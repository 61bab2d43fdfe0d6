/**
 * The maintenance commands as an operator runs them (the built `lifeline`, real processes): status,
 * purge, backup while another process issues licenses, restore, and their refusals.
 */
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, calendarDateIn } from '../../src/core/dates.js';
import {
  childEnv,
  invariantViolations,
  removeTempDirs,
  runCli,
  tempDir,
  withStore,
  worker,
} from '../integration/helpers.js';
import { drain } from '../deliveries/harness.js';
import { opsApp, previousLicense, whereFound } from './helpers.js';
import { issueEmergencyLicense } from '../../src/core/issuance/index.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { unwrap } from '../../src/core/outcome.js';

afterAll(() => removeTempDirs());

function sqliteEnv(extra: Record<string, string> = {}) {
  const dir = tempDir('lifeline-ops-cli-');
  return { dir, env: childEnv(dir, `sqlite:${join(dir, 'lifeline.db')}`, extra) };
}

const json = (stdout: string): Record<string, unknown> => JSON.parse(stdout) as Record<string, unknown>;

describe('lifeline status', () => {
  it('prints the outbox, what needs a human, pending approvals and today’s counts', async () => {
    const { env } = sqliteEnv({ LIFELINE_WEEKEND_RULE: 'false' });
    // "Today" is the real date here (status reads the clock): make a request eligible today.
    const today = calendarDateIn(new Date(), 'UTC');
    const base = [
      '--seats',
      '120',
      '--plan',
      'premium',
      '--expires-at',
      addDays(today, -15),
      '--today',
      today,
    ];
    const issued = await runCli(
      ['issue', '--ticket', '501', '--email', 'a@one.example', ...base, '--no-deliver', '--json'],
      env,
    );
    expect(issued.code, issued.stderr).toBe(0);
    const refused = await runCli(
      [
        'issue',
        '--ticket',
        '502',
        '--email',
        'b@two.example',
        '--seats',
        '120',
        '--plan',
        'free',
        '--expires-at',
        addDays(today, -15),
        '--today',
        today,
        '--json',
      ],
      env,
    );
    expect(refused.code).toBe(1);
    const status = await runCli(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    const s = json(status.stdout);
    // Called within seconds of the issue (which did not deliver): 4 deliveries waiting.
    expect(s['outbox']).toMatchObject({ depth: 4 });
    expect((s['outbox'] as { oldestAgeSeconds: number }).oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(s['today']).toMatchObject({ date: today, issued: 1, refused: 1 });
    expect(s).toMatchObject({ unknownEmails: 0, pendingApprovals: 0, failedDeliveries: { total: 0 } });
    const human = await runCli(['status'], env);
    expect(human.stdout).toMatch(/^Outbox: +4 unfinished deliveries, oldest \d+ s$/m);
    expect(human.stdout).toContain(`Today (${today}, UTC): 1 issued, 1 refused`);
  }, 60_000);
});

describe('lifeline purge', () => {
  it('refuses a bad or too short --older-than, naming the field', async () => {
    const { env } = sqliteEnv();
    const bad = await runCli(['purge', '--older-than', 'soon', '--json'], env);
    expect(bad.code).toBe(2);
    expect(json(bad.stdout)).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'olderThan' } });
    const short = await runCli(['purge', '--older-than', '7d'], env);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('repeat window (30 days');
    const none = await runCli(['purge'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('LIFELINE_RETENTION_DAYS');
  }, 60_000);

  it('--dry-run changes nothing; then purges old requests, deletes old outbox files, and audit verify passes', async () => {
    // Old records made in-process with a pinned clock, then the CLI on the same data directory.
    const h = await opsApp('sqlite');
    h.setNow('2026-03-01T10:00:00.000Z');
    const olga = { Name: 'Olga Kunde', Company: 'OldCorp GmbH', Email: 'olga@oldcorp.example' };
    const outcome = unwrap(
      await issueEmergencyLicense(
        {
          request: { ticketId: '9001', requesterEmail: olga.Email, seats: 120 },
          previousLicenseText: previousLicense(olga),
          actor: { name: 'erin', role: 'engineer' },
          today: '2026-11-28' as CalendarDate,
        },
        h.app.ports,
        h.app.settings,
      ),
    );
    expect(outcome.kind).toBe('issued');
    await drain(h.app); // a request still being delivered is left for a later purge
    const config = h.app.config;
    await h.close();
    // An old .eml in the outbox (as the outbox mailer writes them).
    const outbox = join(h.dataDir, 'outbox');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(outbox, { recursive: true });
    const eml = join(outbox, 'old-message.eml');
    writeFileSync(eml, `To: ${olga.Email}\r\n\r\nlicense`);
    utimesSync(eml, new Date('2026-03-01T10:00:00Z'), new Date('2026-03-01T10:00:00Z'));
    const env = childEnv(h.dataDir, h.databaseUrl);
    env['LIFELINE_SIGNING_KEY_FILE'] = config.signingKey.kind === 'file' ? config.signingKey.path : '';
    env['LIFELINE_RETENTION_DAYS'] = '90';

    const dry = await runCli(['purge', '--dry-run', '--json'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(json(dry.stdout)).toMatchObject({ dryRun: true, requests: 1, days: 90, outboxFiles: 2 });
    expect(existsSync(eml)).toBe(true);
    await withStore(h.databaseUrl, async (store) => {
      expect(await whereFound(store, olga.Email)).not.toEqual([]);
    });

    const real = await runCli(['purge'], env);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain('Redacted the personal data of 1 request created before');
    expect(real.stdout).toContain('Audit trail intact');
    expect(readdirSync(outbox).filter((f) => f.endsWith('.eml'))).toEqual([]);
    await withStore(h.databaseUrl, async (store) => {
      for (const needle of [olga.Email, olga.Name, olga.Company])
        expect(await whereFound(store, needle)).toEqual([]);
    });
    const verify = await runCli(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
    const lookup = await runCli(['lookup', '--ticket', '9001', '--json'], env);
    expect(lookup.code, lookup.stderr).toBe(0);
    expect(lookup.stdout).not.toContain(olga.Email);
  }, 60_000);
});

describe('lifeline backup and restore', () => {
  it('a backup taken while another process issues restores every request acknowledged before it, with a verifying audit trail', async () => {
    const { dir, env } = sqliteEnv();
    expect((await runCli(['migrate'], env)).code).toBe(0);
    const loop = worker(['loop', 'bk'], env);
    try {
      await loop.waitFor((l) => l === 'ready');
      loop.send('go\n');
      await loop.waitFor((l) => l.startsWith('issued bk-5 '), 60_000);
      const acknowledged = loop.lines
        .filter((l) => l.startsWith('issued '))
        .map((l) => l.split(' ')[2] as string);
      const file = join(dir, 'backup.db');
      const backup = await runCli(['backup', file, '--json'], env);
      expect(backup.code, backup.stderr).toBe(0);
      expect(json(backup.stdout)).toMatchObject({ audit: { ok: true } });
      expect(statSync(file).mode & 0o077).toBe(0); // customers' data: owner only
      // The other process kept issuing while and after the backup ran.
      const before = loop.lines.length;
      await loop.waitFor((_l) => loop.lines.length > before + 2, 30_000);
      loop.kill();
      await loop.exited;

      const fresh = sqliteEnv();
      const restore = await runCli(['restore', file, '--json'], fresh.env);
      expect(restore.code, restore.stderr).toBe(0);
      expect(json(restore.stdout)).toMatchObject({ audit: { ok: true } });
      expect((await runCli(['audit', 'verify'], fresh.env)).code).toBe(0);
      await withStore(`sqlite:${join(fresh.dir, 'lifeline.db')}`, async (store) => {
        for (const id of acknowledged) expect((await store.getRequest(id))?.status, id).toBe('issued');
        expect(await invariantViolations(store)).toEqual([]);
      });
    } finally {
      loop.kill();
    }
  }, 120_000);

  it('restore refuses a non-Lifeline or damaged file, and a database holding data unless --force', async () => {
    const { dir, env } = sqliteEnv();
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a database');
    const notDb = await runCli(['restore', junk, '--json'], env);
    expect(notDb.code).toBe(2);
    expect(json(notDb.stdout)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });

    const other = join(dir, 'other.db');
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    const db = new BetterSqlite3(other);
    db.exec('create table notes (x text)');
    db.close();
    const foreign = await runCli(['restore', other], env);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('is not a Lifeline database');

    expect(
      (
        await runCli(
          [
            'issue',
            '--ticket',
            '77',
            '--email',
            'c@three.example',
            '--seats',
            '120',
            '--plan',
            'premium',
            '--expires-at',
            '2026-11-14',
            '--today',
            '2026-11-28',
            '--no-deliver',
          ],
          env,
        )
      ).code,
    ).toBe(0);
    const file = join(dir, 'b.db');
    expect((await runCli(['backup', file], env)).code).toBe(0);
    const again = await runCli(['backup', file], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    const refused = await runCli(['restore', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already holds data');
    const forced = await runCli(['restore', file, '--force'], env);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await runCli(['lookup', '--ticket', '77'], env)).code).toBe(0);
  }, 60_000);

  it('on PostgreSQL, backup and restore say to use pg_dump and pg_restore (exit 3)', async () => {
    const dir = tempDir('lifeline-ops-pg-');
    const env = childEnv(dir, 'postgres://lifeline@127.0.0.1:5432/lifeline');
    const backup = await runCli(['backup', join(dir, 'x.db')], env);
    expect(backup.code).toBe(3);
    expect(backup.stderr).toContain('pg_dump --format=custom');
    const restore = await runCli(['restore', join(dir, 'x.db')], env);
    expect(restore.code).toBe(3);
    expect(restore.stderr).toContain('pg_restore');
  }, 30_000);
});
