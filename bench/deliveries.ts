/**
 * How long a customer waits: the time from the issue call to the license email accepted by an SMTP
 * server, and to all four deliveries (email, GitLab issue, Slack post, Zendesk note) recorded sent,
 * with every peer on loopback (bench/peers.ts). Everything runs in this one process, as `lifeline
 * serve` would run it: the app built by createApp(loadConfig(env)) on a temporary SQLite data dir
 * with a fresh RSA-2048 key, and the delivery worker (runWorker, polling every POLL_MS) beside the
 * issuers, so issuing and delivering share one event loop and one database.
 *
 * Two runs, each on its own fresh data dir: SEQUENTIAL_LICENSES issue calls one after the other at a
 * steady pace (one started every PACE_MS), then CONCURRENT_LICENSES calls from CONCURRENCY issuers
 * back to back — a burst faster than the worker delivers, so its figures include the queue. Each
 * run first issues WARMUP licenses and waits for their deliveries (connections opened, code warm);
 * they are not counted.
 *
 *   t0       performance.now() just before issueEmergencyLicense
 *   email    the SMTP server has the whole message (end of DATA, before its 250 reply), found by the
 *            recipient address, unique per license
 *   all four the worker reports the last of the request's four deliveries `sent` (runWorker's
 *            onResult, called when the worker's batch is done: up to a few ms after the record)
 *
 * The worker's poll interval bounds the latency from below when it is idle: a license issued just
 * after a poll waits up to POLL_MS to be claimed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_WORKER_SETTINGS } from '../src/core/deliveries/worker.js';
import type { CalendarDate } from '../src/core/dates.js';
import { issueEmergencyLicense, type IssueInput } from '../src/core/issuance/index.js';
import { runWorker, type WorkerSummary } from '../src/interfaces/worker/run-worker.js';
import { GITLAB_PROJECT, startBenchPeers, type BenchPeers } from './peers.js';
import { formatRate, type BenchSection, type BenchSettings, type SectionResult } from './report.js';
import { unwrap } from '../src/core/outcome.js';

/** Licenses measured in the paced sequential run, and in the concurrent run. */
const SEQUENTIAL_LICENSES = 100;
const CONCURRENT_LICENSES = 200;
/** Licenses issued and delivered before each run's measurement, not counted. */
const WARMUP = 5;
/**
 * Sequential run: one issue call started every PACE_MS (the next starts at once if one runs late).
 * Slow enough for the worker to keep up, so the figures are latency rather than a growing backlog:
 * each license costs six or seven SQLite commits, each awaiting the group commit's WAL fdatasync.
 */
const PACE_MS = 100;
/** Concurrent run: issuers calling back to back. */
const CONCURRENCY = 8;
/** The worker's longest sleep between polls when nothing is due. */
const POLL_MS = 10;
/** A run gives up waiting for its deliveries after this long. */
const DRAIN_TIMEOUT_MS = 20_000;
const TODAY = '2026-11-28' as CalendarDate;

interface Stats {
  count: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of milliseconds. */
function stats(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

interface Issued {
  email: string;
  t0: number;
  /** When issueEmergencyLicense returned. */
  t1: number;
  deliveryIds: string[];
}

interface RunResult {
  label: string;
  licenses: number;
  concurrency: number;
  paceMs: number | null;
  /** Issue calls per second, from the first call's start to the last call's return. */
  issueCallsPerSecond: number;
  issueCallMs: Stats | null;
  issueToEmailMs: Stats | null;
  issueToAllFourMs: Stats | null;
  /** Licenses whose four deliveries were not all recorded sent within DRAIN_TIMEOUT_MS. */
  incomplete: number;
  /** From the first issue call to the last delivery recorded. */
  wallSeconds: number;
  /** Process CPU time over wall time during the run (issuers, worker and peers all in this process). */
  cpuShare: number;
  worker: WorkerSummary;
  /** Errors of deliveries that were retried or failed (first few). */
  deliveryErrors: string[];
}

function envFor(peers: BenchPeers, dataDir: string, keyFile: string): Record<string, string> {
  return {
    LIFELINE_DATA_DIR: dataDir,
    LIFELINE_ALLOW_PINNED_DATES: 'true',
    LIFELINE_SIGNING_KEY_FILE: keyFile,
    MAIL_TRANSPORT: 'smtp',
    SMTP_URL: peers.smtpUrl,
    MAIL_FROM: 'Lifeline <lifeline@support.example>',
    MAIL_REPLY_TO: 'support@support.example',
    TRACKER: 'gitlab',
    GITLAB_URL: peers.httpUrl,
    GITLAB_TOKEN: 'glpat-bench-token',
    GITLAB_PROJECT,
    CHAT: 'slack',
    SLACK_TOKEN: 'xoxb-bench-token',
    SLACK_CHANNEL: '#support_licensing-subscription',
    SLACK_API_URL: `${peers.httpUrl}/api/`,
    TICKETS: 'zendesk',
    ZENDESK_URL: peers.httpUrl,
    ZENDESK_EMAIL: 'agent@support.example',
    ZENDESK_API_TOKEN: 'zd-bench-token',
  };
}

/** An eligible request with typed evidence: premium, expired 14 days before TODAY. */
function input(ticket: number): IssueInput {
  return {
    request: {
      ticketId: String(ticket),
      requesterEmail: `ops@customer${ticket}.example`,
      seats: 120,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: 100,
    },
    actor: { name: 'bench', role: 'engineer' },
    today: TODAY,
  };
}

async function issueOne(app: App, ticket: number): Promise<Issued> {
  const request = input(ticket);
  const t0 = performance.now();
  const outcome = unwrap(await issueEmergencyLicense(request, app.ports, app.settings));
  const t1 = performance.now();
  if (outcome.kind !== 'issued') {
    throw new Error(`ticket ${ticket}: expected the license to be issued, got ${outcome.kind}`);
  }
  const email = String(request.request.requesterEmail).toLowerCase();
  return { email, t0, t1, deliveryIds: outcome.view.deliveries.map((d) => d.id) };
}

/** Issues `tickets` with `concurrency` issuers; with `paceMs`, call i starts no earlier than i × paceMs. */
async function issueAll(
  app: App,
  tickets: readonly number[],
  concurrency: number,
  paceMs: number | null,
): Promise<Issued[]> {
  const issued: Issued[] = [];
  let next = 0;
  const start = performance.now();
  const issuer = async (): Promise<void> => {
    while (next < tickets.length) {
      const i = next++;
      if (paceMs !== null) {
        const wait = start + i * paceMs - performance.now();
        if (wait > 0) await sleep(wait);
      }
      issued.push(await issueOne(app, tickets[i] as number));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, issuer));
  return issued;
}

async function run(
  peers: BenchPeers,
  keyPem: string,
  label: string,
  firstTicket: number,
  licenses: number,
  concurrency: number,
  paceMs: number | null,
  log: (message: string) => void,
): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-bench-dlv-'));
  const keyFile = join(dataDir, 'signing.pem');
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  const app = await createApp(loadConfig(envFor(peers, dataDir, keyFile)));
  const sentAt = new Map<string, number>();
  const deliveryErrors: string[] = [];
  const stop = new AbortController();
  const worker = runWorker(app, {
    signal: stop.signal,
    pollMs: POLL_MS,
    onResult: (r) => {
      if (r.status === 'sent') sentAt.set(r.id, performance.now());
      else if (r.error && deliveryErrors.length < 10)
        deliveryErrors.push(`${r.channel} ${r.status}: ${r.error}`);
    },
  });
  const allSent = (batch: readonly Issued[]): boolean =>
    batch.every((l) => l.deliveryIds.every((id) => sentAt.has(id)));
  const waitForDeliveries = async (batch: readonly Issued[]): Promise<void> => {
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (!allSent(batch) && performance.now() < deadline) await sleep(5);
  };

  try {
    const warm = await issueAll(
      app,
      Array.from({ length: WARMUP }, (_, i) => firstTicket + i),
      1,
      paceMs,
    );
    await waitForDeliveries(warm);
    if (!allSent(warm)) throw new Error(`${label}: the warm-up deliveries did not finish`);

    log(
      `deliveries: ${label}: ${licenses} licenses, ${concurrency} issuer(s)` +
        (paceMs === null ? ', back to back' : `, one every ${paceMs} ms`),
    );
    const tickets = Array.from({ length: licenses }, (_, i) => firstTicket + WARMUP + i);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const issued = await issueAll(app, tickets, concurrency, paceMs);
    const issuedBy = Math.max(...issued.map((l) => l.t1));
    await waitForDeliveries(issued);
    const cpuUsed = process.cpuUsage(cpu);

    const toEmail: number[] = [];
    const toAll: number[] = [];
    let incomplete = 0;
    let lastRecorded = issuedBy;
    for (const l of issued) {
      const email = peers.emailAcceptedAt.get(l.email);
      if (email !== undefined) toEmail.push(email - l.t0);
      const times = l.deliveryIds.map((id) => sentAt.get(id));
      if (l.deliveryIds.length !== 4 || times.some((t) => t === undefined)) {
        incomplete++;
        continue;
      }
      const last = Math.max(...(times as number[]));
      lastRecorded = Math.max(lastRecorded, last);
      toAll.push(last - l.t0);
    }
    const wall = (lastRecorded - started) / 1000;
    stop.abort();
    const summary = await worker;
    return {
      label,
      licenses: issued.length,
      concurrency,
      paceMs,
      issueCallsPerSecond: issued.length / ((issuedBy - started) / 1000),
      issueCallMs: stats(issued.map((l) => l.t1 - l.t0)),
      issueToEmailMs: stats(toEmail),
      issueToAllFourMs: stats(toAll),
      incomplete,
      wallSeconds: wall,
      cpuShare: (cpuUsed.user + cpuUsed.system) / 1e6 / ((performance.now() - started) / 1000),
      worker: summary,
      deliveryErrors,
    };
  } finally {
    stop.abort();
    await worker.catch(() => undefined);
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(1));

/** fsync latency where the data dirs go: every SQLite commit pays one. */
function fsyncProbe(): Stats {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-bench-fsync-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const block = Buffer.alloc(4096, 120);
  const times: number[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      writeSync(fd, block);
      const t = performance.now();
      fsyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  return stats(times) as Stats;
}

async function runSection(s: BenchSettings): Promise<SectionResult> {
  const loadBefore = loadavg();
  s.log('deliveries: generating an RSA-2048 key; starting the SMTP and HTTP peers on loopback');
  const keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  const fsync = fsyncProbe();
  const peers = await startBenchPeers();
  let runs: RunResult[];
  try {
    const sequential = await run(
      peers,
      keyPem,
      'sequential',
      100_000,
      SEQUENTIAL_LICENSES,
      1,
      PACE_MS,
      s.log,
    );
    const concurrent = await run(
      peers,
      keyPem,
      `${CONCURRENCY} concurrent`,
      200_000,
      CONCURRENT_LICENSES,
      CONCURRENCY,
      null,
      s.log,
    );
    runs = [sequential, concurrent];
  } finally {
    await peers.close();
  }

  const columns = [
    'measure',
    `sequential, 1 call every ${PACE_MS} ms`,
    `${CONCURRENCY} issuers, back to back`,
  ];
  const row = (label: string, cell: (r: RunResult) => string): string[] => [label, ...runs.map(cell)];
  const rows = [
    row('licenses measured', (r) => String(r.licenses)),
    row('issue calls/s', (r) => formatRate(r.issueCallsPerSecond)),
    row('issue call p50 ms', (r) => ms(r.issueCallMs?.p50)),
    row('issue call p95 ms', (r) => ms(r.issueCallMs?.p95)),
    row('issue → email accepted p50 ms', (r) => ms(r.issueToEmailMs?.p50)),
    row('issue → email accepted p95 ms', (r) => ms(r.issueToEmailMs?.p95)),
    row('issue → email accepted max ms', (r) => ms(r.issueToEmailMs?.max)),
    row('issue → all four sent p50 ms', (r) => ms(r.issueToAllFourMs?.p50)),
    row('issue → all four sent p95 ms', (r) => ms(r.issueToAllFourMs?.p95)),
    row('issue → all four sent max ms', (r) => ms(r.issueToAllFourMs?.max)),
    row('licenses fully delivered/s', (r) => formatRate(r.licenses / r.wallSeconds)),
    row('deliveries re-queued', (r) => String(r.worker.retried)),
  ];
  const problems = runs.flatMap((r) => [
    ...(r.incomplete > 0
      ? [
          `WARNING: ${r.label}: ${r.incomplete} licenses without all four deliveries sent after ${DRAIN_TIMEOUT_MS / 1000} s`,
        ]
      : []),
    ...(r.worker.failed + r.worker.unknown > 0
      ? [`WARNING: ${r.label}: ${r.worker.failed} deliveries failed, ${r.worker.unknown} unknown`]
      : []),
    ...(r.issueToEmailMs === null || r.issueToEmailMs.count < r.licenses
      ? [`WARNING: ${r.label}: only ${r.issueToEmailMs?.count ?? 0} emails reached the SMTP server`]
      : []),
    ...r.deliveryErrors.slice(0, 3).map((e) => `${r.label}: delivery re-queued or failed — ${e}`),
  ]);
  const unexpected = peers.counts['unexpected'] ?? 0;

  return {
    columns,
    rows,
    targets: [],
    notes: [
      `worker in the same process: runWorker polling every ${POLL_MS} ms when idle (an idle worker adds up to ` +
        `${POLL_MS} ms before a new license's deliveries are claimed), batches of ${DEFAULT_WORKER_SETTINGS.batchSize}; ` +
        'SQLite on a temporary data dir; RSA-2048 key',
      `email accepted = end of DATA at the loopback SMTP server; all four sent = the worker's report of the last ` +
        'of email, GitLab issue (search, create, close), Slack post and Zendesk note recorded sent',
      `each run: ${WARMUP} warm-up licenses first (not counted); the issue call includes Zendesk's screenshot ` +
        'count (GET comments) and the SQLite transaction',
      ...runs.map(
        (r) =>
          `${r.label}: ${r.wallSeconds.toFixed(1)} s from the first call to the last delivery, CPU share ` +
          `${r.cpuShare.toFixed(2)} of one core; worker sent ${r.worker.sent}, re-queued ${r.worker.retried}`,
      ),
      `peer requests: ${Object.entries(peers.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      `fsync of a 4 KiB write in ${tmpdir()}: p50 ${ms(fsync.p50)} ms, p95 ${ms(fsync.p95)} ms ` +
        '(each SQLite write awaits the group commit: an fdatasync of the WAL on the thread pool, shared by concurrent writes)',
      `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
      ...(unexpected > 0 ? [`WARNING: ${unexpected} requests to routes the peers do not serve`] : []),
      ...problems,
    ],
    json: {
      settings: {
        sequentialLicenses: SEQUENTIAL_LICENSES,
        concurrentLicenses: CONCURRENT_LICENSES,
        fsyncMs: fsync,
        warmupLicenses: WARMUP,
        paceMs: PACE_MS,
        concurrency: CONCURRENCY,
        workerPollMs: POLL_MS,
        workerBatchSize: DEFAULT_WORKER_SETTINGS.batchSize,
        drainTimeoutMs: DRAIN_TIMEOUT_MS,
        today: TODAY,
        store: 'sqlite',
        keyBits: 2048,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadavg(),
      },
      runs,
      peerRequests: { ...peers.counts },
    },
  };
}

export const deliveriesBench: BenchSection = {
  name: 'deliveries',
  title: 'Time from the issue call to the email accepted, and to all four deliveries, with local peers',
  run: runSection,
};
