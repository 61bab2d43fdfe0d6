/** `status`, `purge`, `backup`, `restore`: the operator's maintenance commands. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { databaseFiles } from '../../compose/database-files.js';
import { loadConfig } from '../../config.js';
import { EXIT, LifelineError } from '../../core/errors.js';
import { purgeOlderThan } from '../../core/operations/purge.js';
import { statusReport } from '../../core/operations/status.js';
import { parseRetentionDays } from '../../core/retention.js';
import { actorFrom, withApp } from '../context.js';
import { acknowledgeDelivery, retryDelivery } from '../../core/deliveries/operator.js';
import type { CommandOutcome } from '../output.js';
import { unwrap } from '../../core/outcome.js';

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** The embedded SQLite database's file; a PostgreSQL configuration is refused with its equivalent. */
function embeddedSqlitePath(what: string): string {
  const config = loadConfig(process.env);
  if (config.database.kind !== 'sqlite') {
    throw new LifelineError(
      'CONFIG_INVALID',
      `${what} the embedded SQLite database, and this configuration uses PostgreSQL; ${databaseFiles.postgresAdvice}`,
    );
  }
  return resolve(config.database.path.replace('$LIFELINE_DATA_DIR', resolve(config.dataDir)));
}

export function deliveriesList(): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const list = await app.ports.stats.deliveriesNeedingHuman();
    const human =
      list.length === 0
        ? 'No delivery needs a human.'
        : list
            .map(
              (d) =>
                `${d.id}  ${d.status.padEnd(7)} ${d.channel.padEnd(7)} ${d.purpose.padEnd(13)} request ${d.requestId} (ticket ${d.ticketId}), ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}, ${d.updatedAt}${d.lastError ? `\n    ${d.lastError}` : ''}`,
            )
            .join('\n');
    return { exit: EXIT.OK, human, json: { deliveries: list } };
  });
}

/** `deliveries retry` and `deliveries acknowledge`. */
export function deliveryDecision(
  name: 'retry' | 'acknowledge',
): (deliveryId: string, o: { reason: string; by?: string; json?: boolean }) => Promise<CommandOutcome> {
  const run = name === 'retry' ? retryDelivery : acknowledgeDelivery;
  return (deliveryId, o) =>
    withApp(async (app) => {
      const requestId = await app.ports.stats.requestOfDelivery(deliveryId);
      if (!requestId) throw new LifelineError('NOT_FOUND', `no delivery ${deliveryId}`);
      const actor = actorFrom({ ...(o.by ? { by: o.by } : {}) }, 'licensing');
      const result = unwrap(await run({ requestId, deliveryId, actor, reason: o.reason }, app.ports));
      return {
        exit: EXIT.OK,
        human:
          name === 'retry'
            ? `Queued ${result.channel} delivery ${result.id} for request ${requestId} (replaces ${deliveryId}); the worker sends it.`
            : `Acknowledged ${deliveryId} (${result.channel}, ${result.status}) for request ${requestId}.`,
        json: { requestId, deliveryId, ...(name === 'retry' ? { newDeliveryId: result.id } : {}) },
      };
    });
}

export function status(): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const report = await statusReport(app.ports, app.settings);
    const { stats, failedTotal, attention, today: day } = report;
    const today = day.date;
    const failedDetail = stats.failedNeedingHuman.map((f) => `${f.channel} ${f.count}`).join(', ');
    const human = [
      `Outbox:                 ${stats.outbox.depth} unfinished deliver${stats.outbox.depth === 1 ? 'y' : 'ies'}${stats.outbox.depth > 0 ? `, oldest ${formatAge(stats.outbox.oldestAgeSeconds)}` : ''}`,
      `Failed deliveries:      ${failedTotal}${failedTotal > 0 ? ` need a human (${failedDetail}); see docs/runbook.md` : ''}`,
      `Unknown-outcome emails: ${stats.unknownEmails}${stats.unknownEmails > 0 ? ' need a human; see docs/runbook.md' : ''}`,
      `Pending approvals:      ${stats.pendingApprovals}`,
      `Today (${today}, ${app.config.supportTimeZone}): ${day.issued} issued, ${day.refused} refused`,
    ].join('\n');
    return {
      exit: EXIT.OK,
      human,
      json: {
        at: report.at,
        outbox: stats.outbox,
        failedDeliveries: { total: failedTotal, byChannel: stats.failedNeedingHuman },
        unknownEmails: stats.unknownEmails,
        pendingApprovals: stats.pendingApprovals,
        today: day,
        attention,
      },
    };
  });
}

export async function purge(o: {
  olderThan?: string;
  dryRun?: boolean;
  json?: boolean;
}): Promise<CommandOutcome> {
  const config = loadConfig(process.env);
  let days = config.retentionDays;
  if (o.olderThan !== undefined) {
    const parsed = parseRetentionDays(o.olderThan);
    if (parsed === null) {
      throw new LifelineError(
        'VALIDATION_FAILED',
        `--older-than must be days (90), weeks (12w) or years (1y), from 1 day to 100 years (got ${JSON.stringify(o.olderThan.slice(0, 40))})`,
        { field: 'olderThan' },
      );
    }
    days = parsed;
  }
  return withApp(async (app) => {
    const { summary, audit } = unwrap(
      await purgeOlderThan(
        {
          days,
          repeatWindowDays: config.eligibility.repeatWindowDays,
          ...(o.dryRun ? { dryRun: true } : {}),
        },
        app.ports,
      ),
    );
    const cutoff = summary.cutoff;
    const files = { length: summary.outboxFiles };
    const verb = o.dryRun ? 'Would redact' : 'Redacted';
    const r = summary.rows;
    const human = [
      `${verb} the personal data of ${summary.requests} request${summary.requests === 1 ? '' : 's'} created before ${cutoff} (${days} days).`,
      `Rows: ${r.requests} requests, ${r.licenses} licenses, ${r.deliveries} deliveries, ${r.local_records} local records, ${r.audit_log} audit entries; ${files.length} outbox file${files.length === 1 ? '' : 's'} ${o.dryRun ? 'to delete' : 'deleted'}.`,
      `Screenshots: ${summary.evidence.records} read${summary.evidence.records === 1 ? '' : 's'} with ${summary.evidence.images} image${summary.evidence.images === 1 ? '' : 's'} ${o.dryRun ? 'to delete' : 'deleted'}${summary.evidence.awaitingDecision > 0 ? ` (${summary.evidence.awaitingDecision} kept for requests awaiting a decision)` : ''}.`,
      ...(summary.skipped.awaiting_decision + summary.skipped.delivering > 0
        ? [
            `Left for later: ${summary.skipped.awaiting_decision} awaiting a licensing decision, ${summary.skipped.delivering} still being delivered.`,
          ]
        : []),
      ...(summary.alreadyPurged > 0 ? [`${summary.alreadyPurged} already purged.`] : []),
      ...(summary.fileRewritten === false
        ? [
            'The database file could not be rebuilt (busy): old copies of the redacted values may remain in its free space until the next purge.',
          ]
        : []),
      ...(audit
        ? [
            audit.ok
              ? `Audit trail intact: ${audit.entries} entries.`
              : `Audit trail BROKEN at entry ${audit.brokenAt?.seq}: ${audit.brokenAt?.reason}.`,
          ]
        : []),
    ].join('\n');
    return {
      exit: audit && !audit.ok ? EXIT.INFRA : EXIT.OK,
      human,
      json: {
        ...summary,
        emailDeliveryIds: undefined,
        days,
        ...(audit ? { audit } : {}),
      },
    };
  });
}

export async function backup(file: string, o: { force?: boolean; json?: boolean }): Promise<CommandOutcome> {
  const source = embeddedSqlitePath('lifeline backup copies');
  const destination = resolve(file);
  if (existsSync(destination) && !o.force) {
    throw new LifelineError('USAGE', `${destination} exists; choose another file or add --force`);
  }
  await databaseFiles.backup(source, destination);
  const facts = await databaseFiles.inspect(destination);
  return {
    exit: facts.audit.ok ? EXIT.OK : EXIT.INFRA,
    human:
      `Backup written: ${destination} (${facts.bytes} bytes, ${facts.requests} requests, ${facts.licenses} licenses, ` +
      `audit trail ${facts.audit.ok ? `intact: ${facts.audit.entries} entries` : `BROKEN at entry ${facts.audit.brokenAt?.seq}`}).`,
    json: { file: destination, source, ...facts },
  };
}

export async function restore(file: string, o: { force?: boolean; json?: boolean }): Promise<CommandOutcome> {
  const target = embeddedSqlitePath('lifeline restore replaces');
  const source = resolve(file);
  const facts = await databaseFiles.inspect(source);
  if (!facts.audit.ok) {
    throw new LifelineError(
      'VALIDATION_FAILED',
      `${source}: its audit trail is broken at entry ${facts.audit.brokenAt?.seq} (${facts.audit.brokenAt?.reason}); not restored`,
    );
  }
  if (resolve(target) === source) throw new LifelineError('USAGE', 'the backup is the database itself');
  const current = databaseFiles.describe(target);
  if (!o.force && (current.rows > 0 || current.inUse)) {
    throw new LifelineError(
      'INVALID_STATE',
      current.rows > 0
        ? `${target} already holds data (${current.rows} requests and API tokens); stop every lifeline process, then add --force to replace it`
        : `${target} seems to be in use (it has a write-ahead log); stop every lifeline process, then add --force`,
    );
  }
  await databaseFiles.restore(source, target);
  const restored = await databaseFiles.inspect(target);
  return {
    exit: restored.audit.ok ? EXIT.OK : EXIT.INFRA,
    human:
      `Restored ${source} into ${target}: ${restored.requests} requests, ${restored.licenses} licenses, ` +
      `audit trail ${restored.audit.ok ? `intact: ${restored.audit.entries} entries` : 'BROKEN'}. Pending migrations run on the next start.`,
    json: { file: source, target, replaced: current.exists, ...restored },
  };
}
