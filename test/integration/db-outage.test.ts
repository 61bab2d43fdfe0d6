/**
 * PostgreSQL going away under a running process (PRODUCT.md §9 "More than one machine"), on a
 * private cluster (its own temporary directory and port, from src/tools/chaos/postgres.ts) so the
 * machine's shared server is never stopped:
 *
 * - a transaction whose connection is cut by a server restart fails with an error; the process does
 *   not crash (pg-pool listens for errors only on idle clients: a checked-out client's 'error' event
 *   used to be unhandled and killed `lifeline serve`), and the pool serves the next query;
 * - the delivery worker loop, with the database down, reports each failed round, waits longer each
 *   time (1 s, 2 s, 4 s … with jitter) instead of exiting or spinning, and delivers everything once
 *   the database is back.
 *
 * Skipped (with the reason) without PostgreSQL binaries; failed instead under LIFELINE_REQUIRE_POSTGRES=1.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/adapters/store/postgres/open.js';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { issueEmergencyLicense } from '../../src/core/issuance/index.js';
import { runWorker } from '../../src/interfaces/worker/run-worker.js';
import {
  findPostgresBin,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../../src/tools/chaos/postgres.js';
import { eligibleInput } from '../deliveries/harness.js';
import { KEYS_DIR } from '../helpers/vectors.js';
import { ensureBuilt } from '../cli/helpers.js';
import { BIN, Child, childEnv, removeTempDirs, runCli, sleep, tempDir, testSigningKey } from './helpers.js';
import { unwrap } from '../../src/core/outcome.js';

function unavailable(): string | null {
  if (!findPostgresBin()) return 'no PostgreSQL binaries in /usr/lib/postgresql/*/bin';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return 'running as root without a `postgres` user to own the private cluster';
  return null;
}
const reason = unavailable();
if (reason && process.env['LIFELINE_REQUIRE_POSTGRES'] === '1') {
  throw new Error(`these tests need PostgreSQL binaries: ${reason} (LIFELINE_REQUIRE_POSTGRES=1)`);
}
if (reason) console.warn(`skipping the database outage tests: ${reason}`);

/** Polls `done` every 200 ms for at most `ms`; true when it held. */
async function eventually(done: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await done()) return true;
    await sleep(200);
  }
  return done();
}

describe.skipIf(reason !== null)('PostgreSQL restarting or down under a running process', () => {
  let postgres: PrivatePostgres;

  beforeAll(async () => {
    postgres = await startPrivatePostgres(() => undefined);
  }, 120_000);

  afterAll(() => {
    postgres?.stop();
    removeTempDirs();
  });

  it('a transaction cut by a restart fails; the process lives on and the pool serves the next query', async () => {
    const store = openPostgresStore({ url: postgres.url, poolSize: 2 });
    try {
      await store.migrate();
      const cut = store.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        // The server restarts while this transaction holds its connection between two statements.
        await postgres.restart();
        await sleep(200);
        await sql`select 1`.execute(trx);
      });
      // A lost connection is an infrastructure failure (503, retryable), not an internal error (500).
      await expect(cut).rejects.toMatchObject({ code: 'INFRASTRUCTURE', retryable: true });
      let answered = false;
      expect(
        await eventually(async () => {
          answered = await sql`select 1 as one`
            .execute(store.db)
            .then((r) => r.rows.length === 1)
            .catch(() => false);
          return answered;
        }, 20_000),
      ).toBe(true);
      // Every pooled connection works again (the broken ones were dropped).
      const results = await Promise.all(
        Array.from({ length: 6 }, () => sql<{ n: number }>`select 2 as n`.execute(store.db)),
      );
      expect(results.map((r) => Number(r.rows[0]?.n))).toEqual([2, 2, 2, 2, 2, 2]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('the worker backs off while the database is down, keeps going, and delivers once it is back', async () => {
    const dataDir = tempDir('lifeline-outage-');
    let app: App | null = null;
    try {
      app = await createApp(
        loadConfig({
          LIFELINE_DATA_DIR: dataDir,
          LIFELINE_ALLOW_PINNED_DATES: 'true',
          DATABASE_URL: postgres.url,
          LIFELINE_SIGNING_KEY_FILE: testSigningKey(dataDir),
          LIFELINE_VERIFY_KEY_FILES: join(KEYS_DIR, 'test_public.pem'),
        }),
      );
      const a = app;
      for (let i = 0; i < 3; i++) {
        const outcome = unwrap(await issueEmergencyLicense(eligibleInput(), a.ports, a.settings));
        expect(outcome.kind).toBe('issued');
      }
      expect((await a.ports.store.pendingDeliveries()).count).toBe(12);

      await postgres.stopServer();
      const pauses: number[] = [];
      let recoveredAfter = 0;
      let finished = false;
      const stop = new AbortController();
      const worker = runWorker(a, {
        signal: stop.signal,
        pollMs: 100,
        onError: (_error, retryInMs) => pauses.push(retryInMs),
        onRecovered: (failures) => {
          recoveredAfter = failures;
        },
      }).finally(() => {
        finished = true;
      });
      // Three failed rounds, each followed by a longer pause (1 s, 2 s, 4 s ± 20 %): no exit, no spin.
      expect(await eventually(() => pauses.length >= 3, 30_000)).toBe(true);
      expect(finished).toBe(false);
      expect(pauses[1]!).toBeGreaterThan(pauses[0]!);
      expect(pauses[2]!).toBeGreaterThan(pauses[1]!);

      await postgres.startServer();
      const drained = await eventually(
        async () =>
          (await a.ports.store
            .pendingDeliveries()
            .then((p) => p.count)
            .catch(() => -1)) === 0,
        60_000,
      );
      expect(drained).toBe(true);
      expect(recoveredAfter).toBeGreaterThanOrEqual(3);
      expect(finished).toBe(false);
      stop.abort();
      const summary = await worker;
      expect(summary.sent).toBe(12);
      expect(summary.failed + summary.unknown).toBe(0);
    } finally {
      await app?.close();
    }
  }, 120_000);

  it('`lifeline worker` started while the database is down waits for it, then runs and delivers', async () => {
    ensureBuilt();
    const dataDir = tempDir('lifeline-outage-cli-');
    const env = childEnv(dataDir, postgres.url, {
      LIFELINE_VERIFY_KEY_FILES: join(KEYS_DIR, 'test_public.pem'),
    });
    const issued = new Child(
      [
        BIN,
        'issue',
        '--ticket',
        '7990',
        '--email',
        'ops@outage.example',
        '--seats',
        '120',
        '--plan',
        'premium',
        '--expires-at',
        '2026-11-14',
        '--previous-seats',
        '100',
        '--today',
        '2026-11-28',
        '--no-deliver',
        '--json',
      ],
      env,
    );
    issued.endInput();
    expect((await issued.exited).code, issued.describe()).toBe(0);
    await postgres.stopServer();
    const worker = new Child([BIN, 'worker', '--batch-size', '10'], env);
    worker.endInput();
    try {
      // It says why it waits (no secret, no stack), and does not exit.
      expect(await eventually(() => /warning: .*database.*trying again in/.test(worker.stderr), 20_000)).toBe(
        true,
      );
      expect(worker.alive).toBe(true);
      await postgres.startServer();
      // The license's four local deliveries (outbox email, local tracker, chat, note) go out.
      await worker.waitFor((l) => /^sent\s+email/.test(l), 60_000);
      expect(worker.alive).toBe(true);
    } finally {
      worker.kill('SIGTERM');
      await worker.exited;
    }
  }, 120_000);

  it('`lifeline serve` started while the database is down waits for it; a later outage answers 503, storing nothing', async () => {
    ensureBuilt();
    const env = childEnv(tempDir('lifeline-outage-serve-'), postgres.url);
    await postgres.stopServer();
    const server = new Child([BIN, 'serve', '--host', '127.0.0.1', '--port', '0'], env);
    server.endInput();
    try {
      expect(await eventually(() => /warning: .*database.*trying again in/.test(server.stderr), 20_000)).toBe(
        true,
      );
      expect(server.alive).toBe(true);
      await postgres.startServer();
      const line = await server.waitFor((l) => l.startsWith('Lifeline is listening on'), 60_000);
      const url = /(http:\/\/[^\s]+)/.exec(line)?.[1] ?? '';
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      // With the database down again, an issue call answers 503 and stores nothing; once it is back,
      // the same call issues the license (201).
      const created = await runCli(
        ['tokens', 'create', '--role', 'engineer', '--name', 'outage', '--json'],
        env,
      );
      const token = (JSON.parse(created.stdout) as { secret: string }).secret;
      const issue = () =>
        fetch(`${url}/api/v1/emergency-licenses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            ...eligibleInput().request,
            ticketId: '7991',
            requesterEmail: 'ops@down.example',
            today: '2026-11-28',
          }),
        });
      await postgres.stopServer();
      const down = await issue();
      expect(down.status).toBe(503);
      // Trying again may succeed: the answer says when (RFC 9110 §10.2.3).
      expect(down.headers.get('retry-after')).toBe('5');
      expect(((await down.json()) as { error: { code: string } }).error.code).toBe('INFRASTRUCTURE');
      await postgres.startServer();
      let up: Response | null = null;
      expect(
        await eventually(async () => {
          up = await issue();
          return up.status !== 503;
        }, 30_000),
      ).toBe(true);
      expect(up!.status).toBe(201);
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);
});
