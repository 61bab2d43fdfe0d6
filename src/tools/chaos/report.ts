/** The chaos run's report: a summary for people, then `CHAOS-SUMMARY {json}` for scripts (the test reads it). */
import { crashesOf, type Findings } from './checks.js';
import type { Fault } from './faults.js';
import type { AskedAgain, LoadClient } from './load.js';
import { started } from './log.js';
import type { Options } from './options.js';
import type { Supervised } from './processes.js';
import type { Cluster } from './setup.js';

export interface Outcome {
  faults: readonly Fault[];
  client: LoadClient;
  asked: AskedAgain;
  findings: Findings;
  pending: number;
  metrics: string;
  processes: readonly Supervised[];
  failures: readonly string[];
}

export function report(options: Options, { postgres, peers }: Cluster, outcome: Outcome): void {
  const { faults, client, asked, findings: f, pending, metrics, processes, failures } = outcome;
  const { attempts, bodies } = client;
  const summary = {
    seed: options.seed,
    quick: options.quick,
    privatePostgres: { port: postgres.port, dir: postgres.dir },
    loadSeconds: options.loadSeconds,
    rate: options.rate,
    faults: faults.map((fault) => ({ atMs: fault.atMs, what: fault.what.replace(' (pid {pid})', '') })),
    calls: attempts.length,
    callsByStatus: Object.fromEntries(f.byStatus),
    tickets: bodies.size,
    requestsAccepted: f.accepted.length,
    ticketsAcknowledged: f.ackedTickets.size,
    repeatedCalls: attempts.filter((a) => a.phase === 'repeat').length,
    twinCalls: attempts.filter((a) => a.phase === 'twin').length,
    unansweredThenAskedAgain: asked.unanswered.length,
    retriedCreated: asked.retriedCreated,
    retriedFoundStored: asked.retriedFoundStored,
    retriedStillFailing: asked.retriedStillFailing,
    licensesIssuedInDb: f.licenseCount,
    issuedRequestsInDb: f.issuedRows.length,
    duplicateLicenses: f.duplicateLicenses.length,
    ticketsCreatedTwice: f.twiceCreated.length,
    acknowledgedMissingOrIncomplete: f.missing.length,
    gitlabIssues: peers.gitlabIssues.length,
    duplicateTrackerIssues: f.duplicateIssues.length,
    deliveries: Object.fromEntries(f.deliveryStatus),
    deliveriesByChannel: Object.fromEntries([...f.deliveryDetail].sort()),
    pendingAfterDrain: pending,
    deliveriesTriedMoreThanOnce: Object.fromEntries(f.retriedDeliveries.map((r) => [r.channel, Number(r.n)])),
    emailsReceived: peers.emails.length,
    duplicateEmails: f.duplicateEmails.length,
    slackPosts: peers.slackPosts.length,
    slackReplies: peers.slackReplies.length,
    zendeskNotes: peers.zendeskNotes.length,
    zendeskFollowUps: peers.zendeskFollowUps.length,
    gitlabNotes: peers.gitlabNotes,
    auditVerify: f.audit.result ?? { exit: f.audit.exit },
    metrics,
    processes: processes.map((p) => ({
      name: p.stats.name,
      starts: p.stats.starts,
      killed: p.stats.killed,
      unexpectedExits: p.stats.unexpectedExits.length,
      startFailures: p.stats.startFailures,
      workerBackoffs: p.stats.workerBackoffs,
      workerRecoveries: p.stats.workerRecoveries,
    })),
    failures,
    seconds: Math.round((Date.now() - started) / 1000),
  };

  const { audit, deliveryStatus } = f;
  const lines = [
    '',
    `──────── chaos summary (seed ${options.seed}${options.quick ? ', quick' : ''}, ${summary.seconds} s) ────────`,
    `faults            ${summary.faults.map((fault) => `${(fault.atMs / 1000).toFixed(1)}s ${fault.what}`).join('; ')}`,
    `calls             ${attempts.length} (${[...f.byStatus].map(([s, n]) => `${s}: ${n}`).join(', ')}); ${summary.repeatedCalls} repeats, ${summary.twinCalls} twin calls`,
    `accepted (2xx)    ${f.accepted.length} calls; ${f.ackedTickets.size} of ${bodies.size} tickets acknowledged`,
    `asked again       ${asked.unanswered.length} tickets without an answer: ${asked.retriedCreated} issued then, ${asked.retriedFoundStored} found stored, ${asked.retriedStillFailing} still failing`,
    `licenses (DB)     ${f.licenseCount} licenses, ${f.issuedRows.length} issued requests`,
    `duplicates        ${f.duplicateLicenses.length} tickets with >1 license, ${f.twiceCreated.length} tickets answered 201 twice, ${f.duplicateIssues.length} requests with >1 GitLab issue, ${f.duplicateEmails.length} emails received twice`,
    `acknowledged      ${f.missing.length} acknowledged requests missing or incomplete in the DB`,
    `deliveries        ${f.deliveries.length}: sent ${deliveryStatus.get('sent') ?? 0}, failed ${deliveryStatus.get('failed') ?? 0}, unknown ${deliveryStatus.get('unknown') ?? 0}, pending ${pending} after the drain; tried more than once: ${f.retried}`,
    `peers             ${peers.emails.length} emails, ${peers.gitlabIssues.length} GitLab issues (+${peers.gitlabNotes} notes), ${peers.slackPosts.length} Slack posts (+${peers.slackReplies.length} follow-ups), ${peers.zendeskNotes.length} Zendesk notes (+${peers.zendeskFollowUps.length} follow-ups)`,
    `audit verify      ${audit.result ? `ok=${audit.result.ok}, ${audit.result.entries} entries` : `exit ${audit.exit}`}`,
    `metrics           ${metrics}`,
    `processes         ${summary.processes.map((p) => `${p.name}: ${p.starts} starts, ${p.killed} killed, ${p.unexpectedExits} crashes, ${p.startFailures} failed starts, ${p.workerBackoffs} DB back-offs`).join('; ')}`,
    failures.length === 0
      ? 'RESULT            PASS'
      : `RESULT            FAIL\n  - ${failures.join('\n  - ')}`,
  ];
  for (const c of crashesOf(processes)) lines.push(`  ${c.name} exited with code ${c.code}:\n${c.tail}`);
  process.stdout.write(`${lines.join('\n')}\nCHAOS-SUMMARY ${JSON.stringify(summary)}\n`);
}
