/**
 * The retention purge (PRODUCT.md §9): customers' personal data older than the retention is
 * redacted; the audit trail stays verifiable and is checked afterwards.
 */
import { fail, useCase, type Outcome } from '../outcome.js';
import type { AuditVerification, Store } from '../ports.js';
import { retentionCutoff, retentionTooShort } from '../retention.js';
import type { PurgeSummary, RetentionStore } from './ports.js';

export interface PurgeOutcome {
  summary: PurgeSummary & { outboxFiles: number };
  days: number;
  /** After a real purge: the audit trail checked end to end. */
  audit: AuditVerification | null;
}

export function purgeOlderThan(
  input: { days: number | undefined; repeatWindowDays: number; dryRun?: boolean },
  ports: { retention: RetentionStore; store: Pick<Store, 'verifyAudit'>; clock: { now(): Date } },
): Outcome<PurgeOutcome> {
  return useCase(async () => {
    const { days } = input;
    if (days === undefined)
      fail('USAGE', 'say how old: --older-than DURATION, or set LIFELINE_RETENTION_DAYS');
    const tooShort = retentionTooShort(days, input.repeatWindowDays);
    if (tooShort) fail('VALIDATION_FAILED', `--older-than ${tooShort}`, { field: 'olderThan' });
    const now = ports.clock.now();
    const summary = await ports.retention.purge({
      cutoff: retentionCutoff(now, days),
      now,
      ...(input.dryRun ? { dryRun: true } : {}),
    });
    const audit = input.dryRun ? null : await ports.store.verifyAudit();
    return { summary, days, audit };
  });
}
