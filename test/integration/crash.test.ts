/**
 * Killing a process in the middle of an issue (kill -9) leaves either a full record or none, never
 * half (PRODUCT.md §6/§7): request, license, four deliveries and the audit entry commit together.
 *
 * 1. Random kills: pairs of processes issue licenses for different tickets in a loop and are
 *    SIGKILLed after a random 50–400 ms, 20 kills per database; after every kill the store's invariants hold,
 *    every license a process reported as issued is there, and the ticket it was working on is
 *    either complete or absent.
 * 2. A deterministic kill inside the transaction: a worker whose store stops after the last write
 *    and before COMMIT; after SIGKILL nothing of that issue is in the database, and the ticket can
 *    be issued normally afterwards (no claim or lock was left behind).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { issueEmergencyLicense } from '../../src/core/issuance/index.js';
import { ensureBuilt } from '../cli/helpers.js';
import {
  childEnv,
  counts,
  createTestDatabase,
  invariantViolations,
  postgresForTests,
  removeTempDirs,
  sleep,
  tempDir,
  withStore,
  worker,
  type Child,
} from './helpers.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

/** 20 kills per database: 10 rounds of 2 processes issuing side by side (and contending for locks). */
const PER_ROUND = 2;
const ROUNDS = 10;

interface CrashStats {
  /** Licenses the killed processes reported as committed. */
  reported: number;
  /** Rounds whose in-flight ticket was found complete (the kill came after COMMIT, before the report). */
  inFlightComplete: number;
  /** In-flight tickets found absent (the kill came before COMMIT). */
  inFlightAbsent: number;
}

/**
 * ROUNDS × PER_ROUND loop workers, each killed 50–400 ms after its first committed license, with the
 * checks after each round.
 */
async function randomKills(dataDir: string, databaseUrl: string): Promise<CrashStats> {
  await withStore(databaseUrl, (store) => store.migrate());
  const env = childEnv(dataDir, databaseUrl, { WORKER_MIGRATE: '0' });
  const spawnRound = (round: number): Child[] =>
    Array.from({ length: PER_ROUND }, (_, i) => worker(['loop', `r${round}p${i}`], env));
  const stats: CrashStats = { reported: 0, inFlightComplete: 0, inFlightAbsent: 0 };
  // Two rounds' processes start ahead (and stay waiting for "go") while a round runs.
  const ahead: Child[][] = [spawnRound(0), spawnRound(1)];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const current = ahead.shift() ?? [];
      if (round + 2 < ROUNDS) ahead.push(spawnRound(round + 2));
      await Promise.all(current.map((c) => c.waitFor((l) => l === 'ready')));
      for (const child of current) child.send('go\n');
      await Promise.all(
        current.map(async (child) => {
          // Random moments once the process is issuing (a loaded machine may take a while to start).
          await child.waitFor((l) => l.startsWith('issued '));
          await sleep(50 + Math.floor(Math.random() * 351));
          expect(child.alive, `the worker died by itself\n${child.describe()}`).toBe(true);
          child.kill('SIGKILL');
          expect((await child.exited).signal).toBe('SIGKILL');
        }),
      );

      await withStore(databaseUrl, async (store) => {
        expect(await invariantViolations(store), `after round ${round}`).toEqual([]);
        const issued = new Map<string, string>();
        for (const [index, child] of current.entries()) {
          let done = 0;
          for (const line of child.lines) {
            const [kind, ticket, id] = line.split(' ');
            if (kind === 'ready') continue;
            expect(kind, line).toBe('issued');
            issued.set(ticket ?? '', id ?? '');
            done++;
          }
          stats.reported += done;
          // The ticket the process was working on when it was killed: complete or absent.
          const inFlight = `r${round}p${index}-${done}`;
          const c = await counts(store, inFlight);
          expect([
            { requests: 0, licenses: 0, deliveries: 0, audit: 0 },
            { requests: 1, licenses: 1, deliveries: 4, audit: 1 },
          ]).toContainEqual(c);
          if (c.requests === 1) stats.inFlightComplete++;
          else stats.inFlightAbsent++;
        }
        // Every license this round's processes reported is there, with its record (durable across the kill).
        for (const [ticket, id] of issued) {
          const holder = await store.findTicketHolder(ticket);
          expect(holder?.id, ticket).toBe(id);
          expect(holder?.status).toBe('issued');
        }
      });
    }
  } finally {
    for (const child of ahead.flat()) child.kill('SIGKILL');
  }
  await withStore(databaseUrl, async (store) => {
    const total = await counts(store);
    expect(total.licenses).toBe(stats.reported + stats.inFlightComplete);
    expect(total.requests).toBe(total.licenses);
    expect(total.deliveries).toBe(4 * total.licenses);
    expect(total.audit).toBe(total.licenses);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: total.audit });
  });
  // Every process committed at least one license before its kill: the kills interrupted real work.
  expect(stats.reported).toBeGreaterThanOrEqual(ROUNDS * PER_ROUND);
  return stats;
}

const HANG_TICKET = 'hang-1';

/** Kills a worker that has written everything of an issue and waits before COMMIT. */
async function killInsideTransaction(dataDir: string, databaseUrl: string): Promise<void> {
  await withStore(databaseUrl, (store) => store.migrate());
  // Something committed before, so that "nothing written" is not just an empty database.
  const env = childEnv(dataDir, databaseUrl);
  const app = await createApp(loadConfig(env));
  const input = (ticketId: string, email: string) => ({
    request: {
      ticketId,
      requesterEmail: email,
      seats: 100,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: 100,
    },
    actor: { name: 't', role: 'engineer' as const },
    today: '2026-11-28' as CalendarDate,
  });
  try {
    expect(
      unwrap(await issueEmergencyLicense(input('before-1', 'a@before.example'), app.ports, app.settings))
        .kind,
    ).toBe('issued');
    const before = await counts(storeOf(app));

    const child = worker(['hang', HANG_TICKET], env);
    try {
      const inTx = await child.waitFor((l) => l.startsWith('in-tx '));
      // The kill lands after every write of the issue (inside the one transaction), before COMMIT.
      expect(JSON.parse(inTx.slice('in-tx '.length))).toEqual([
        'insertRequest:inserted',
        'insertLicense',
        'insertDeliveries:4',
        `appendAudit:${before.audit + 1}`,
      ]);
      expect(await counts(storeOf(app), HANG_TICKET)).toEqual({
        requests: 0,
        licenses: 0,
        deliveries: 0,
        audit: 0,
      });
      child.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
    } finally {
      child.kill('SIGKILL');
    }
    expect(child.lines).not.toContain('committed');

    await withStore(databaseUrl, async (store) => {
      expect(await counts(store, HANG_TICKET)).toEqual({ requests: 0, licenses: 0, deliveries: 0, audit: 0 });
      expect(await counts(store)).toEqual(before);
      expect(await store.findRequests({ ticketId: HANG_TICKET })).toEqual([]);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: before.audit });
      expect(await invariantViolations(store)).toEqual([]);
    });

    // Nothing was left holding the ticket or the audit head: the same ticket issues normally now.
    const again = unwrap(
      await issueEmergencyLicense(input(HANG_TICKET, 'cust@acme.example'), app.ports, app.settings),
    );
    expect(again.kind).toBe('issued');
    expect(await counts(storeOf(app), HANG_TICKET)).toEqual({
      requests: 1,
      licenses: 1,
      deliveries: 4,
      audit: 1,
    });
    expect(await storeOf(app).verifyAudit()).toEqual({ ok: true, entries: before.audit + 1 });
  } finally {
    await app.close();
  }
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => removeTempDirs());

describe('SQLite: kill -9 in the middle of an issue', () => {
  it(`leaves a full record or none, over ${ROUNDS * PER_ROUND} random kills (${PER_ROUND} processes at a time)`, async () => {
    const dir = tempDir();
    const stats = await randomKills(dir, `sqlite:${join(dir, 'lifeline.db')}`);
    console.info(`SQLite random kills: ${JSON.stringify(stats)}`);
  }, 90_000);

  it('leaves nothing when the kill lands inside the transaction, before COMMIT', async () => {
    const dir = tempDir();
    await killInsideTransaction(dir, `sqlite:${join(dir, 'lifeline.db')}`);
  }, 30_000);
});

const postgres = await postgresForTests();

describe.skipIf(!postgres)('PostgreSQL: kill -9 in the middle of an issue', () => {
  it(`leaves a full record or none, over ${ROUNDS * PER_ROUND} random kills (${PER_ROUND} processes at a time)`, async () => {
    const db = await createTestDatabase();
    try {
      const stats = await randomKills(tempDir(), db.url);
      console.info(`PostgreSQL random kills: ${JSON.stringify(stats)}`);
    } finally {
      await db.drop();
    }
  }, 90_000);

  it('leaves nothing when the kill lands inside the transaction, before COMMIT', async () => {
    const db = await createTestDatabase();
    try {
      await killInsideTransaction(tempDir(), db.url);
    } finally {
      await db.drop();
    }
  }, 30_000);
});
