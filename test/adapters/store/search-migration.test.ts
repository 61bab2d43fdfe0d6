/**
 * Migration 0009: the requests and licenses stored before it are filed under their search terms,
 * so the list's search finds them (and an old fingerprint alias) like new ones.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from '../../../src/adapters/store/migrations.js';
import { openPostgresStore } from '../../../src/adapters/store/postgres/open.js';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/open.js';
import { parseSearch } from '../../../src/core/issuance/search.js';
import { dropSchema, POSTGRES_URL, postgresProblem, uniqueSchemaName } from '../../helpers/postgres.js';
import { insertOldRequest, license, request } from './contract.js';

describe('migration 0009 files the stored requests under their search terms', () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`on ${kind}: old requests are found by email, domain, company and fingerprint prefix`, async (ctx) => {
      if (kind === 'postgres' && postgresProblem) return ctx.skip();
      const schema = uniqueSchemaName();
      const store =
        kind === 'sqlite'
          ? openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-0009-')), 'old.db'))
          : openPostgresStore({ url: POSTGRES_URL, schema });
      try {
        if (kind === 'postgres') await sql`create schema if not exists ${sql.id(schema)}`.execute(store.db);
        const migrator = new Migrator({ db: store.db, provider: migrationProvider });
        expect((await migrator.migrateTo('0008_delivery_follow_ups')).error).toBeUndefined();
        const old = request({
          requesterEmail: 'ops@old-bank.example',
          evidence: {
            ...request().evidence,
            source: 'license',
            previousLicense: {
              fingerprint: 'e'.repeat(64),
              json: {},
              licenseeEmail: null,
              licenseeCompany: 'Old Bank Holdings',
              subscriptionId: null,
            },
          },
        });
        await insertOldRequest(store.db, old);
        const l = license(old.id, { fingerprint: 'a1b2c3d4'.repeat(8) });
        await sql`insert into licenses (id, request_id, text, fingerprint, file_name, email, seats, issued_at, expires_at, created_at)
          values (${l.id}, ${l.requestId}, ${l.text}, ${l.fingerprint}, ${l.fileName}, ${l.email}, ${l.seats},
            ${l.issuedAt}, ${l.expiresAt}, ${l.createdAt})`.execute(store.db);
        await sql`insert into license_fingerprint_aliases (fingerprint, license_id)
          values (${'f0f0f0f0'.repeat(8)}, ${l.id})`.execute(store.db);

        await store.migrate();
        const found = async (q: string) => {
          const parsed = parseSearch(q);
          if (!parsed.ok) throw new Error(parsed.error);
          return (await store.findRequests({ search: parsed.value })).map((r) => r.id);
        };
        for (const q of [
          'ops@old',
          'old-bank.example',
          'old bank',
          'holdings',
          'a1b2c3d4',
          'f0f0f0f0',
          'eeeeeeee',
        ])
          expect(await found(q), q).toEqual([old.id]);
      } finally {
        await store.close();
        if (kind === 'postgres') await dropSchema(schema);
      }
    });
  }
});
