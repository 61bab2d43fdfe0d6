/**
 * Lookup by customer email, and the request list's search (`q`: the start of an email, a domain, a
 * company, a fingerprint; lookup-search.ts), with 1,000,000 stored requests (100,000 with --quick):
 * p50/p99 of `GET /api/v1/emergency-licenses?email=…` against a real `lifeline serve` child on that
 * data, at 1 and 8 connections (and `?q=` with a domain at 1), and the same lookups straight through
 * the store in this process — the index query alone (`findRequests`, for the email and for each kind
 * of search), and the route's whole work without HTTP (`findRequests` + `lookupById` of each request
 * on the page) — so that the HTTP and JSON cost can be told apart.
 *
 * The database: the real schema (the real migrations, through openSqliteStore), then filled in one
 * transaction with prepared statements on better-sqlite3 directly. Distribution: EMAILS_PER_ROW ×
 * rows distinct customer emails (200,000 for 1,000,000), 95 % of requests spread uniformly over them
 * and 5 % over 1,000 large customers (about 50 requests each, so a page of 50 is looked up too);
 * created_at spread over the 2 years before 2026-11-28, in order; statuses 75 % issued, 18 % refused,
 * the rest voided, rejected, failed, pending. Licenses, the four deliveries and the audit events
 * (a valid hash chain, format 1) are stored for the requests of every SAMPLE_EVERY-th email only; the
 * lookup path reads whatever exists, so the other requests are looked up without them.
 *
 * The filled database is cached in bench/.cache/ (gitignored), keyed by the schema (the latest
 * migration's name and a hash of the schema the migrations build), the fill version and the row
 * count; every run works on a copy in a temporary data dir (the cache stays untouched). A new fill
 * removes the cached databases of older schemas (~1.5 GiB per 1,000,000 rows); delete bench/.cache/
 * to fill again.
 */
import { createCipheriv, createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqliteStore } from '../src/adapters/store/sqlite/open.js';
import { migrationProvider } from '../src/adapters/store/migrations.js';
import { auditHash, detailsDigest } from '../src/core/audit.js';
import { lookupById } from '../src/core/issuance/index.js';
import { writeOnce } from './license-fixture.js';
import {
  formatMiB,
  formatRate,
  type BenchSection,
  type BenchSettings,
  type SectionResult,
} from './report.js';
import {
  QUICK,
  REPO_ROOT,
  benchEnv,
  createEngineerToken,
  load,
  ms,
  otherStatuses,
  percentiles,
  removeTempDir,
  startServe,
  tempDataDir,
  type LoadResult,
  type Percentiles,
  type ServeChild,
} from './serve-process.js';
import { seededRandom } from '../src/tools/seeded-random.js';
import { parseSearch, type SearchTerm } from '../src/core/issuance/search.js';
import { evidenceOf, searchQueries, termsOf, type SearchQuerySet } from './lookup-search.js';
import { unwrap } from '../src/core/outcome.js';

const ROWS = Number(process.env['BENCH_LOOKUP_ROWS']) || (QUICK ? 100_000 : 1_000_000);
const EMAILS = Math.max(1_000, Math.round(ROWS / 5));
const BIG_CUSTOMERS = 1_000;
const BIG_SHARE = 0.05;
/** Requests of every SAMPLE_EVERY-th email get their license, deliveries and audit events. */
const SAMPLE_EVERY = 20;
/** Bump when the fill changes: the cache key includes it. */
const FILL_VERSION = 2;
const LOOKUPS = QUICK ? 1_000 : 3_000;
/** Queries of each search kind (the broad ones repeat one query). */
const SEARCH_LOOKUPS = QUICK ? 300 : 1_000;
const WARMUP_LOOKUPS = 200;
const END = Date.parse('2026-11-28T00:00:00.000Z');
const SPAN_MS = 2 * 365 * 24 * 3600 * 1000;
const CACHE_DIR = join(REPO_ROOT, 'bench', '.cache');

const emailOf = (e: number): string => `it-ops@customer${e}.example`;

interface FillInfo {
  rows: number;
  emails: number;
  sampledRequests: number;
  licenses: number;
  deliveries: number;
  auditEntries: number;
  /** Rows of request_search (the search terms). */
  searchRows: number;
  fillSeconds: number;
  sizeBytes: number;
  filledAt: string;
  cacheFile: string;
}

/**
 * The schema version the cache is keyed by: the latest migration's name and a hash of the schema the
 * migrations build (sqlite_master of a fresh in-memory database), so that a changed migration —
 * even one not yet released — fills again.
 */
async function schemaKey(): Promise<string> {
  const names = Object.keys(await migrationProvider.getMigrations()).sort();
  const store = openSqliteStore(':memory:');
  try {
    await store.migrate();
    const { rows } = await sql<{ sql: string | null }>`select sql from sqlite_master order by name`.execute(
      store.db,
    );
    const hash = createHash('sha256')
      .update(rows.map((r) => r.sql ?? '').join('\n'))
      .digest('hex')
      .slice(0, 10);
    return `${names.at(-1) ?? 'none'}-${hash}`;
  } finally {
    await store.close();
  }
}

/** A fast keyed stream for ids: AES-CTR over a counter (deterministic, collision-free per counter). */
function idMaker(): (prefix: string, n: number) => string {
  const cipher = createCipheriv('aes-128-ecb', Buffer.alloc(16, 7), null);
  cipher.setAutoPadding(false);
  const block = Buffer.alloc(16);
  return (prefix, n) => {
    block.fill(0);
    block.write(prefix, 0, 'latin1');
    block.writeUInt32BE(n, 12);
    return `${prefix}_${cipher.update(block).toString('hex').slice(0, 20)}`;
  };
}

const STATUSES: { status: string; upTo: number }[] = [
  { status: 'issued', upTo: 0.75 },
  { status: 'refused', upTo: 0.93 },
  { status: 'voided', upTo: 0.96 },
  { status: 'rejected', upTo: 0.98 },
  { status: 'failed', upTo: 0.99 },
  { status: 'pending_approval', upTo: 1 },
];
const HOLDING = new Set(['issued', 'pending_approval', 'voided']);
const ENGINEERS = Array.from({ length: 40 }, (_, i) => `engineer${i}`);

function eligibilityJson(ticket: string, email: string, seats: number, refused: boolean): string {
  const facts =
    '{"source":"typed","plan":"premium","trial":null,"expiresAt":"2026-11-14","previousSeats":100,' +
    '"graceEndsOn":"2026-11-28","daysSinceGraceEnd":0,"peakUsers":null,"recommendedSeats":100,' +
    '"minimumSeats":null,"issuedByLifelineRequestId":null,"isWeekendOrHoliday":' +
    (refused ? 'false' : 'true') +
    ',"matchingRecentRequestIds":[]}';
  const refusals = refused
    ? '[{"code":"NOT_WEEKEND","message":"Today is a weekday and not a configured holiday: the emergency path is for weekends and holidays."}]'
    : '[]';
  return (
    `{"eligible":${refused ? 'false' : 'true'},"refusals":${refusals},"warnings":[],"facts":${facts},` +
    `"request":{"ticketId":"${ticket}","ticketUrl":null,"requesterEmail":"${email}","engineer":null,` +
    `"seats":${seats},"plan":"premium","expiresAt":"2026-11-14","previousSeats":100,"maximumUsers":null,` +
    `"billableUsers":null},"overridable":${refused ? 'true' : 'false'}}`
  );
}

/** Fills `path` (a new file) with ROWS requests; returns what was written. */
async function fill(path: string, log: (m: string) => void): Promise<Omit<FillInfo, 'cacheFile'>> {
  const started = performance.now();
  const store = openSqliteStore(path);
  await store.migrate();
  await store.close();

  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const licenseText = writeOnce(createPrivateKey(key.export({ type: 'pkcs8', format: 'pem' })));
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288');
  db.pragma('temp_store = MEMORY');
  const insertRequest = db.prepare(
    `insert into requests (id, ticket_id, ticket_claim, ticket_url, requester_email, engineer, actor_role,
       seats, issue_date, status, evidence, eligibility, override, decision, failure, voided, tracker_iid,
       tracker_url, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, 'engineer', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?)`,
  );
  const insertLicense = db.prepare(
    `insert into licenses (id, request_id, text, fingerprint, file_name, email, seats, issued_at, expires_at, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDelivery = db.prepare(
    `insert into deliveries (id, request_id, channel, purpose, status, recipient, attempts, last_error,
       next_attempt_at, created_at, updated_at, claimed_by, claimed_until, external_ref)
     values (?, ?, ?, 'issue', 'sent', ?, 1, null, null, ?, ?, null, null, ?)`,
  );
  const insertSearch = db.prepare('insert into request_search (kind, term, request_id) values (?, ?, ?)');
  let searchRows = 0;
  const fileSearch = (requestId: string, terms: readonly SearchTerm[]) => {
    for (const t of terms) insertSearch.run(t.kind, t.term, requestId);
    searchRows += terms.length;
  };
  const insertAudit = db.prepare(
    `insert into audit_log (seq, id, at, actor, action, request_id, details, details_digest, prev_hash, hash)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const random = seededRandom(20261128);
  const id = idMaker();
  let seq = 0;
  let prevHash = '0'.repeat(64);
  let licenses = 0;
  let deliveries = 0;
  let sampled = 0;
  const audit = (
    at: string,
    actor: string,
    action: string,
    requestId: string,
    details: Record<string, unknown>,
  ) => {
    seq++;
    const entry = {
      seq,
      id: id('aud', seq),
      at,
      actor,
      action,
      requestId,
      detailsDigest: detailsDigest(details as never),
    };
    const hash = auditHash(prevHash, entry);
    insertAudit.run(
      seq,
      entry.id,
      at,
      actor,
      action,
      requestId,
      JSON.stringify(details),
      entry.detailsDigest,
      prevHash,
      hash,
    );
    prevHash = hash;
  };

  const write = db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const e = random() < BIG_SHARE ? Math.floor(random() * BIG_CUSTOMERS) : Math.floor(random() * EMAILS);
      const email = emailOf(e);
      const createdMs = END - SPAN_MS + Math.floor(((i + random()) * SPAN_MS) / ROWS);
      const createdAt = new Date(createdMs).toISOString();
      const day = createdAt.slice(0, 10);
      const r = random();
      const status = (STATUSES.find((s) => r < s.upTo) ?? STATUSES[0])!.status;
      const ticket = String(100_000 + i);
      const seats = 50 + Math.floor(random() * 1950);
      const engineer = ENGINEERS[Math.floor(random() * ENGINEERS.length)] as string;
      const requestId = id('req', i);
      const issued = status === 'issued' || status === 'voided';
      const trackerIid = issued ? id('iss', i) : null;
      const evidence = evidenceOf(e);
      insertRequest.run(
        requestId,
        ticket,
        HOLDING.has(status) ? ticket : null,
        `https://acme.zendesk.com/agent/tickets/${ticket}`,
        email,
        engineer,
        seats,
        day,
        status,
        evidence.json,
        eligibilityJson(
          ticket,
          email,
          seats,
          status === 'refused' || status === 'pending_approval' || status === 'rejected',
        ),
        status === 'pending_approval' || status === 'rejected'
          ? '{"reason":"Customer is a bank; outage confirmed by the TAM on the call.","by":"' +
              engineer +
              '"}'
          : null,
        status === 'rejected' ? `{"by":"licensing0","at":"${createdAt}","reason":"Not an emergency."}` : null,
        status === 'failed' ? '{"code":"INTERNAL","message":"no license could be generated"}' : null,
        status === 'voided'
          ? `{"by":"licensing0","at":"${createdAt}","reason":"Issued for the wrong customer."}`
          : null,
        trackerIid,
        createdAt,
        createdAt,
      );
      if (i % 100_000 === 0 && i > 0) log(`lookup: ${i.toLocaleString('en-US')} rows`);
      const sampledIssued = e % SAMPLE_EVERY === 0 && issued;
      const licenseFingerprint = sampledIssued
        ? createHash('sha256').update(id('lic', i)).digest('hex')
        : null;
      fileSearch(requestId, termsOf(email, evidence.evidence, licenseFingerprint));
      if (e % SAMPLE_EVERY !== 0) continue;
      sampled++;
      const actor = `${engineer} (engineer)`;
      if (!issued) {
        audit(createdAt, actor, status === 'refused' ? 'request.refused' : `request.${status}`, requestId, {
          ticketId: ticket,
          issueDate: day,
        });
        continue;
      }
      const licenseId = id('lic', i);
      const fingerprint = createHash('sha256').update(licenseId).digest('hex');
      const expires = new Date(Date.parse(day) + 10 * 86_400_000).toISOString().slice(0, 10);
      insertLicense.run(
        licenseId,
        requestId,
        licenseText,
        fingerprint,
        `GitLab_Emergency_Trial_${day}.gitlab-license`,
        email,
        seats,
        day,
        expires,
        createdAt,
      );
      licenses++;
      audit(createdAt, actor, 'license.issued', requestId, {
        licenseId,
        fingerprint,
        seats,
        issuedAt: day,
        expiresAt: expires,
        deliveriesQueued: ['email', 'tracker', 'chat', 'ticket'],
        ticketId: ticket,
        issueDate: day,
        overriddenCodes: [],
      });
      const sentAt = new Date(createdMs + 40).toISOString();
      for (const [k, channel] of ['email', 'tracker', 'chat', 'ticket'].entries()) {
        const deliveryId = id('dlv', i * 4 + k);
        const ref =
          channel === 'email'
            ? `written to data/outbox/${deliveryId}.eml`
            : channel === 'tracker'
              ? trackerIid
              : channel === 'chat'
                ? id('post', i)
                : null;
        insertDelivery.run(
          deliveryId,
          requestId,
          channel,
          channel === 'email' ? email : null,
          createdAt,
          sentAt,
          ref,
        );
        deliveries++;
        audit(sentAt, 'delivery worker (admin)', 'delivery.sent', requestId, {
          deliveryId,
          channel,
          purpose: 'issue',
          attempts: 1,
        });
      }
      if (status === 'voided') {
        audit(createdAt, 'licensing0 (licensing)', 'request.voided', requestId, { reason: 'wrong customer' });
      }
    }
    db.prepare('update audit_head set seq = ?, hash = ? where id = 1').run(seq, prevHash);
  });
  log(`lookup: filling ${ROWS.toLocaleString('en-US')} requests in one transaction`);
  write();
  db.pragma('journal_mode = WAL');
  db.close();
  return {
    rows: ROWS,
    emails: EMAILS,
    sampledRequests: sampled,
    searchRows,
    licenses,
    deliveries,
    auditEntries: seq,
    fillSeconds: (performance.now() - started) / 1000,
    sizeBytes: statSync(path).size,
    filledAt: new Date().toISOString(),
  };
}

/** The cached database for this schema and size, filled now if missing. */
async function cachedDatabase(log: (m: string) => void): Promise<{ info: FillInfo; cached: boolean }> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `lookup-${await schemaKey()}-f${FILL_VERSION}-${ROWS}.db`);
  const infoFile = `${file}.json`;
  if (existsSync(file) && existsSync(infoFile)) {
    return { info: JSON.parse(readFileSync(infoFile, 'utf8')) as FillInfo, cached: true };
  }
  // A database of an older schema (same size) will not be used again: make room for the new one.
  for (const name of readdirSync(CACHE_DIR)) {
    if (
      name.startsWith('lookup-') &&
      name.includes(`-${ROWS}.db`) &&
      !file.endsWith(name.replace(/\.json$/, ''))
    )
      rmSync(join(CACHE_DIR, name), { force: true });
  }
  const tmp = `${file}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  try {
    const info: FillInfo = { ...(await fill(tmp, log)), cacheFile: file };
    renameSync(tmp, file);
    writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`);
    return { info, cached: false };
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal', '.migrate-lock'])
      rmSync(`${tmp}${suffix}`, { force: true });
  }
}

/** `count` distinct email indices, drawn uniformly (some have no request: a lookup that finds none). */
function pickEmails(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const picked = new Set<number>();
  while (picked.size < Math.min(count, EMAILS)) picked.add(Math.floor(random() * EMAILS));
  return [...picked].map(emailOf);
}

interface Measure {
  label: string;
  lookups: number;
  seconds: number;
  ms: Percentiles | null;
  /** Requests returned per lookup (store measures). */
  found?: Percentiles | null;
  statusCounts?: Record<string, number>;
  errors?: number;
  serverCores?: number | null;
}

async function timeEach(
  label: string,
  emails: readonly string[],
  work: (email: string) => Promise<number>,
): Promise<Measure> {
  const times: number[] = [];
  const found: number[] = [];
  const started = performance.now();
  for (const email of emails) {
    const t = performance.now();
    found.push(await work(email));
    times.push(performance.now() - t);
  }
  return {
    label,
    lookups: emails.length,
    seconds: (performance.now() - started) / 1000,
    ms: percentiles(times),
    found: percentiles(found),
  };
}

function httpLoad(
  server: ServeChild,
  token: string,
  connections: number,
  emails: readonly string[],
  parameter: 'email' | 'q' = 'email',
) {
  let next = 0;
  return {
    url: server.url,
    connections,
    amount: emails.length,
    timeout: 30,
    requests: [
      {
        method: 'GET',
        path: '/api/v1/emergency-licenses',
        headers: { authorization: `Bearer ${token}` },
        setupRequest: (request: { path?: string }) => {
          const email = emails[next++ % emails.length] as string;
          request.path = `/api/v1/emergency-licenses?${parameter}=${encodeURIComponent(email)}`;
          return request;
        },
      },
    ],
  };
}

async function httpMeasure(
  server: ServeChild,
  token: string,
  connections: number,
  emails: readonly string[],
  parameter: 'email' | 'q' = 'email',
): Promise<Measure> {
  const cpu0 = server.cpuSeconds();
  const r: LoadResult = await load(httpLoad(server, token, connections, emails, parameter));
  const cpu1 = server.cpuSeconds();
  const all = [...r.latencyByStatus.values()].flat();
  return {
    label: `HTTP${parameter === 'q' ? ' q=domain' : ''}, ${connections} client${connections === 1 ? '' : 's'}`,
    lookups: all.length,
    seconds: r.seconds,
    ms: percentiles(r.latencyByStatus.get(200) ?? []),
    statusCounts: r.statusCounts,
    errors: r.errors + r.timeouts,
    serverCores: cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / r.seconds,
  };
}

async function run(s: BenchSettings): Promise<SectionResult> {
  const loadBefore = loadavg();
  const { info, cached } = await cachedDatabase(s.log);
  s.log(
    `lookup: ${cached ? 'cached' : 'filled'} ${info.cacheFile} (${formatMiB(info.sizeBytes)}); copying it to a temporary data dir`,
  );
  const dataDir = tempDataDir('lifeline-bench-lookup-');
  const dbPath = join(dataDir, 'lifeline.db');
  let server: ServeChild | null = null;
  try {
    const copyStarted = performance.now();
    copyFileSync(info.cacheFile, dbPath);
    const copySeconds = (performance.now() - copyStarted) / 1000;

    // The query plan of the email lookup, as the store sends it.
    const plan = (() => {
      const db = new BetterSqlite3(dbPath, { readonly: true });
      try {
        return (
          db
            .prepare(
              'explain query plan select * from requests where requester_email = ? order by created_at desc, id desc limit ?',
            )
            .all(emailOf(1), 51) as { detail: string }[]
        )
          .map((r) => r.detail)
          .join('; ');
      } finally {
        db.close();
      }
    })();

    const storeEmails = pickEmails(LOOKUPS + WARMUP_LOOKUPS, 1);
    const routeEmails = pickEmails(LOOKUPS + WARMUP_LOOKUPS, 2);
    const httpEmails1 = pickEmails(LOOKUPS + WARMUP_LOOKUPS, 3);
    const httpEmails8 = pickEmails(LOOKUPS, 4);

    s.log(`lookup: ${LOOKUPS} lookups through the store in this process`);
    const store = openSqliteStore(dbPath);
    let direct: Measure;
    let route: Measure;
    let searchSets: SearchQuerySet[] = [];
    const searched: Measure[] = [];
    try {
      const findOnly = async (email: string) => (await store.findRequests({ email, limit: 51 })).length;
      const routeWork = async (email: string) => {
        const records = await store.findRequests({ email, limit: 51 });
        const page = records.slice(0, 50);
        const views = await Promise.all(page.map(async (r) => unwrap(await lookupById({ store }, r.id))));
        return JSON.stringify(views).length > 0 ? views.length : 0;
      };
      await timeEach('warm-up', storeEmails.slice(LOOKUPS), findOnly);
      direct = await timeEach('store findRequests', storeEmails.slice(0, LOOKUPS), findOnly);
      await timeEach('warm-up', routeEmails.slice(LOOKUPS), routeWork);
      route = await timeEach('store + lookupById each', routeEmails.slice(0, LOOKUPS), routeWork);
      const fingerprints = (
        await store.db.selectFrom('licenses').select('fingerprint').limit(5_000).execute()
      ).map((l) => l.fingerprint);
      searchSets = searchQueries(SEARCH_LOOKUPS, EMAILS, fingerprints, 5);
      const findQ = async (q: string) => {
        const parsed = parseSearch(q);
        if (!parsed.ok) throw new Error(`q=${q}: ${parsed.error}`);
        return (await store.findRequests({ search: parsed.value, limit: 51 })).length;
      };
      await timeEach('warm-up', searchSets[1]!.queries.slice(0, WARMUP_LOOKUPS), findQ);
      for (const set of searchSets) searched.push(await timeEach(`store ${set.label}`, set.queries, findQ));
    } finally {
      await store.close();
    }

    const env = benchEnv(dataDir);
    s.log('lookup: lifeline tokens create --role engineer; starting lifeline serve --port 0');
    const token = await createEngineerToken(env, 'bench-lookup');
    server = await startServe(env);

    // One lookup checked against the database: the API must return what is stored.
    const probe = emailOf(0);
    const res = await fetch(
      `${server.url}/api/v1/emergency-licenses?email=${encodeURIComponent(probe)}&limit=200`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    const body = (await res.json()) as { requests?: unknown[] };
    const expected = (() => {
      const db = new BetterSqlite3(dbPath, { readonly: true });
      try {
        return (
          db.prepare('select count(*) as n from requests where requester_email = ?').get(probe) as {
            n: number;
          }
        ).n;
      } finally {
        db.close();
      }
    })();
    if (res.status !== 200 || body.requests?.length !== Math.min(expected, 200)) {
      throw new Error(
        `GET ?email=${probe} answered ${res.status} with ${body.requests?.length ?? 'no'} requests; the database has ${expected}`,
      );
    }

    s.log(`lookup: HTTP warm-up (${WARMUP_LOOKUPS}), then ${LOOKUPS} lookups at 1 and at 8 connections`);
    await load(httpLoad(server, token, 1, httpEmails1.slice(LOOKUPS)));
    const http1 = await httpMeasure(server, token, 1, httpEmails1.slice(0, LOOKUPS));
    const http8 = await httpMeasure(server, token, 8, httpEmails8);
    const domains = searchSets[1]?.queries ?? [];
    const httpQ = await httpMeasure(server, token, 1, domains, 'q');
    const stopped = await server.stop();
    server = null;

    const measures = [direct, route, http1, http8, ...searched, httpQ];
    const row = (label: string, cell: (m: Measure) => string): string[] => [label, ...measures.map(cell)];
    return {
      columns: ['measure', ...measures.map((m) => m.label)],
      rows: [
        row('lookups', (m) => String(m.lookups)),
        row('lookups/s', (m) => formatRate(m.lookups / m.seconds)),
        row('p50 ms', (m) => ms(m.ms?.p50)),
        row('p90 ms', (m) => ms(m.ms?.p90)),
        row('p99 ms', (m) => ms(m.ms?.p99)),
        row('max ms', (m) => ms(m.ms?.max)),
        row('requests found, mean / max', (m) =>
          m.found ? `${m.found.mean.toFixed(1)} / ${m.found.max}` : '-',
        ),
        row('non-200 / errors', (m) =>
          m.statusCounts ? `${otherStatuses(m.statusCounts, [200])} / ${m.errors ?? 0}` : '-',
        ),
        row('server CPU, cores', (m) =>
          m.serverCores === undefined || m.serverCores === null ? '-' : m.serverCores.toFixed(2),
        ),
      ],
      targets: [],
      notes: [
        `${info.rows.toLocaleString('en-US')} requests, ${info.emails.toLocaleString('en-US')} customer emails ` +
          `(${BIG_SHARE * 100} % of requests on ${BIG_CUSTOMERS} large customers), created over 2 years; ` +
          `licenses, deliveries and audit events for the requests of every ${SAMPLE_EVERY}th email ` +
          `(${info.sampledRequests.toLocaleString('en-US')} requests: ${info.licenses.toLocaleString('en-US')} licenses, ` +
          `${info.deliveries.toLocaleString('en-US')} deliveries, ${info.auditEntries.toLocaleString('en-US')} audit entries)`,
        `database ${formatMiB(info.sizeBytes)}; ${cached ? `from the cache (filled ${info.filledAt} in ${info.fillSeconds.toFixed(1)} s)` : `filled now in ${info.fillSeconds.toFixed(1)} s`}` +
          ` (one transaction, prepared statements, real migrations); copied to the data dir in ${copySeconds.toFixed(1)} s; cache ${info.cacheFile}`,
        `query plan of the email lookup: ${plan}`,
        `search (q): ${info.searchRows.toLocaleString('en-US')} terms in request_search (a third of the customers ` +
          `gave a previous license with its licensee company); each q column: ${SEARCH_LOOKUPS} queries ` +
          `(customers drawn uniformly; the broad ones repeat one query) through findRequests for a page of 51; ` +
          `HTTP q=domain: the domain queries through the real serve child at 1 connection`,
        `each column: distinct emails drawn uniformly (a few have no request), after ${WARMUP_LOOKUPS} warm-up lookups ` +
          '(the file was just copied: the page cache is warm); the route asks for 51 (a page of 50 and the cursor) and reads ' +
          'each request again with its license, deliveries, events and tracker link (lookupById)',
        'store columns: sequential, in this process (the serve child not yet started); HTTP: real `lifeline serve` ' +
          `child (its delivery worker idle), autocannon in this process with ${s.parallelism} cores shared`,
        `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
        ...(stopped.code !== 0
          ? [`WARNING: serve exited with code ${stopped.code}, signal ${stopped.signal}`]
          : []),
      ],
      json: {
        settings: {
          rows: ROWS,
          emails: EMAILS,
          bigCustomers: BIG_CUSTOMERS,
          bigShare: BIG_SHARE,
          sampleEvery: SAMPLE_EVERY,
          lookups: LOOKUPS,
          warmupLookups: WARMUP_LOOKUPS,
          quick: QUICK,
          fillVersion: FILL_VERSION,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadavg(),
        },
        database: { ...info, cached, copySeconds, queryPlan: plan },
        measures,
      },
    };
  } finally {
    if (server) await server.stop(5_000).catch(() => undefined);
    removeTempDir(dataDir);
  }
}

export const lookupBench: BenchSection = {
  name: 'lookup',
  title: `Lookup by email and search (q) with ${ROWS.toLocaleString('en-US')} stored requests (store and real \`lifeline serve\`)`,
  run,
};
