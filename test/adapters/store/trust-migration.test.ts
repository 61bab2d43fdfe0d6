/**
 * Migration 0007 (issue 17): licenses stored before it are re-filed under rule 9's canonical keys
 * (the old digests stay beside them), their fingerprints are recomputed over the payload without
 * framing or whitespace, and the old fingerprints stay findable as aliases.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { keyDigest } from '../../../src/adapters/store/customer-keys.js';
import { openPostgresStore, openSqliteStore } from '../../../src/adapters/store/kysely-store.js';
import { migrationProvider } from '../../../src/adapters/store/migrations.js';
import type { CalendarDate } from '../../../src/core/dates.js';
import {
  encodeLicense,
  legacyLicenseFingerprint,
  licenseFingerprint,
} from '../../../src/core/license/index.js';
import { REDACTED_LICENSE_TEXT } from '../../../src/core/retention.js';
import { emergencyLicenseAttributes } from '../../../src/core/issuance/emergency-license.js';
import { dropSchema, POSTGRES_URL, postgresProblem, uniqueSchemaName } from '../../helpers/postgres.js';
import { testPrivateKey } from '../../helpers/vectors.js';
import { insertOldRequest, license, request } from './contract.js';

const since = '2026-11-01' as CalendarDate;

describe('migration 0007 re-files rule 9 keys and recomputes fingerprints', () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`on ${kind}: old licenses match canonical forms, and old fingerprints are still found`, async (ctx) => {
      if (kind === 'postgres' && postgresProblem) return ctx.skip();
      const schema = uniqueSchemaName();
      const store =
        kind === 'sqlite'
          ? openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-0007-')), 'old.db'))
          : openPostgresStore({ url: POSTGRES_URL, schema });
      try {
        if (kind === 'postgres') await sql`create schema if not exists ${sql.id(schema)}`.execute(store.db);
        const migrator = new Migrator({ db: store.db, provider: migrationProvider });
        expect((await migrator.migrateTo('0006_license_keys')).error).toBeUndefined();

        // Stored as the Lifeline of migration 0006 stored them: keys of the raw values.
        const tagged = request({
          requesterEmail: 'john.smith+x@gmail.com',
          evidence: {
            ...request().evidence,
            source: 'license',
            previousLicense: {
              fingerprint: 'c'.repeat(64),
              json: {},
              licenseeEmail: 'it@globex.example',
              licenseeCompany: 'Globex Corporation.',
              subscriptionId: 'sub-\u200b0001',
            },
          },
        });
        const sub = request({ requesterEmail: 'ops@eu.acme-one.example' });
        const purged = request({ requesterEmail: 'gone@purged.example' });
        const made = [tagged, sub, purged];
        for (const r of made) await insertOldRequest(store.db, r);
        const encoded = encodeLicense(
          emergencyLicenseAttributes('john.smith+x@gmail.com', 100, '2026-11-28' as CalendarDate),
          testPrivateKey(),
        );
        if (!encoded.ok) throw new Error(encoded.error.message);
        const texts = [encoded.value.text, `license text ${sub.id}`, REDACTED_LICENSE_TEXT];
        const oldKeys: Record<string, string[]> = {
          [tagged.id]: ['email:john.smith+x@gmail.com', 'licensee-company:globex corporation.'],
          [sub.id]: ['email:ops@eu.acme-one.example', 'domain:eu.acme-one.example'],
          [purged.id]: ['domain:purged.example'],
        };
        const licenses = made.map((r, i) =>
          license(r.id, {
            text: texts[i]!,
            fingerprint: legacyLicenseFingerprint(texts[i]!),
            issuedAt: '2026-11-20' as CalendarDate,
          }),
        );
        for (const l of licenses) {
          await sql`insert into licenses (id, request_id, text, fingerprint, file_name, email, seats, issued_at, expires_at, created_at)
            values (${l.id}, ${l.requestId}, ${l.text}, ${l.fingerprint}, ${l.fileName}, ${l.email}, ${l.seats},
                    ${l.issuedAt}, ${l.expiresAt}, ${l.createdAt})`.execute(store.db);
          for (const key of oldKeys[l.requestId] ?? []) {
            await sql`insert into license_keys (key, issued_at, license_id) values (${keyDigest(key)}, ${l.issuedAt}, ${l.id})`.execute(
              store.db,
            );
          }
        }

        await store.migrate();

        const ids = async (keys: string[]) =>
          (await store.recentLicenses(since, keys)).map((x) => x.requestId).sort();
        // The canonical keys find the old licenses (rule 9 does not fail open after the upgrade) …
        expect(await ids(['email:johnsmith@gmail.com'])).toEqual([tagged.id]);
        expect(await ids(['licensee-company:globex corporation'])).toEqual([tagged.id]);
        expect(await ids(['subscription:sub-0001'])).toEqual([tagged.id]);
        expect(await ids(['domain:acme-one.example'])).toEqual([sub.id]);
        // … and the old digests are still there beside them.
        expect(await ids(['domain:eu.acme-one.example'])).toEqual([sub.id]);
        expect(await ids(['fingerprint:' + 'c'.repeat(64)])).toEqual([tagged.id]);

        // Fingerprints recomputed where the text is kept; the old value is an alias.
        const [lic0, lic1, lic2] = licenses as [
          (typeof licenses)[0],
          (typeof licenses)[0],
          (typeof licenses)[0],
        ];
        const now0 = await store.getLicenseForRequest(tagged.id);
        expect(now0?.fingerprint).toBe(licenseFingerprint(encoded.value.text));
        expect(now0?.fingerprint).not.toBe(lic0.fingerprint);
        expect((await store.findLicenseByFingerprint(lic0.fingerprint))?.id).toBe(lic0.id);
        expect((await store.findLicenseByFingerprint(licenseFingerprint(encoded.value.text)))?.id).toBe(
          lic0.id,
        );
        expect((await store.findLicenseByFingerprint(lic1.fingerprint))?.id).toBe(lic1.id);
        // A purged license keeps the fingerprint it had.
        expect((await store.getLicenseForRequest(purged.id))?.fingerprint).toBe(lic2.fingerprint);

        // The new request columns have their defaults.
        const back = await store.getRequest(tagged.id);
        expect(back).toMatchObject({ datePinned: false, replaces: null, replacedBy: null });
      } finally {
        await store.close();
        if (kind === 'postgres') await dropSchema(schema);
      }
    });
  }
});
