/** Reads of licenses: a request's, by fingerprint (or an alias), and rule 9's recent ones by customer key. */
import type { CalendarDate } from '../../../core/dates.js';
import type { RecentLicense } from '../../../core/eligibility/index.js';
import type { LicenseRecord, RequestRecord } from '../../../core/ports.js';
import type { CompiledStatements } from '../compiled-statements.js';
import { keyDigest } from '../customer-keys.js';
import type { Db } from '../executor.js';
import { parse } from '../rows/json.js';
import { rowToLicense } from '../rows/licenses.js';

export async function getLicenseForRequest(db: Db, requestId: string): Promise<LicenseRecord | null> {
  const row = await db
    .selectFrom('licenses')
    .selectAll()
    .where('request_id', '=', requestId)
    .executeTakeFirst();
  return row ? rowToLicense(row) : null;
}

export async function findLicenseByFingerprint(db: Db, fingerprint: string): Promise<LicenseRecord | null> {
  const hex = fingerprint.toLowerCase();
  const row =
    (await db.selectFrom('licenses').selectAll().where('fingerprint', '=', hex).executeTakeFirst()) ??
    (await db
      .selectFrom('licenses')
      .selectAll()
      .where(
        'id',
        '=',
        db
          .selectFrom('license_fingerprint_aliases')
          .select('license_id')
          .where('fingerprint', '=', hex)
          .limit(1),
      )
      .executeTakeFirst());
  return row ? rowToLicense(row) : null;
}

/** The licenses issued since `since` that share one of the customer `keys` (rule 9). */
export async function recentLicenses(
  db: Db,
  statements: CompiledStatements,
  since: CalendarDate,
  keys: readonly string[],
): Promise<RecentLicense[]> {
  if (keys.length === 0) return [];
  const digests = [...new Set(keys.map(keyDigest))];
  const values: Record<string, string> = { since };
  digests.forEach((d, i) => (values[`key${i}`] = d));
  const { rows } = await statements.execute(db, `licenses.recent×${digests.length}`, values, (v) =>
    db
      .selectFrom('licenses')
      .innerJoin('requests', 'requests.id', 'licenses.request_id')
      .select([
        'requests.id as requestId',
        'requests.ticket_id as ticketId',
        'requests.requester_email as requesterEmail',
        'licenses.issued_at as issuedAt',
        'requests.evidence as evidence',
        'requests.replaced_by as replacedBy',
      ])
      .where('licenses.issued_at', '>=', v['since'] as string)
      .where('licenses.id', 'in', (eb) =>
        eb
          .selectFrom('license_keys')
          .select('license_keys.license_id')
          .where(
            'license_keys.key',
            'in',
            digests.map((_, i) => v[`key${i}`] as string),
          )
          .where('license_keys.issued_at', '>=', v['since'] as string),
      )
      .compile(),
  );
  return rows.map((r) => {
    const previous = (parse(r.evidence) as RequestRecord['evidence'] | null)?.previousLicense ?? null;
    return {
      requestId: r.requestId,
      ticketId: r.ticketId,
      requesterEmail: r.requesterEmail,
      issuedAt: r.issuedAt as CalendarDate,
      previousLicenseFingerprint: previous?.fingerprint ?? null,
      previousLicenseeEmail: previous?.licenseeEmail ?? null,
      previousLicenseeCompany: previous?.licenseeCompany ?? null,
      previousSubscriptionId: previous?.subscriptionId ?? null,
      voidedByReplace: r.replacedBy !== null,
    };
  });
}
