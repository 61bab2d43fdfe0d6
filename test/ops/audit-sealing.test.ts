/** The audit chain's two formats: sealed entries survive redaction; legacy entries verify as before. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/adapters/store/postgres/open.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/open.js';
import { migrationProvider } from '../../src/adapters/store/migrations.js';
import { dropSchema, POSTGRES_URL, postgresProblem, uniqueSchemaName } from '../helpers/postgres.js';
import {
  AUDIT_FORMAT_SEALED,
  auditHash,
  detailsDigest,
  GENESIS_HASH,
  hasPersonalValues,
  LEGACY_REDACTION,
  redactLegacyDetails,
  redactSealedDetails,
  sealedDetailsDigest,
  verifyAuditChain,
  type StoredAuditEntry,
} from '../../src/core/audit.js';
import type { JsonObject } from '../../src/core/license/attributes.js';

const SALT = 'a1'.repeat(16);

function chain(specs: { details: JsonObject; format: 1 | 2 }[]): {
  entries: StoredAuditEntry[];
  head: { seq: number; hash: string };
} {
  let prev = GENESIS_HASH;
  const entries = specs.map((spec, i) => {
    const base = {
      seq: i + 1,
      id: `aud_${i + 1}`,
      at: `2026-01-0${(i % 9) + 1}T10:00:00.000Z`,
      actor: 'lou (licensing)',
      action: 'request.voided',
      requestId: 'req_1',
      details: spec.details,
      detailsDigest:
        spec.format === 2 ? (sealedDetailsDigest(spec.details, SALT) as string) : detailsDigest(spec.details),
      prevHash: prev,
      format: spec.format,
    };
    const entry: StoredAuditEntry = {
      ...base,
      hash: auditHash(prev, base),
      salt: spec.format === 2 ? SALT : null,
      redactedAt: null,
    };
    prev = entry.hash;
    return entry;
  });
  return { entries, head: { seq: entries.length, hash: prev } };
}

const personal: JsonObject = {
  reason: 'sent to the wrong address ops@customer.example',
  channel: 'email',
  failure: { code: 'SMTP_550', message: '550 no such user ops@customer.example' },
  seats: 120,
};

describe('sealed entries (format 2)', () => {
  it('verify, and still verify once their personal values are redacted and the salt dropped', () => {
    const { entries, head } = chain([
      { details: personal, format: 2 },
      { details: { seats: 1 }, format: 2 },
    ]);
    expect(verifyAuditChain(entries, head)).toEqual({ ok: true, entries: 2 });
    const first = entries[0] as StoredAuditEntry;
    const redacted = { ...first, details: redactSealedDetails(first.details, SALT), salt: null };
    expect(JSON.stringify(redacted.details)).not.toContain('customer.example');
    expect(redacted.details['channel']).toBe('email');
    expect(redacted.details['seats']).toBe(120);
    expect(hasPersonalValues(redacted.details)).toBe(false);
    expect(verifyAuditChain([redacted, entries[1] as StoredAuditEntry], head)).toEqual({
      ok: true,
      entries: 2,
    });
  });

  it('notice a changed non-personal value, a changed redaction hash and a lost salt', () => {
    const { entries, head } = chain([{ details: personal, format: 2 }]);
    const e = entries[0] as StoredAuditEntry;
    const changed = { ...e, details: { ...e.details, seats: 999 } };
    expect(verifyAuditChain([changed], head).brokenAt?.reason).toBe('its details were changed');
    const redacted = redactSealedDetails(e.details, SALT);
    const forged = { ...e, salt: null, details: { ...redacted, reason: { $redacted: 'f'.repeat(64) } } };
    expect(verifyAuditChain([forged], head).ok).toBe(false);
    expect(verifyAuditChain([{ ...e, salt: null }], head).ok).toBe(false);
    expect(verifyAuditChain([{ ...e, details: { ...e.details, reason: 'something else' } }], head).ok).toBe(
      false,
    );
  });

  it('cannot be passed off as a redacted legacy entry to escape the details check', () => {
    const { entries, head } = chain([{ details: personal, format: 2 }]);
    const e = entries[0] as StoredAuditEntry;
    const downgraded = { ...e, format: 1, redactedAt: '2026-11-28T00:00:00.000Z', details: { forged: true } };
    expect(verifyAuditChain([downgraded], head).brokenAt?.reason).toBe('its contents were changed');
    expect(AUDIT_FORMAT_SEALED).toBe(2);
  });
});

describe('legacy entries (format 1, written before migration 0005)', () => {
  it('verify exactly as before and notice changed details', () => {
    const { entries, head } = chain([
      { details: personal, format: 1 },
      { details: { seats: 2 }, format: 2 },
    ]);
    expect(verifyAuditChain(entries, head).ok).toBe(true);
    const e = entries[0] as StoredAuditEntry;
    expect(verifyAuditChain([{ ...e, details: { n: 1 } }, entries[1] as StoredAuditEntry], head)).toEqual({
      ok: false,
      entries: 2,
      brokenAt: { seq: 1, reason: 'its details were changed' },
    });
  });

  it('once redacted keep their place in the chain (their details can no longer be checked)', () => {
    const { entries, head } = chain([
      { details: personal, format: 1 },
      { details: { seats: 2 }, format: 2 },
    ]);
    const e = entries[0] as StoredAuditEntry;
    const details = redactLegacyDetails(e.details);
    expect(details['reason']).toBe(LEGACY_REDACTION);
    expect((details['failure'] as JsonObject)['message']).toBe(LEGACY_REDACTION);
    expect((details['failure'] as JsonObject)['code']).toBe('SMTP_550');
    const redacted = { ...e, details, redactedAt: '2026-11-28T00:00:00.000Z' };
    expect(verifyAuditChain([redacted, entries[1] as StoredAuditEntry], head).ok).toBe(true);
    // …but the chain itself still holds: a redacted legacy entry's actor cannot change.
    expect(
      verifyAuditChain([{ ...redacted, actor: 'mallory' }, entries[1] as StoredAuditEntry], head).ok,
    ).toBe(false);
  });
});

describe('an existing database (entries written before migration 0005)', () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`still verifies on ${kind} after migrating, with new sealed entries appended after the old ones`, async (ctx) => {
      if (kind === 'postgres' && postgresProblem) return ctx.skip();
      const schema = uniqueSchemaName();
      const store =
        kind === 'sqlite'
          ? openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-sealing-')), 'old.db'))
          : openPostgresStore({ url: POSTGRES_URL, schema });
      try {
        if (kind === 'postgres') await sql`create schema if not exists ${sql.id(schema)}`.execute(store.db);
        const migrator = new Migrator({ db: store.db, provider: migrationProvider });
        const before = await migrator.migrateTo('0004_sessions_and_origin');
        expect(before.error).toBeUndefined();
        // Two entries as the Lifeline of migration 0004 wrote them (no format column yet).
        let prev = GENESIS_HASH;
        for (let seq = 1; seq <= 2; seq++) {
          const details = { reason: `old reason ${seq} ops@old.example`, seats: seq };
          const base = {
            seq,
            id: `aud_old_${seq}`,
            at: '2026-01-01T00:00:00.000Z',
            actor: 'lou (licensing)',
            action: 'request.voided',
            requestId: null,
            detailsDigest: detailsDigest(details),
          };
          const hash = auditHash(prev, base);
          await sql`insert into audit_log (seq, id, at, actor, action, request_id, details, details_digest, prev_hash, hash)
            values (${seq}, ${base.id}, ${base.at}, ${base.actor}, ${base.action}, ${null}, ${JSON.stringify(details)},
                    ${base.detailsDigest}, ${prev}, ${hash})`.execute(store.db);
          await sql`update audit_head set seq = ${seq}, hash = ${hash} where id = 1`.execute(store.db);
          prev = hash;
        }
        await store.migrate();
        expect(await store.verifyAudit()).toEqual({ ok: true, entries: 2 });
        await store.transaction(async (tx) => {
          await tx.appendAudit({
            id: 'aud_new_3',
            at: '2026-11-28T00:00:00.000Z',
            actor: 'lou (licensing)',
            action: 'request.voided',
            requestId: null,
            details: { reason: 'new reason', seats: 3 },
          });
        });
        expect(await store.verifyAudit()).toEqual({ ok: true, entries: 3 });
        const formats = await sql<{ format: number }>`select format from audit_log order by seq`.execute(
          store.db,
        );
        expect(formats.rows.map((r) => Number(r.format))).toEqual([1, 1, 2]);
        // A changed old entry is still noticed.
        await sql`update audit_log set details = ${JSON.stringify({ reason: 'x', seats: 1 })} where seq = 1`.execute(
          store.db,
        );
        expect((await store.verifyAudit()).brokenAt).toEqual({ seq: 1, reason: 'its details were changed' });
      } finally {
        await store.close();
        if (kind === 'postgres') await dropSchema(schema);
      }
    });
  }
});
