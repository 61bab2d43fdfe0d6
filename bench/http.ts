/**
 * Issuance over HTTP: emergency licenses issued per second, and the p50/p99 latency of
 * `POST /api/v1/emergency-licenses`, against real `lifeline serve` child processes on the embedded
 * default (SQLite, local outbox, a development key made by `lifeline keys generate`), at 1, 8 and 32
 * concurrent clients (autocannon, in this process), for each configuration of BENCH_HTTP_PROCESSES:
 * `serve` as `npm start` runs it (one process) and `serve --processes 2` (two HTTP processes sharing
 * the port; the primary runs the delivery worker). Beside it, in the same run, the license-write
 * ceiling on one core (bench/license.ts's single-core loop, with the very key the servers sign
 * with): the API should reach at least API_TARGET of it. The ceiling is measured between the slices
 * of every level too, and each level is compared with the ceiling of its own moments (see the
 * TIME-MATCHED note in the report): the speed of a shared virtual machine moves too much from one
 * second to the next for a ceiling measured at other moments to be a reference.
 *
 * Every request issues: a distinct ticket id and a distinct customer email (a distinct domain, so
 * rule 9 never sees a repeat), an eligible typed body (expired 2026-11-14, premium, 120 seats for 100)
 * and `today` on weekend days (PRODUCT.md §4; see ADVANCING). Only 201 responses count as issued; any
 * other status is counted and shown.
 *
 * What competes for the CPU, and is shown: the delivery worker (the four local deliveries of each
 * license — .eml file, local tracker issue, chat post, ticket note — are more SQLite commits; it
 * runs on a thread of its own at a lower priority, see delivery-thread.ts), and
 * autocannon in this process on the same machine. The servers' CPU time (from /proc/PID/stat, the
 * primary and its HTTP processes) and the bench's own are printed per level.
 *
 *   BENCH_HTTP_PROCESSES=1,2  the `serve --processes` values measured (default 1,2)
 *   BENCH_HTTP_SECONDS=10   seconds per level (default 10; 3 with --quick)
 *   BENCH_CPU_PROF=1        run the serve children under `node --cpu-prof`; the profiles are written to
 *                           bench/results/ and summarised (self time by function and by file)
 *   BENCH_HTTP_DATES=pinned  every request on one pinned Saturday (the default, `advancing`, moves
 *                           `today` on through weekend days, as real traffic does; see ADVANCING below)
 *   BENCH_SERVE_NODE_ARGS='…' more node options for the serve child (diagnostics, e.g. --import X)
 *   BENCH_SERVE_ARGS='--no-worker'  more `serve` options: --no-worker measures the API alone (the
 *                           deliveries wait for `lifeline worker` processes, as on a larger deployment)
 *   LIFELINE_SIGNING_THREADS=0  passed on to the servers (default auto: the CPUs the processes leave free)
 *   BENCH_SERVE_ENV='K=V K2=V2'  more environment for the servers (they get a fixed environment, not
 *                           the bench's: a variable set only for the bench does not reach them)
 */
import { createPrivateKey } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { signingThreadCount } from '../src/app.js';
import { writeOnce } from './license-fixture.js';
import { singleCore, type Throughput } from './license.js';
import { summariseCpuProfile } from './profile.js';
import {
  formatRate,
  formatRatio,
  target,
  type BenchSection,
  type BenchSettings,
  type SectionResult,
} from './report.js';
import {
  QUICK,
  REPO_ROOT,
  benchEnv,
  childPids,
  createEngineerToken,
  load,
  ms,
  otherStatuses,
  percentiles,
  processRssBytes,
  removeTempDir,
  runCliJson,
  startServe,
  tempDataDir,
  type LoadResult,
  type Percentiles,
  type ServeChild,
} from './serve-process.js';

/** The issue's target: issued/s over HTTP ≥ this share of license writes/s on one core. */
export const API_TARGET = 0.6;
const LEVELS = [1, 8, 32] as const;
const LEVEL_SECONDS = Number(process.env['BENCH_HTTP_SECONDS']) || (QUICK ? 3 : 10);
const WARMUP_SECONDS = QUICK ? 1 : 2;
/**
 * Each level runs as slices of about this many seconds, with a short ceiling round before the first
 * and after each one (the TIME-MATCHED note of the report).
 */
const SLICE_SECONDS = 2;
const CEILING_SLICE_MS = 500;
const CEILING_SLICE_WARMUP_MS = 50;
/** Rate limits for the bench (the defaults are 60 per user and 5 per customer per hour). */
const RATE_LIMIT = '1000000';
const TODAY = '2026-11-28';
/**
 * By default (BENCH_HTTP_DATES=advancing) `today` is not one pinned Saturday for every request: it moves on one
 * weekend day every PER_DAY requests (expiry 14 days before it, so every request stays eligible):
 * the repeat rule's 30-day window then holds a steady ~9 × PER_DAY licenses instead of all of them.
 */
const ADVANCING = process.env['BENCH_HTTP_DATES'] !== 'pinned';
const PER_DAY = 25;
const DAY_MS = 86_400_000;

/** `today` and `expiresAt` of request number `n` (counted from 1). */
function datesFor(n: number): { today: string; expiresAt: string } {
  if (!ADVANCING) return { today: TODAY, expiresAt: '2026-11-14' };
  const d = Math.floor(n / PER_DAY);
  const today = Date.parse(`${TODAY}T00:00:00Z`) + (7 * Math.floor(d / 2) + (d % 2)) * DAY_MS;
  const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);
  return { today: iso(today), expiresAt: iso(today - 14 * DAY_MS) };
}
const CPU_PROF = process.env['BENCH_CPU_PROF'] === '1';
/** LIFELINE_SIGNING_THREADS for the servers, when set for the bench (their default: auto). */
const SIGNING_THREADS = process.env['LIFELINE_SIGNING_THREADS'];
/** BENCH_SERVE_ENV='K=V K2=V2': more environment for the servers (names: letters, digits, _). */
const SERVE_ENV: Record<string, string> = Object.fromEntries(
  (process.env['BENCH_SERVE_ENV'] ?? '')
    .split(' ')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(pair);
      if (!match) throw new Error(`BENCH_SERVE_ENV: "${pair}" is not NAME=VALUE`);
      return [match[1] as string, match[2] as string];
    }),
);

interface Level {
  connections: number;
  seconds: number;
  issued: number;
  issuedPerSecond: number;
  /** Latency of the 201 responses, ms. */
  issuedMs: Percentiles | null;
  /** Latency of every response, ms. */
  allMs: Percentiles | null;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Server CPU seconds per wall second (1 = one core busy). */
  serverCores: number | null;
  /** CPU of the server's main threads (its event loops) per wall second; 1p: at most 1. */
  eventLoopCores: number | null;
  clientCores: number;
  outboxAfter: OutboxDepth;
  /** Deliveries the worker recorded sent per second during the level. */
  deliveriesPerSecond: number;
  /** License writes/s on one core in the short rounds between the level's slices (CEILING_SLICE_MS). */
  ceilingSlices: number[];
  /**
   * The ceiling at the level's moments: each slice weighted by its length, with the mean of the two
   * rounds around it.
   */
  ceilingMatched: number;
  /** issued/s ÷ ceilingMatched: the target's figure. */
  ratio: number;
  /** issued/s ÷ the best ceiling round of the whole run (the long rounds and every slice round). */
  ratioToBest: number;
}

interface OutboxDepth {
  queued: number;
  claimed: number;
  sending: number;
  sent: number;
  other: number;
  /** Requests stored with status issued. */
  issuedRequests: number;
}

const depthOf = (o: OutboxDepth): number => o.queued + o.claimed + o.sending;

/** A read-only look at the serve child's database (WAL: readers do not block its writer). */
function outbox(dbPath: string): OutboxDepth {
  const db = new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db.prepare('select status, count(*) as n from deliveries group by status').all() as {
      status: string;
      n: number;
    }[];
    const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
    const issued = db.prepare("select count(*) as n from requests where status = 'issued'").get() as {
      n: number;
    };
    const known = ['queued', 'claimed', 'sending', 'sent'];
    return {
      queued: by['queued'] ?? 0,
      claimed: by['claimed'] ?? 0,
      sending: by['sending'] ?? 0,
      sent: by['sent'] ?? 0,
      other: rows.filter((r) => !known.includes(r.status)).reduce((a, r) => a + r.n, 0),
      issuedRequests: issued.n,
    };
  } finally {
    db.close();
  }
}

/** The autocannon options of one level: each request a new ticket and customer. */
function issueLoad(url: string, token: string, connections: number, seconds: number, next: () => number) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    url,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/emergency-licenses',
        headers,
        setupRequest: (request: { body?: string | Buffer }) => {
          const n = next();
          const { today, expiresAt } = datesFor(n);
          request.body = JSON.stringify({
            ticketId: String(n),
            ticketUrl: `https://acme.zendesk.com/agent/tickets/${n}`,
            requesterEmail: `ops@customer${n}.example`,
            seats: 120,
            plan: 'premium',
            expiresAt,
            previousSeats: 100,
            today,
          });
          return request;
        },
      },
    ],
  };
}

function ceiling(keyPem: string, s: BenchSettings, rounds: number): Throughput[] {
  const key = createPrivateKey(keyPem);
  const text = writeOnce(key);
  return Array.from({ length: rounds }, () => singleCore('write', key, text, s));
}

async function measureLevel(
  server: ServeChild,
  token: string,
  dbPath: string,
  connections: number,
  next: () => number,
  ceilingRound: () => number,
  before: OutboxDepth,
): Promise<Level> {
  const slices = Math.max(1, Math.round(LEVEL_SECONDS / SLICE_SECONDS));
  // The server (and its HTTP processes) is stopped during each ceiling round, so that the round has
  // the machine to itself as the rounds before the servers start do (its delivery thread would go on).
  const pids = [server.pid, ...childPids(server.pid)];
  const ceilingAlone = (): number => {
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      return ceilingRound();
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
  };
  const ceilingSlices = [ceilingAlone()];
  const latencyByStatus = new Map<number, number[]>();
  const statusCounts: Record<string, number> = {};
  let seconds = 0;
  let matched = 0;
  let errors = 0;
  let timeouts = 0;
  let clientCpu = 0;
  let serverCpu: number | null = 0;
  let loopCpu: number | null = 0;
  for (let i = 0; i < slices; i++) {
    const loop0 = server.eventLoopCpuSeconds();
    const cpu0 = server.cpuSeconds();
    const r: LoadResult = await load(issueLoad(server.url, token, connections, LEVEL_SECONDS / slices, next));
    const cpu1 = server.cpuSeconds();
    const loop1 = server.eventLoopCpuSeconds();
    ceilingSlices.push(ceilingAlone());
    serverCpu = serverCpu === null || cpu0 === null || cpu1 === null ? null : serverCpu + cpu1 - cpu0;
    loopCpu = loopCpu === null || loop0 === null || loop1 === null ? null : loopCpu + loop1 - loop0;
    seconds += r.seconds;
    matched += (r.seconds * ((ceilingSlices[i] as number) + (ceilingSlices[i + 1] as number))) / 2;
    errors += r.errors;
    timeouts += r.timeouts;
    clientCpu += r.clientCpuSeconds;
    for (const [code, n] of Object.entries(r.statusCounts))
      statusCounts[code] = (statusCounts[code] ?? 0) + n;
    for (const [code, times] of r.latencyByStatus) {
      const list = latencyByStatus.get(code);
      if (list) for (const t of times) list.push(t);
      else latencyByStatus.set(code, times);
    }
  }
  const after = outbox(dbPath);
  const issuedTimes = latencyByStatus.get(201) ?? [];
  const all = [...latencyByStatus.values()].flat();
  const issued = issuedTimes.length;
  const ceilingMatched = matched / seconds;
  return {
    connections,
    seconds,
    issued,
    issuedPerSecond: issued / seconds,
    issuedMs: percentiles(issuedTimes),
    allMs: percentiles(all),
    statusCounts,
    errors,
    timeouts,
    serverCores: serverCpu === null ? null : serverCpu / seconds,
    eventLoopCores: loopCpu === null ? null : loopCpu / seconds,
    clientCores: clientCpu / seconds,
    outboxAfter: after,
    // The server is stopped during the ceiling rounds: it delivered during the slices.
    deliveriesPerSecond: (after.sent - before.sent) / seconds,
    ceilingSlices,
    ceilingMatched,
    ratio: issued / seconds / ceilingMatched,
    ratioToBest: 0, // set once every round is in
  };
}

/** A `serve` configuration measured: one process (as `npm start`), or N HTTP processes. */
interface ServeConfig {
  processes: number;
  label: string;
}

/** BENCH_HTTP_PROCESSES=1,2 (the default): the `serve --processes` values measured, in order. */
const CONFIGS: ServeConfig[] = (process.env['BENCH_HTTP_PROCESSES'] ?? '1,2')
  .split(',')
  .map((v) => Number(v.trim()))
  .filter((n) => Number.isInteger(n) && n >= 1 && n <= 16)
  .map((processes) => ({ processes, label: processes === 1 ? '1 process' : `${processes} processes` }));

interface ConfigRun {
  config: ServeConfig;
  levels: Level[];
  warmIssued: number;
  warmStatuses: Record<string, number>;
  outboxEnd: OutboxDepth;
  stopSeconds: number;
  stopped: { code: number | null; signal: NodeJS.Signals | null };
  serverPid: number;
  rssStart: number | null;
  rssEnd: number | null;
  lastTicket: number;
}

/** One configuration on its own fresh data dir (same key as the ceiling): warm-up, then every level. */
async function measureConfig(
  s: BenchSettings,
  config: ServeConfig,
  keyDir: string,
  nodeArgs: readonly string[],
  ceilingRound: () => number,
): Promise<ConfigRun> {
  const dataDir = tempDataDir('lifeline-bench-http-');
  const dbPath = join(dataDir, 'lifeline.db');
  let server: ServeChild | null = null;
  try {
    const env = benchEnv(dataDir, {
      LIFELINE_RATE_LIMIT_PER_USER: RATE_LIMIT,
      LIFELINE_RATE_LIMIT_PER_CUSTOMER: RATE_LIMIT,
      ...(SIGNING_THREADS !== undefined ? { LIFELINE_SIGNING_THREADS: SIGNING_THREADS } : {}),
      ...SERVE_ENV,
    });
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    for (const file of ['private.pem', 'public.pem']) {
      copyFileSync(join(keyDir, 'keys', file), join(dataDir, 'keys', file));
      chmodSync(join(dataDir, 'keys', file), file === 'private.pem' ? 0o600 : 0o644);
    }
    const token = await createEngineerToken(env, 'bench-http');
    const serveArgs = config.processes === 1 ? [] : ['--processes', String(config.processes)];
    s.log(`http: ${config.label}: lifeline serve --port 0 ${serveArgs.join(' ')} in ${dataDir}`);
    server = await startServe(env, nodeArgs, 60_000, serveArgs);
    const serverPid = server.pid;
    const rssStart = processRssBytes(server.pid);
    let ticket = 0;
    const next = (): number => ++ticket;
    s.log(`http: ${config.label}: warm-up, ${WARMUP_SECONDS} s at 8 connections (not counted)`);
    const warm = await load(issueLoad(server.url, token, 8, WARMUP_SECONDS, next));
    const warmIssued = warm.latencyByStatus.get(201)?.length ?? 0;
    if (warmIssued === 0) {
      throw new Error(
        `the warm-up issued nothing: statuses ${JSON.stringify(warm.statusCounts)}, ${warm.errors} errors\n${server.stderr()}`,
      );
    }
    await sleep(500);
    const levels: Level[] = [];
    for (const connections of LEVELS) {
      s.log(`http: ${config.label}: ${connections} connection(s) for ${LEVEL_SECONDS} s`);
      levels.push(await measureLevel(server, token, dbPath, connections, next, ceilingRound, outbox(dbPath)));
      await sleep(500);
    }
    const rssEnd = processRssBytes(server.pid);
    const outboxEnd = outbox(dbPath);
    const sentAt = performance.now();
    s.log(`http: ${config.label}: stopping the server (SIGTERM)`);
    const stopped = await server.stop();
    const stopSeconds = (performance.now() - sentAt) / 1000;
    server = null;
    return {
      config,
      levels,
      warmIssued,
      warmStatuses: warm.statusCounts,
      outboxEnd,
      stopSeconds,
      stopped,
      serverPid,
      rssStart,
      rssEnd,
      lastTicket: ticket,
    };
  } finally {
    if (server) await server.stop(5_000).catch(() => undefined);
    removeTempDir(dataDir);
  }
}

async function run(s: BenchSettings): Promise<SectionResult> {
  const loadBefore = loadavg();
  const profileDir = join(REPO_ROOT, 'bench', 'results');
  const keyDir = tempDataDir('lifeline-bench-http-key-');
  try {
    // One development key for the ceiling and every configuration, generated as the CLI does.
    s.log('http: lifeline keys generate (the development key every server signs with)');
    await runCliJson(['keys', 'generate', '--out', join(keyDir, 'keys')], benchEnv(keyDir));
    const keyPem = readFileSync(join(keyDir, 'keys', 'private.pem'), 'utf8');

    s.log(`http: license-write ceiling on one core, ${s.rounds} round(s) before the servers start`);
    const ceilingBefore = ceiling(keyPem, s, s.rounds);
    let best = Math.max(...ceilingBefore.map((t) => t.opsPerSecond));
    // The short rounds between the slices of every level (the TIME-MATCHED note of the report).
    const sliceKey = createPrivateKey(keyPem);
    const sliceText = writeOnce(sliceKey);
    const sliceSettings = { ...s, durationMs: CEILING_SLICE_MS, warmupMs: CEILING_SLICE_WARMUP_MS };
    const ceilingRound = (): number => singleCore('write', sliceKey, sliceText, sliceSettings).opsPerSecond;

    const nodeArgs = [
      ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(process.env['BENCH_SERVE_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== ''),
    ];
    if (CPU_PROF) mkdirSync(profileDir, { recursive: true });
    const profilesBefore = CPU_PROF ? new Set(readdirSync(profileDir)) : new Set<string>();
    const runs: ConfigRun[] = [];
    for (const config of CONFIGS) runs.push(await measureConfig(s, config, keyDir, nodeArgs, ceilingRound));

    s.log('http: license-write ceiling on one core, 1 round after the servers stopped');
    const ceilingAfter = ceiling(keyPem, s, 1);
    const cells = runs.flatMap((r) => r.levels.map((level) => ({ run: r, level })));
    const slicesAll = cells.flatMap((c) => c.level.ceilingSlices);
    best = Math.max(best, ...ceilingAfter.map((t) => t.opsPerSecond), ...slicesAll);
    for (const { level } of cells) level.ratioToBest = level.issuedPerSecond / best;

    const top = cells.reduce((a, b) => (b.level.ratio > a.level.ratio ? b : a));
    const targets = [
      target(
        `issued/s over HTTP (best level: ${top.run.config.label}, ${top.level.connections} clients) ÷ license writes/s, 1 core, at the same moments`,
        top.level.ratio,
        API_TARGET,
      ),
    ];
    const profile = CPU_PROF
      ? readdirSync(profileDir)
          .filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f))
          .map((f) => join(profileDir, f))
      : [];
    const profileNotes = profile.flatMap((file) => summariseCpuProfile(file, 12));

    const col = ({ run: r, level: l }: (typeof cells)[number]): string =>
      `${r.config.processes}p · ${l.connections} cl`;
    const row = (label: string, cell: (l: Level) => string): string[] => [
      label,
      ...cells.map((c) => cell(c.level)),
    ];
    const cores = (x: number | null): string => (x === null ? '?' : x.toFixed(2));
    const mib = (b: number | null): string => (b === null ? '?' : (b / 1048576).toFixed(0));
    return {
      columns: ['measure', ...cells.map(col)],
      rows: [
        row('issued/s (201 only)', (l) => formatRate(l.issuedPerSecond)),
        row('issue p50 ms', (l) => ms(l.issuedMs?.p50)),
        row('issue p99 ms', (l) => ms(l.issuedMs?.p99)),
        row('issue max ms', (l) => ms(l.issuedMs?.max)),
        row('201 responses', (l) => String(l.issued)),
        row('responses other than 201', (l) => otherStatuses(l.statusCounts, [201])),
        row('connection errors / timeouts', (l) => `${l.errors} / ${l.timeouts}`),
        row('license writes/s, 1 core, same moments', (l) => formatRate(l.ceilingMatched)),
        row('÷ license writes/s, same moments', (l) => formatRatio(l.ratio)),
        row('÷ best license writes/s of the run', (l) => formatRatio(l.ratioToBest)),
        row('server CPU, cores', (l) => cores(l.serverCores)),
        row('server CPU ms per 201', (l) => ms(cpuMsPerIssued(l))),
        row('  of which event loop(s), cores', (l) => cores(l.eventLoopCores)),
        row('  of which event loop(s), ms per 201', (l) => ms(loopMsPerIssued(l))),
        row('bench (autocannon) CPU, cores', (l) => cores(l.clientCores)),
        row('deliveries sent/s (worker)', (l) => formatRate(l.deliveriesPerSecond)),
        row('outbox depth after', (l) => String(depthOf(l.outboxAfter))),
      ],
      targets,
      notes: [
        `columns: Np = \`lifeline serve\` with N processes (1p: one process, as \`npm start\` runs it; ` +
          '2p: `serve --processes 2`, two HTTP processes sharing the port while the primary runs the delivery worker), ' +
          'cl = concurrent clients; each configuration on its own fresh data dir',
        `license-write ceiling (bench/license.ts singleCore, the servers' development key), TIME-MATCHED: ` +
          `this machine's speed moves by up to 2× from one second to the next (a 1 s RSA loop on an idle ` +
          `machine gave 1,204 to 2,548 signs/s within 40 s), so a ceiling measured apart from a level says little ` +
          `about that level. Each level runs as ${SLICE_SECONDS} s slices with a ${CEILING_SLICE_MS} ms ceiling ` +
          `round before the first and after each, with the server stopped (SIGSTOP, then SIGCONT); each slice is ` +
          `compared with the mean of the two rounds around it (row "same moments"). The target uses that figure; ` +
          `the row below it divides by the best round of the whole run instead: ${formatRate(best)} writes/s ` +
          `(${ceilingBefore.length} 1 s round(s) before the servers ` +
          `${ceilingBefore.map((t) => formatRate(t.opsPerSecond)).join(', ')}; 1 after ` +
          `${ceilingAfter.map((t) => formatRate(t.opsPerSecond)).join(', ')}; the ${slicesAll.length} slice rounds ` +
          `${formatRate(Math.min(...slicesAll))} to ${formatRate(Math.max(...slicesAll))})`,
        cpuBudgetNote(top.level, top.level.ceilingMatched, s.parallelism, top.run.config.processes),
        'real `lifeline serve` children on the embedded default (SQLite WAL, synchronous = NORMAL with the ' +
          'group commit: every write awaits an fdatasync of the WAL shared with concurrent ones; local outbox); ' +
          `licenses signed on LIFELINE_SIGNING_THREADS=${SIGNING_THREADS ?? 'auto'} threads per process ` +
          `(auto on this machine: ${CONFIGS.map((c) => `${c.label} ${signingThreadCount('auto', c.processes)}`).join(', ')}); ` +
          `rate limits RAISED for the bench: LIFELINE_RATE_LIMIT_PER_USER=LIFELINE_RATE_LIMIT_PER_CUSTOMER=${RATE_LIMIT} ` +
          '(defaults 60 and 5 per hour would answer 429 after 60 calls)' +
          (Object.keys(SERVE_ENV).length > 0
            ? `; BENCH_SERVE_ENV: ${Object.entries(SERVE_ENV)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}`
            : ''),
        `autocannon@8 in the bench process, ${LEVEL_SECONDS} s per level after a ${WARMUP_SECONDS} s warm-up ` +
          `(${runs.map((r) => `${r.config.label}: ${r.warmIssued}`).join(', ')} licenses, not counted); every ` +
          `request a new ticket and customer domain, today from ${TODAY} (Saturday); latency = autocannon's ` +
          'per-response time, from request written to response read',
        'the delivery worker runs on a thread of its own, 10 nice levels down, in the serving process (1p) or ' +
          'the primary (2p): every license queues 4 local ' +
          'deliveries (.eml file, tracker issue, chat post, ticket note), each a few more SQLite commits, ' +
          'competing with issuance; at the end: ' +
          runs
            .map(
              (r) =>
                `${r.config.label}: ${depthOf(r.outboxEnd)} waiting, ${r.outboxEnd.sent} sent, ` +
                `${r.outboxEnd.other} failed/unknown, stopped in ${r.stopSeconds.toFixed(1)} s`,
            )
            .join('; '),
        `the bench client competes with the servers for this machine's ${s.parallelism} cores (its CPU is the ` +
          '"bench (autocannon) CPU" row); "server CPU" adds up the primary and its HTTP processes',
        ADVANCING
          ? `BENCH_HTTP_DATES=advancing: today moves on one weekend day every ${PER_DAY} requests from ${TODAY} ` +
            `(last: ${datesFor(Math.max(...runs.map((r) => r.lastTicket))).today}), so the repeat rule's 30-day ` +
            `window holds ~${9 * PER_DAY} licenses`
          : `BENCH_HTTP_DATES=pinned: every license issued on ${TODAY}; rule 9 reads only the licenses sharing a ` +
            "customer key with the request (license_keys), so the window's size matters little",
        ...runs.map((r) => {
          const counted = r.levels.reduce((a, l) => a + l.issued, 0) + r.warmIssued;
          return (
            `${r.config.label}: requests stored issued ${r.outboxEnd.issuedRequests}; 201 responses counted ${counted}` +
            (r.outboxEnd.issuedRequests < counted ? ' — WARNING: fewer stored than answered 201' : '') +
            `; RSS of the serve process (pid ${r.serverPid}) ${mib(r.rssStart)} MiB after start, ${mib(r.rssEnd)} MiB at the end`
          );
        }),
        `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
        ...runs
          .filter((r) => r.stopped.code !== 0)
          .map(
            (r) =>
              `WARNING: ${r.config.label}: serve exited with code ${r.stopped.code}, signal ${r.stopped.signal}`,
          ),
        ...cells
          .filter(({ level: l }) => l.errors + l.timeouts > 0 || otherStatuses(l.statusCounts, [201]) !== '0')
          .map(
            (c) =>
              `WARNING: ${col(c)}: non-201 ${otherStatuses(c.level.statusCounts, [201])}, ${c.level.errors} errors, ${c.level.timeouts} timeouts`,
          ),
        ...(profile.length > 0 ? [`CPU profile(s) of the serve processes: ${profile.join(', ')}`] : []),
        ...profileNotes,
      ],
      json: {
        settings: {
          levels: LEVELS,
          processes: CONFIGS.map((c) => c.processes),
          levelSeconds: LEVEL_SECONDS,
          warmupSeconds: WARMUP_SECONDS,
          quick: QUICK,
          today: TODAY,
          dates: ADVANCING ? 'advancing' : 'pinned',
          rateLimit: Number(RATE_LIMIT),
          store: 'sqlite',
          keyBits: 2048,
          parallelism: s.parallelism,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadavg(),
        },
        ceiling: { best, before: ceilingBefore, after: ceilingAfter },
        /** The levels of the configuration with the best level (drawn by bench/summary.ts). */
        levels: top.run.levels,
        configurations: runs.map((r) => ({
          processes: r.config.processes,
          levels: r.levels,
          warmup: { issued: r.warmIssued, statusCounts: r.warmStatuses },
          outboxEnd: r.outboxEnd,
          serveRssBytes: { start: r.rssStart, end: r.rssEnd },
          serverStopSeconds: r.stopSeconds,
        })),
        targets,
        profiles: profile,
      },
    };
  } finally {
    removeTempDir(keyDir);
  }
}

/** Server CPU milliseconds per license issued (201) at a level, or null when unknown. */
function cpuMsPerIssued(l: Level): number | null {
  return l.serverCores === null || l.issued === 0 ? null : (l.serverCores * l.seconds * 1000) / l.issued;
}

function loopMsPerIssued(l: Level): number | null {
  return l.eventLoopCores === null || l.issued === 0
    ? null
    : (l.eventLoopCores * l.seconds * 1000) / l.issued;
}

/**
 * What the target asks of the CPU on this machine: issuing API_TARGET × the ceiling per second with
 * every core the bench client leaves working for the servers allows at most this much server CPU per
 * license; beside it, what a license cost at the best level. Measured above it, the target cannot be
 * met here however the work is spread over threads and processes.
 */
function cpuBudgetNote(top: Level, ceiling: number, parallelism: number, processes: number): string {
  const needed = API_TARGET * ceiling;
  const budgetMs = ((parallelism - top.clientCores) / needed) * 1000;
  const costMs = cpuMsPerIssued(top);
  const loopMs = loopMsPerIssued(top);
  // Each HTTP process answers on one event loop: busy all the time, it issues at most 1000 / loopMs.
  const loopBound =
    loopMs === null
      ? ''
      : `; of that, its event loop${processes === 1 ? '' : 's'} took ${loopMs.toFixed(2)} ms: ` +
        `${processes === 1 ? 'one event loop' : `${processes} event loops`} busy all the time would issue at ` +
        `most ${formatRate((processes * 1000) / loopMs)}/s = ${formatRatio((processes * 1000) / loopMs / ceiling)} ` +
        'of the ceiling';
  return (
    `CPU budget of the target: ${formatRate(needed)} issued/s on ${parallelism} cores less the bench client's ` +
    `${top.clientCores.toFixed(2)} allows at most ${budgetMs.toFixed(2)} ms of server CPU per license, with every ` +
    `core busy; at the best level a license cost ${costMs === null ? '?' : costMs.toFixed(2)} ms${loopBound}`
  );
}

export const httpBench: BenchSection = {
  name: 'http',
  title: 'Issuance over HTTP (real `lifeline serve`, embedded default) vs the license-write ceiling',
  run,
};
