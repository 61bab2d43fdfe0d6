/**
 * `npm run chaos` — Lifeline under faults, end to end (PRODUCT.md §6, §7, §9 "More than one machine").
 *
 * Starts a PRIVATE PostgreSQL cluster (a temporary directory, a free port; never the machine's shared
 * server), loopback SMTP/GitLab/Slack/Zendesk stand-ins, and 2 `lifeline serve` + 2 `lifeline worker`
 * processes from the built CLI (all four migrating the fresh database at once). A client issues
 * licenses over HTTP at a steady rate with an engineer token through both servers: distinct tickets,
 * some repeated tickets, and some tickets sent to both servers at the same moment. Meanwhile, at
 * seeded random moments: kill -9 of a server and of a worker (each restarted), one PostgreSQL restart,
 * and the SMTP stand-in stopped for a while. Then the load stops, requests that got no answer are
 * asked again (as a person would), the outbox drains (bounded), and the figures are printed and
 * checked: no ticket with two licenses, no request with two tracker issues, every acknowledged
 * request stored complete, no email/post/note repeated, every delivery finished, `lifeline audit
 * verify` passes. Exit 0 when every check holds, 1 otherwise, 2 on a usage error.
 *
 *   node dist/src/tools/chaos/main.js [--quick] [--seed N] [--load-seconds S] [--rate R]
 *
 * The last line is `CHAOS-SUMMARY {json}` for scripts (test/chaos/chaos.test.ts reads it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startChaosPeers, type ChaosPeers } from './peers.js';
import { freePort, startPrivatePostgres, type PrivatePostgres } from './postgres.js';
import { Supervised } from './processes.js';
import { seededRandom } from '../seeded-random.js';

// dist/src/tools/chaos/main.js → the repository root (bin/lifeline.js launches the bundled CLI in dist/cli).
const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'lifeline.js');

interface Options {
  quick: boolean;
  seed: number;
  loadSeconds: number;
  rate: number;
  serverKills: number;
  workerKills: number;
  smtpDownSeconds: number;
  leaseSeconds: number;
  drainSeconds: number;
  /** The whole run is abandoned (and fails) after this long. */
  deadlineSeconds: number;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string): number | undefined => {
    const i = argv.indexOf(name);
    if (i === -1) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} needs a non-negative number`);
    return n;
  };
  for (const arg of argv) {
    if (arg.startsWith('--') && !['--quick', '--seed', '--load-seconds', '--rate'].includes(arg))
      throw new Error(`unknown option ${arg} (use --quick, --seed N, --load-seconds S, --rate R)`);
  }
  return {
    quick,
    seed: Math.floor(value('--seed') ?? Date.now() % 1_000_000),
    loadSeconds: value('--load-seconds') ?? (quick ? 40 : 240),
    rate: value('--rate') ?? 4,
    serverKills: quick ? 1 : 2,
    workerKills: quick ? 1 : 2,
    smtpDownSeconds: quick ? 12 : 60,
    leaseSeconds: quick ? 15 : 30,
    drainSeconds: quick ? 100 : 200,
    deadlineSeconds: quick ? 240 : 570,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
const log = (line: string): void => {
  process.stdout.write(`[${elapsed()}] ${line}\n`);
};

interface Attempt {
  ticket: string;
  server: number;
  phase: 'load' | 'repeat' | 'twin' | 'retry';
  /** HTTP status, or null for a connection error or timeout. */
  status: number | null;
  id: string | null;
  error: string | null;
}

function issueBody(ticket: string, seq: number): string {
  return JSON.stringify({
    ticketId: ticket,
    requesterEmail: `ops@chaos${seq}.example`,
    seats: 120,
    plan: 'premium',
    expiresAt: '2026-11-14',
    previousSeats: 100,
    today: '2026-11-28',
  });
}

async function post(
  url: string,
  token: string,
  body: string,
): Promise<Omit<Attempt, 'ticket' | 'server' | 'phase'>> {
  try {
    const response = await fetch(`${url}/api/v1/emergency-licenses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    let id: string | null = null;
    try {
      const json = JSON.parse(text) as { id?: unknown };
      id = typeof json.id === 'string' ? json.id : null;
    } catch {
      // not JSON
    }
    return {
      status: response.status,
      id,
      error: response.status >= 300 ? text.slice(0, 200) : null,
    };
  } catch (error) {
    return { status: null, id: null, error: error instanceof Error ? error.message : String(error) };
  }
}

const ok = (a: Attempt): boolean => a.status === 200 || a.status === 201;

async function query<T extends Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

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

function tally<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

async function scrapeMetrics(url: string): Promise<string | null> {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return response.status === 200 ? await response.text() : null;
  } catch {
    return null;
  }
}

async function run(options: Options): Promise<boolean> {
  const random = seededRandom(options.seed);
  const failures: string[] = [];
  const check = (condition: boolean, what: string): void => {
    if (!condition) failures.push(what);
  };
  log(
    `chaos run: seed ${options.seed}${options.quick ? ' (quick)' : ''}; ${options.loadSeconds} s of load at ` +
      `${options.rate}/s; replay with --seed ${options.seed}${options.quick ? ' --quick' : ''}`,
  );

  let postgres: PrivatePostgres | null = null;
  let peers: ChaosPeers | null = null;
  const processes: Supervised[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-chaos-'));
  const cleanup = (): void => {
    for (const p of processes) p.killNow();
    postgres?.stop();
    postgres = null;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanup);

  try {
    postgres = await startPrivatePostgres(log);
    const pgUrl = postgres.url;
    peers = await startChaosPeers();
    log(`stand-ins: SMTP on 127.0.0.1:${peers.smtpPort}, GitLab/Slack/Zendesk at ${peers.httpUrl}`);

    // A real key pair from the CLI, and the children's environment (nothing leaks from this shell).
    const keys = join(dataDir, 'keys');
    execFileSync(process.execPath, [BIN, 'keys', 'generate', '--out', keys], { stdio: 'ignore' });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? tmpdir(),
      TZ: 'UTC',
      NO_COLOR: '1',
      LIFELINE_DATA_DIR: dataDir,
      LIFELINE_ALLOW_PINNED_DATES: 'true',
      DATABASE_URL: pgUrl,
      LIFELINE_SIGNING_KEY_FILE: join(keys, 'private.pem'),
      LIFELINE_RATE_LIMIT_PER_USER: '1000000',
      LIFELINE_RATE_LIMIT_PER_CUSTOMER: '1000000',
      ...peers.env(),
    };

    // ── 2 servers + 2 workers, started together on the fresh database (they migrate at once) ──
    const ports = [await freePort(), await freePort()];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const lease = String(options.leaseSeconds);
    const servers = ports.map(
      (port, i) =>
        new Supervised(
          `server ${i + 1}`,
          [BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--lease-seconds', lease],
          env,
          ROOT,
          /^Lifeline is listening on/,
          log,
        ),
    );
    const workers = [1, 2].map(
      (i) =>
        new Supervised(
          `worker ${i}`,
          [BIN, 'worker', '--lease-seconds', lease, '--batch-size', '10'],
          env,
          ROOT,
          null,
          log,
        ),
    );
    processes.push(...servers, ...workers);
    for (const p of processes) p.start();
    const up = await Promise.all(servers.map((s) => s.waitReady(60_000)));
    if (!up.every(Boolean)) {
      throw new Error(`the servers did not start:\n${servers.map((s) => s.lastLines()).join('\n---\n')}`);
    }
    const migrations = await query<{ name: string }>(
      pgUrl,
      'select name from kysely_migration order by name',
    );
    log(`4 processes up; migrations recorded once each: ${migrations.map((m) => m.name).join(', ')}`);
    check(
      new Set(migrations.map((m) => m.name)).size === migrations.length && migrations.length > 0,
      'migrations recorded once each',
    );
    const tokenJson = execFileSync(
      process.execPath,
      [BIN, 'tokens', 'create', '--role', 'engineer', '--name', 'chaos-load', '--json'],
      { env, encoding: 'utf8' },
    );
    const token = (JSON.parse(tokenJson) as { secret: string }).secret;

    // ── the fault schedule (seeded) ──
    const loadMs = options.loadSeconds * 1000;
    const at = (from: number, to: number): number => Math.round(loadMs * (from + (to - from) * random()));
    type Fault = { atMs: number; what: string; run: () => Promise<void> | void };
    const faults: Fault[] = [];
    for (let k = 0; k < options.serverKills; k++) {
      const which = Math.floor(random() * servers.length);
      const server = servers[which]!;
      const back = 1_000 + Math.round(random() * 2_000);
      faults.push({
        atMs: at(0.1 + (0.7 * k) / options.serverKills, 0.1 + (0.7 * (k + 1)) / options.serverKills),
        what: `kill -9 ${server.stats.name} (pid ${'{pid}'}), restart in ${back} ms`,
        run: () => server.killAndRestart(back),
      });
    }
    for (let k = 0; k < options.workerKills; k++) {
      const which = Math.floor(random() * workers.length);
      const worker = workers[which]!;
      const back = 1_000 + Math.round(random() * 2_000);
      faults.push({
        atMs: at(0.1 + (0.7 * k) / options.workerKills, 0.1 + (0.7 * (k + 1)) / options.workerKills),
        what: `kill -9 ${worker.stats.name} (pid ${'{pid}'}), restart in ${back} ms`,
        run: () => worker.killAndRestart(back),
      });
    }
    const pgRestartAt = at(0.3, 0.7);
    faults.push({
      atMs: pgRestartAt,
      what: 'restart PostgreSQL (pg_ctl restart -m fast)',
      run: () => postgres?.restart(),
    });
    const smtpDownMs = options.smtpDownSeconds * 1000;
    const smtpAt = Math.min(at(0.15, 0.45), Math.max(0, loadMs - smtpDownMs - 2_000));
    faults.push({
      atMs: smtpAt,
      what: `stop the SMTP stand-in for ${options.smtpDownSeconds} s`,
      run: () => peers?.stopSmtp(),
    });
    faults.push({
      atMs: smtpAt + smtpDownMs,
      what: 'start the SMTP stand-in again',
      run: () => peers?.startSmtp(),
    });
    faults.sort((a, b) => a.atMs - b.atMs);
    log(
      `fault schedule (ms into the load): ${faults.map((f) => `${f.atMs} ${f.what.replace(/ \(pid \{pid\}\)/, '')}`).join('; ')}`,
    );

    // ── load ──
    const attempts: Attempt[] = [];
    const bodies = new Map<string, string>();
    const inFlight = new Set<Promise<void>>();
    const send = (ticket: string, server: number, phase: Attempt['phase']): Promise<void> => {
      const p = post(urls[server]!, token, bodies.get(ticket)!).then((r) => {
        attempts.push({ ticket, server, phase, ...r });
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return p;
    };
    let seq = 0;
    let nextServer = 0;
    const loadStart = Date.now();
    const faultRuns: Promise<void>[] = [];
    let faultIndex = 0;
    const metricsSamples: string[] = [];
    let lastScrape = 0;
    const intervalMs = 1000 / options.rate;
    for (let tick = 0; Date.now() - loadStart < loadMs; tick++) {
      const now = Date.now() - loadStart;
      while (faultIndex < faults.length && faults[faultIndex]!.atMs <= now) {
        const fault = faults[faultIndex++]!;
        const target = fault.what.includes('server') ? servers : workers;
        const named = target.find((t) => fault.what.includes(t.stats.name));
        log(`FAULT: ${fault.what.replace('{pid}', String(named?.pid ?? '?'))}`);
        faultRuns.push(
          Promise.resolve()
            .then(fault.run)
            .catch((error: unknown) => {
              failures.push(`fault "${fault.what}" failed: ${String(error)}`);
            }),
        );
      }
      const roll = random();
      const server = nextServer;
      nextServer = (nextServer + 1) % urls.length;
      const previous = [...bodies.keys()];
      if (roll < 0.15 && previous.length > 0) {
        // A repeated ticket (an engineer pressing the button again): must return the same record.
        void send(previous[Math.floor(random() * previous.length)]!, server, 'repeat');
      } else {
        seq++;
        const ticket = String(700_000 + seq);
        bodies.set(ticket, issueBody(ticket, seq));
        if (roll < 0.22) {
          // The same new ticket through both servers at the same moment: one license between them.
          void send(ticket, 0, 'twin');
          void send(ticket, 1, 'twin');
        } else {
          void send(ticket, server, 'load');
        }
      }
      if (Date.now() - lastScrape > 10_000) {
        lastScrape = Date.now();
        void scrapeMetrics(urls[0]!).then((m) => {
          if (m !== null) metricsSamples.push(m);
        });
      }
      const nextAt = loadStart + (tick + 1) * intervalMs;
      await sleep(Math.max(0, nextAt - Date.now()));
    }
    // Faults still due (a short custom load) run now, so the SMTP stand-in always comes back.
    while (faultIndex < faults.length) {
      const fault = faults[faultIndex++]!;
      log(`FAULT (late): ${fault.what.replace(' (pid {pid})', '')}`);
      faultRuns.push(Promise.resolve().then(fault.run));
    }
    await Promise.allSettled(faultRuns);
    await Promise.allSettled([...inFlight]);
    if (!peers.smtpUp()) await peers.startSmtp();
    log(`load stopped: ${attempts.length} calls for ${bodies.size} tickets`);

    // Every process must be back up before the drain (restarts are asynchronous).
    await Promise.all(servers.map((s) => s.waitReady(60_000)));

    // ── tickets that got no 2xx are asked again, as a person would ──
    const acked = new Set(attempts.filter(ok).map((a) => a.ticket));
    const unanswered = [...bodies.keys()].filter((t) => !acked.has(t));
    let retriedCreated = 0;
    let retriedFoundStored = 0;
    let retriedStillFailing = 0;
    for (const ticket of unanswered) {
      let result: Attempt | undefined;
      for (let tryNo = 0; tryNo < 5; tryNo++) {
        await send(ticket, tryNo % 2, 'retry');
        result = attempts.at(-1);
        if (result && ok(result)) break;
        await sleep(2_000);
      }
      if (result?.status === 201) retriedCreated++;
      else if (result?.status === 200) retriedFoundStored++;
      else retriedStillFailing++;
    }
    log(
      `asked again for ${unanswered.length} unanswered ticket(s): ${retriedCreated} issued now (nothing had been stored), ` +
        `${retriedFoundStored} already stored (the answer was lost), ${retriedStillFailing} still failing`,
    );

    // ── drain the outbox ──
    const drainStart = Date.now();
    let pending = await pendingDeliveries(pgUrl);
    while (!(pending === 0) && Date.now() - drainStart < options.drainSeconds * 1000) {
      await sleep(2_000);
      pending = await pendingDeliveries(pgUrl);
    }
    log(`outbox: ${pending} pending after ${((Date.now() - drainStart) / 1000).toFixed(0)} s of draining`);
    const finalMetrics = await scrapeMetrics(urls[0]!);
    for (const p of processes) await p.stop();

    // ── figures ──
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
    const duplicatePosts = [...tally(peers.slackPosts, (t) => /tickets\/(\d+)/.exec(t)?.[1] ?? t)].filter(
      ([, n]) => n > 1,
    );
    const duplicateNotes = [...tally(peers.zendeskNotes, (t) => t)].filter(([, n]) => n > 1);
    // Follow-ups (a post or note written while the email was on its way): at most one per ticket.
    const duplicateReplies = [...tally(peers.slackReplies, (t) => /tickets\/(\d+)/.exec(t)?.[1] ?? t)].filter(
      ([, n]) => n > 1,
    );
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

    // /metrics (when the build has it): scraped every 10 s during the run and once after the drain.
    const issuedValue = (text: string): number | null => {
      const line = text
        .split('\n')
        .find((l) => /^lifeline_\w*licen[cs]es?_issued\w*(\{[^}]*\})?\s+\d/.test(l));
      return line ? Number(line.trim().split(/\s+/).at(-1)) : null;
    };
    let metrics: string;
    if (finalMetrics === null && metricsSamples.length === 0) {
      metrics = 'no /metrics endpoint answered: not compared';
    } else if (finalMetrics === null) {
      metrics = '/metrics answered during the run but not after the drain';
      check(false, metrics);
    } else {
      const value = issuedValue(finalMetrics);
      const during = metricsSamples.map(issuedValue).filter((v): v is number => v !== null);
      const monotone = during.every((v, i) => i === 0 || v >= during[i - 1]!);
      if (value === null) {
        metrics = '/metrics has no lifeline_*licenses_issued* series: not compared';
      } else {
        metrics =
          `/metrics says ${value} issued after the drain, the database ${issuedRows.length}; ` +
          `${during.length} scrapes during the run (${during.join(', ')})`;
        check(value === issuedRows.length, `/metrics issued count agrees with the database (${metrics})`);
        check(monotone && during.every((v) => v <= value), '/metrics issued count never went down');
      }
    }

    check(attempts.length > 0 && accepted.length > 0, 'requests were accepted');
    const internalErrors = attempts.filter((a) => a.status === 500);
    check(
      internalErrors.length === 0,
      `no 500 answers: an unreachable database answers 503 (${internalErrors.length}: ${internalErrors[0]?.error ?? ''})`,
    );
    check(twiceCreated.length === 0, `no ticket answered 201 twice (${twiceCreated.slice(0, 5).join(', ')})`);
    check(
      idsDisagree.length === 0,
      `every 2xx for a ticket names the same record (${idsDisagree.slice(0, 5).join(', ')})`,
    );
    check(
      duplicateLicenses.length === 0,
      `at most one non-void license per ticket (${duplicateLicenses.slice(0, 5).join(', ')})`,
    );
    check(
      licenseCount === issuedRows.length,
      `as many licenses (${licenseCount}) as issued requests (${issuedRows.length})`,
    );
    check(
      missing.length === 0,
      `every acknowledged request is stored complete (${missing.slice(0, 5).join(', ')})`,
    );
    check(
      incomplete.length === 0,
      `every issued request has its license and 4 deliveries (${incomplete.slice(0, 5).join(', ')})`,
    );
    check(
      ackedTickets.size === bodies.size,
      `every ticket acknowledged in the end (${ackedTickets.size}/${bodies.size})`,
    );
    check(
      unexpected.length === 0,
      `no unexpected 4xx (${unexpected
        .slice(0, 3)
        .map((a) => `${a.status} ${a.error}`)
        .join('; ')})`,
    );
    check(
      duplicateIssues.length === 0,
      `at most one tracker issue per request (${duplicateIssues.slice(0, 5).join(', ')})`,
    );
    check(
      trackerSentWithoutIssue.length === 0,
      'every tracker delivery recorded sent has its issue at the GitLab stand-in',
    );
    check(
      duplicateEmails.length === 0,
      `no email received twice (${duplicateEmails.slice(0, 5).join(', ')})`,
    );
    check(
      sentEmailsMissing.length === 0,
      `every email recorded sent was received (${sentEmailsMissing.length} not)`,
    );
    check(duplicatePosts.length === 0, 'at most one Slack post per ticket');
    check(duplicateNotes.length === 0, 'at most one Zendesk note per ticket');
    check(
      duplicateReplies.length === 0 && duplicateFollowUpNotes.length === 0,
      'at most one follow-up per ticket on Slack and on Zendesk',
    );
    check(pending === 0, `the outbox drained (${pending} pending)`);
    check(audit.exit === 0 && audit.result?.ok === true, `lifeline audit verify passes (exit ${audit.exit})`);
    check(
      processes.every((p) => p.stats.startFailures <= 10),
      'no process failed to start more than 10 times',
    );
    const crashes = processes.flatMap((p) =>
      p.stats.unexpectedExits.map((e) => ({ name: p.stats.name, ...e })),
    );
    check(
      crashes.length === 0,
      `no process exited by itself (${crashes.map((c) => `${c.name}: code ${c.code}`).join('; ')})`,
    );

    const summary = {
      seed: options.seed,
      quick: options.quick,
      privatePostgres: { port: postgres.port, dir: postgres.dir },
      loadSeconds: options.loadSeconds,
      rate: options.rate,
      faults: faults.map((f) => ({ atMs: f.atMs, what: f.what.replace(' (pid {pid})', '') })),
      calls: attempts.length,
      callsByStatus: Object.fromEntries(byStatus),
      tickets: bodies.size,
      requestsAccepted: accepted.length,
      ticketsAcknowledged: ackedTickets.size,
      repeatedCalls: attempts.filter((a) => a.phase === 'repeat').length,
      twinCalls: attempts.filter((a) => a.phase === 'twin').length,
      unansweredThenAskedAgain: unanswered.length,
      retriedCreated,
      retriedFoundStored,
      retriedStillFailing,
      licensesIssuedInDb: licenseCount,
      issuedRequestsInDb: issuedRows.length,
      duplicateLicenses: duplicateLicenses.length,
      ticketsCreatedTwice: twiceCreated.length,
      acknowledgedMissingOrIncomplete: missing.length,
      gitlabIssues: peers.gitlabIssues.length,
      duplicateTrackerIssues: duplicateIssues.length,
      deliveries: Object.fromEntries(deliveryStatus),
      deliveriesByChannel: Object.fromEntries([...deliveryDetail].sort()),
      pendingAfterDrain: pending,
      deliveriesTriedMoreThanOnce: Object.fromEntries(retriedDeliveries.map((r) => [r.channel, Number(r.n)])),
      emailsReceived: peers.emails.length,
      duplicateEmails: duplicateEmails.length,
      slackPosts: peers.slackPosts.length,
      slackReplies: peers.slackReplies.length,
      zendeskNotes: peers.zendeskNotes.length,
      zendeskFollowUps: peers.zendeskFollowUps.length,
      gitlabNotes: peers.gitlabNotes,
      auditVerify: audit.result ?? { exit: audit.exit },
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

    const lines = [
      '',
      `──────── chaos summary (seed ${options.seed}${options.quick ? ', quick' : ''}, ${summary.seconds} s) ────────`,
      `faults            ${summary.faults.map((f) => `${(f.atMs / 1000).toFixed(1)}s ${f.what}`).join('; ')}`,
      `calls             ${attempts.length} (${[...byStatus].map(([s, n]) => `${s}: ${n}`).join(', ')}); ${summary.repeatedCalls} repeats, ${summary.twinCalls} twin calls`,
      `accepted (2xx)    ${accepted.length} calls; ${ackedTickets.size} of ${bodies.size} tickets acknowledged`,
      `asked again       ${unanswered.length} tickets without an answer: ${retriedCreated} issued then, ${retriedFoundStored} found stored, ${retriedStillFailing} still failing`,
      `licenses (DB)     ${licenseCount} licenses, ${issuedRows.length} issued requests`,
      `duplicates        ${duplicateLicenses.length} tickets with >1 license, ${twiceCreated.length} tickets answered 201 twice, ${duplicateIssues.length} requests with >1 GitLab issue, ${duplicateEmails.length} emails received twice`,
      `acknowledged      ${missing.length} acknowledged requests missing or incomplete in the DB`,
      `deliveries        ${deliveries.length}: sent ${deliveryStatus.get('sent') ?? 0}, failed ${deliveryStatus.get('failed') ?? 0}, unknown ${deliveryStatus.get('unknown') ?? 0}, pending ${pending} after the drain; tried more than once: ${retried}`,
      `peers             ${peers.emails.length} emails, ${peers.gitlabIssues.length} GitLab issues (+${peers.gitlabNotes} notes), ${peers.slackPosts.length} Slack posts (+${peers.slackReplies.length} follow-ups), ${peers.zendeskNotes.length} Zendesk notes (+${peers.zendeskFollowUps.length} follow-ups)`,
      `audit verify      ${audit.result ? `ok=${audit.result.ok}, ${audit.result.entries} entries` : `exit ${audit.exit}`}`,
      `metrics           ${metrics}`,
      `processes         ${summary.processes.map((p) => `${p.name}: ${p.starts} starts, ${p.killed} killed, ${p.unexpectedExits} crashes, ${p.startFailures} failed starts, ${p.workerBackoffs} DB back-offs`).join('; ')}`,
      failures.length === 0
        ? 'RESULT            PASS'
        : `RESULT            FAIL\n  - ${failures.join('\n  - ')}`,
    ];
    for (const c of crashes) lines.push(`  ${c.name} exited with code ${c.code}:\n${c.tail}`);
    process.stdout.write(`${lines.join('\n')}\nCHAOS-SUMMARY ${JSON.stringify(summary)}\n`);
    return failures.length === 0;
  } finally {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await peers?.close().catch(() => undefined);
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const deadline = setTimeout(() => {
  process.stdout.write(`CHAOS FAILED: the run did not finish within ${options.deadlineSeconds} s\n`);
  process.exit(1); // the 'exit' handler stops the private PostgreSQL and removes its files
}, options.deadlineSeconds * 1000);
run(options)
  .then((passed) => {
    clearTimeout(deadline);
    process.exitCode = passed ? 0 : 1;
  })
  .catch((error: unknown) => {
    clearTimeout(deadline);
    process.stdout.write(
      `CHAOS FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
