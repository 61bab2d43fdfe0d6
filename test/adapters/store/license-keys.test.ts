/**
 * Rule 9's index (migration 0006, customer-keys.ts): licenses stored before it are filed under their
 * keys by the migration, in pages; new ones when inserted; the index holds no readable value.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openPostgresStore, openSqliteStore } from '../../../src/adapters/store/kysely-store.js';
import { migrationProvider } from '../../../src/adapters/store/migrations.js';
import type { CalendarDate } from '../../../src/core/dates.js';
import { dropSchema, POSTGRES_URL, postgresProblem, uniqueSchemaName } from '../../helpers/postgres.js';
import { insertOldRequest, license, request } from './contract.js';

const OLD = 620; // more than the migration's page of 500

describe('migration 0006 files the licenses already stored', () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`on ${kind}: every old license is found again by its customer's keys`, async (ctx) => {
      if (kind === 'postgres' && postgresProblem) return ctx.skip();
      const schema = uniqueSchemaName();
      const store =
        kind === 'sqlite'
          ? openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-keys-')), 'old.db'))
          : openPostgresStore({ url: POSTGRES_URL, schema });
      try {
        if (kind === 'postgres') await sql`create schema if not exists ${sql.id(schema)}`.execute(store.db);
        const migrator = new Migrator({ db: store.db, provider: migrationProvider });
        expect((await migrator.migrateTo('0005_audit_sealing')).error).toBeUndefined();
        // Licenses as the Lifeline of migration 0005 stored them (no license_keys table yet).
        const made = Array.from({ length: OLD }, (_, i) =>
          request({ requesterEmail: `ops${i}@cust${i}.example`, ticketId: `T-${i}` }),
        );
        const withLicense = made[7]!;
        const previous = request({
          requesterEmail: 'new-person@other.example',
          evidence: {
            ...withLicense.evidence,
            source: 'license',
            previousLicense: {
              fingerprint: 'a'.repeat(64),
              json: {},
              licenseeEmail: 'IT@Acme.example',
              licenseeCompany: 'Acme  Corp',
              subscriptionId: 'sub-9',
            },
          },
        });
        made.push(previous);
        for (const r of made) await insertOldRequest(store.db, r);
        for (const r of made) {
          const l = license(r.id, { issuedAt: '2026-11-20' as CalendarDate });
          await sql`insert into licenses (id, request_id, text, fingerprint, file_name, email, seats, issued_at, expires_at, created_at)
            values (${l.id}, ${l.requestId}, ${l.text}, ${l.fingerprint}, ${l.fileName}, ${l.email}, ${l.seats},
                    ${l.issuedAt}, ${l.expiresAt}, ${l.createdAt})`.execute(store.db);
        }
        await store.migrate();
        const since = '2026-11-01' as CalendarDate;
        const ids = async (keys: string[]) =>
          (await store.recentLicenses(since, keys)).map((x) => x.requestId).sort();
        expect(await ids(['email:ops0@cust0.example'])).toEqual([made[0]!.id]);
        expect(await ids([`domain:cust${OLD - 1}.example`])).toEqual([made[OLD - 1]!.id]);
        expect(await ids(['ticket:t-555'])).toEqual([made[555]!.id]);
        expect(await ids(['licensee-company:acme corp'])).toEqual([previous.id]);
        expect(await ids(['licensee-email:it@acme.example', 'subscription:sub-9'])).toEqual([previous.id]);
        expect(await ids(['email:nobody@nowhere.example'])).toEqual([]);
        const rows = await sql<{
          n: number;
        }>`select count(distinct license_id) as n from license_keys`.execute(store.db);
        expect(Number(rows.rows[0]?.n)).toBe(OLD + 1);
        // Stored as digests: no key is readable.
        const keys = await sql<{ key: string }>`select key from license_keys`.execute(store.db);
        expect(keys.rows.every((r) => /^[A-Za-z0-9_-]{43}$/.test(r.key))).toBe(true);
        // A license inserted now is filed at once.
        const fresh = request({ requesterEmail: 'fresh@later.example' });
        await store.transaction(async (tx) => {
          await tx.insertRequest(fresh);
          await tx.insertLicense(license(fresh.id, { issuedAt: '2026-11-28' as CalendarDate }));
        });
        expect(await ids(['domain:later.example'])).toEqual([fresh.id]);
        expect(await store.recentLicenses('2026-11-29' as CalendarDate, ['domain:later.example'])).toEqual(
          [],
        );
      } finally {
        await store.close();
        if (kind === 'postgres') await dropSchema(schema);
      }
    });
  }
});
