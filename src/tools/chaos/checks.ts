/**
 * After the load: the outbox drained (bounded), then the figures read from the database, the
 * stand-ins and `lifeline audit verify`, and checked: nothing lost, nothing repeated, all delivered.
 */
import { execFileSync } from 'node:child_process';
import { ok, type LoadClient } from './load.js';
import { log, sleep } from './log.js';
import type { Options } from './options.js';
import { query } from './postgres.js';
import type { Supervised } from './processes.js';
import { BIN, type Cluster } from './setup.js';

export type Check = (condition: boolean, what: string) => void;

async function pendingDeliveries(url: string): Promise<number> {
  try {
    const rows = await query<{ n: string }>(
      url,
      `select count(*) as n from deliveries where status in ('queued', 'claimed', 'sending')`,
    );
    return Number(rows[0]?.n ?? NaN);
  } catch {
    return NaN;
  }
}

/** Waits (at most `drainSeconds`) for the outbox to empty; returns how many deliveries are left. */
export async function drainOutbox(options: Options, pgUrl: string): Promise<number> {
  const drainStart = Date.now();
  let pending = await pendingDeliveries(pgUrl);
  while (!(pending === 0) && Date.now() - drainStart < options.drainSeconds * 1000) {
    await sleep(2_000);
    pending = await pendingDeliveries(pgUrl);
  }
  log(`outbox: ${pending} pending after ${((Date.now() - drainStart) / 1000).toFixed(0)} s of draining`);
  return pending;
}

export function tally<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export type Findings = Awaited<ReturnType<typeof collectFindings>>;

/** The run's figures: the calls' answers, the database's rows, what the stand-ins received, the audit. */
export async function collectFindings(cluster: Cluster, client: LoadClient) {
  const { postgres, peers, env } = cluster;
  const pgUrl = postgres.url;
  const { attempts } = client;
  const byStatus = tally(attempts, (a) => (a.status === null ? 'error' : String(a.status)));
  const accepted = attempts.filter(ok);
  const ackedTickets = new Map<string, Set<string>>();
  for (const a of accepted) {
    const ids = ackedTickets.get(a.ticket) ?? new Set<string>();
    ids.add(a.id ?? '?');
    ackedTickets.set(a.ticket, ids);
  }
  const created201 = tally(
    attempts.filter((a) => a.status === 201),
    (a) => a.ticket,
  );
  const twiceCreated = [...created201].filter(([, n]) => n > 1).map(([t]) => t);
  const idsDisagree = [...ackedTickets].filter(([, ids]) => ids.size !== 1).map(([t]) => t);
  const unexpected = attempts.filter((a) => a.status !== null && !ok(a) && a.status < 500);

  const requests = await query<{
    id: string;
    ticket_id: string;
    status: string;
    licenses: string;
    deliveries: string;
  }>(
    pgUrl,
    `select r.id, r.ticket_id, r.status,
            (select count(*) from licenses l where l.request_id = r.id) as licenses,
            (select count(*) from deliveries d where d.request_id = r.id and d.purpose = 'issue') as deliveries
       from requests r`,
  );
  const issuedRows = requests.filter((r) => r.status === 'issued');
  // The invariant is one non-void license per ticket (a replace voids the license it replaces).
  const licensesPerTicket = tally(
    requests
      .filter((r) => r.status !== 'voided')
      .flatMap((r) => Array.from({ length: Number(r.licenses) }, () => r.ticket_id)),
    (t) => t,
  );
  const duplicateLicenses = [...licensesPerTicket].filter(([, n]) => n > 1).map(([t]) => t);
  const licenseCount = Number(
    (await query<{ n: string }>(pgUrl, 'select count(*) as n from licenses'))[0]?.n,
  );
  const rowById = new Map(requests.map((r) => [r.id, r]));
  const missing: string[] = [];
  for (const [ticket, ids] of ackedTickets) {
    for (const id of ids) {
      const row = rowById.get(id);
      if (
        !row ||
        row.ticket_id !== ticket ||
        row.status !== 'issued' ||
        row.licenses !== '1' ||
        row.deliveries !== '4'
      ) {
        missing.push(`${ticket}→${id}`);
      }
    }
  }
  const incomplete = issuedRows.filter((r) => r.licenses !== '1' || r.deliveries !== '4').map((r) => r.id);

  const deliveries = await query<{
    id: string;
    request_id: string;
    channel: string;
    purpose: string;
    status: string;
  }>(pgUrl, 'select id, request_id, channel, purpose, status from deliveries');
  const deliveryStatus = tally(deliveries, (d) => d.status);
  const retriedDeliveries = await query<{ channel: string; n: string; attempts: string }>(
    pgUrl,
    `select channel, count(*) as n, sum(attempts) as attempts from deliveries where attempts > 1 group by channel`,
  );
  const retried =
    retriedDeliveries.map((r) => `${r.channel} ${r.n} (${r.attempts} attempts)`).join(', ') || 'none';
  const deliveryDetail = tally(deliveries, (d) => `${d.channel}/${d.purpose}:${d.status}`);
  const issuesPerRequest = tally(peers.gitlabIssues, (i) => i.requestId);
  const duplicateIssues = [...issuesPerRequest].filter(([, n]) => n > 1).map(([r]) => r);
  const trackerSentWithoutIssue = deliveries.filter(
    (d) =>
      d.channel === 'tracker' &&
      d.purpose === 'issue' &&
      d.status === 'sent' &&
      !issuesPerRequest.has(d.request_id),
  );
  const emailsById = tally(peers.emails, (m) => m);
  const duplicateEmails = [...emailsById].filter(([, n]) => n > 1).map(([m]) => m);
  const sentEmailsMissing = deliveries.filter(
    (d) => d.channel === 'email' && d.status === 'sent' && !emailsById.has(`<${d.id}@lifeline>`),
  );
  const perTicket = (t: string): string => /tickets\/(\d+)/.exec(t)?.[1] ?? t;
  const duplicatePosts = [...tally(peers.slackPosts, perTicket)].filter(([, n]) => n > 1);
  const duplicateNotes = [...tally(peers.zendeskNotes, (t) => t)].filter(([, n]) => n > 1);
  // Follow-ups (a post or note written while the email was on its way): at most one per ticket.
  const duplicateReplies = [...tally(peers.slackReplies, perTicket)].filter(([, n]) => n > 1);
  const duplicateFollowUpNotes = [...tally(peers.zendeskFollowUps, (t) => t)].filter(([, n]) => n > 1);

  const audit = (() => {
    try {
      const out = execFileSync(process.execPath, [BIN, 'audit', 'verify', '--json'], {
        env,
        encoding: 'utf8',
      });
      return { exit: 0, result: JSON.parse(out) as { ok: boolean; entries: number } };
    } catch (error) {
      const e = error as { status?: number; stdout?: string };
      return { exit: e.status ?? -1, result: null, output: e.stdout ?? String(error) };
    }
  })();

  return {
    byStatus,
    accepted,
    ackedTickets,
    twiceCreated,
    idsDisagree,
    unexpected,
    issuedRows,
    duplicateLicenses,
    licenseCount,
    missing,
    incomplete,
    deliveries,
    deliveryStatus,
    retriedDeliveries,
    retried,
    deliveryDetail,
    duplicateIssues,
    trackerSentWithoutIssue,
    duplicateEmails,
    sentEmailsMissing,
    duplicatePosts,
    duplicateNotes,
    duplicateReplies,
    duplicateFollowUpNotes,
    audit,
  };
}

/**
 * /metrics (when the build has it), scraped every 10 s during the run and once after the drain: its
 * issued count must agree with the database and never go down. Returns the line for the report.
 */
export function compareMetrics(
  finalMetrics: string | null,
  samples: readonly string[],
  issuedInDb: number,
  check: Check,
): string {
  const issuedValue = (text: string): number | null => {
    const line = text.split('\n').find((l) => /^lifeline_\w*licen[cs]es?_issued\w*(\{[^}]*\})?\s+\d/.test(l));
    return line ? Number(line.trim().split(/\s+/).at(-1)) : null;
  };
  let metrics: string;
  if (finalMetrics === null && samples.length === 0) {
    metrics = 'no /metrics endpoint answered: not compared';
  } else if (finalMetrics === null) {
    metrics = '/metrics answered during the run but not after the drain';
    check(false, metrics);
  } else {
    const value = issuedValue(finalMetrics);
    const during = samples.map(issuedValue).filter((v): v is number => v !== null);
    const monotone = during.every((v, i) => i === 0 || v >= during[i - 1]!);
    if (value === null) {
      metrics = '/metrics has no lifeline_*licenses_issued* series: not compared';
    } else {
      metrics =
        `/metrics says ${value} issued after the drain, the database ${issuedInDb}; ` +
        `${during.length} scrapes during the run (${during.join(', ')})`;
      check(value === issuedInDb, `/metrics issued count agrees with the database (${metrics})`);
      check(monotone && during.every((v) => v <= value), '/metrics issued count never went down');
    }
  }
  return metrics;
}

/** The run's invariants, each a check that names what failed. */
export function checkFindings(
  f: Findings,
  client: LoadClient,
  pending: number,
  processes: readonly Supervised[],
  check: Check,
): void {
  const { attempts, bodies } = client;
  check(attempts.length > 0 && f.accepted.length > 0, 'requests were accepted');
  const internalErrors = attempts.filter((a) => a.status === 500);
  check(
    internalErrors.length === 0,
    `no 500 answers: an unreachable database answers 503 (${internalErrors.length}: ${internalErrors[0]?.error ?? ''})`,
  );
  const some = (list: readonly string[]): string => list.slice(0, 5).join(', ');
  check(f.twiceCreated.length === 0, `no ticket answered 201 twice (${some(f.twiceCreated)})`);
  check(f.idsDisagree.length === 0, `every 2xx for a ticket names the same record (${some(f.idsDisagree)})`);
  check(
    f.duplicateLicenses.length === 0,
    `at most one non-void license per ticket (${some(f.duplicateLicenses)})`,
  );
  check(
    f.licenseCount === f.issuedRows.length,
    `as many licenses (${f.licenseCount}) as issued requests (${f.issuedRows.length})`,
  );
  check(f.missing.length === 0, `every acknowledged request is stored complete (${some(f.missing)})`);
  check(
    f.incomplete.length === 0,
    `every issued request has its license and 4 deliveries (${some(f.incomplete)})`,
  );
  check(
    f.ackedTickets.size === bodies.size,
    `every ticket acknowledged in the end (${f.ackedTickets.size}/${bodies.size})`,
  );
  check(
    f.unexpected.length === 0,
    `no unexpected 4xx (${f.unexpected
      .slice(0, 3)
      .map((a) => `${a.status} ${a.error}`)
      .join('; ')})`,
  );
  check(f.duplicateIssues.length === 0, `at most one tracker issue per request (${some(f.duplicateIssues)})`);
  check(
    f.trackerSentWithoutIssue.length === 0,
    'every tracker delivery recorded sent has its issue at the GitLab stand-in',
  );
  check(f.duplicateEmails.length === 0, `no email received twice (${some(f.duplicateEmails)})`);
  check(
    f.sentEmailsMissing.length === 0,
    `every email recorded sent was received (${f.sentEmailsMissing.length} not)`,
  );
  check(f.duplicatePosts.length === 0, 'at most one Slack post per ticket');
  check(f.duplicateNotes.length === 0, 'at most one Zendesk note per ticket');
  check(
    f.duplicateReplies.length === 0 && f.duplicateFollowUpNotes.length === 0,
    'at most one follow-up per ticket on Slack and on Zendesk',
  );
  check(pending === 0, `the outbox drained (${pending} pending)`);
  check(
    f.audit.exit === 0 && f.audit.result?.ok === true,
    `lifeline audit verify passes (exit ${f.audit.exit})`,
  );
  check(
    processes.every((p) => p.stats.startFailures <= 10),
    'no process failed to start more than 10 times',
  );
  const crashes = crashesOf(processes);
  check(
    crashes.length === 0,
    `no process exited by itself (${crashes.map((c) => `${c.name}: code ${c.code}`).join('; ')})`,
  );
}

/** The exits nobody asked for, with the process's name. */
export function crashesOf(processes: readonly Supervised[]) {
  return processes.flatMap((p) => p.stats.unexpectedExits.map((e) => ({ name: p.stats.name, ...e })));
}
