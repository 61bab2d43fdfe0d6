/**
 * The chaos run's world: a private PostgreSQL, the loopback stand-ins, a key pair, and 2 `serve` +
 * 2 `worker` processes from the built CLI started together on the fresh database; and its teardown.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from './log.js';
import type { Options } from './options.js';
import { startChaosPeers, type ChaosPeers } from './peers.js';
import { freePort, query, startPrivatePostgres, type PrivatePostgres } from './postgres.js';
import { Supervised } from './processes.js';

// dist/src/tools/chaos/setup.js → the repository root (bin/lifeline.js launches the bundled CLI in dist/cli).
const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
export const BIN = join(ROOT, 'bin', 'lifeline.js');

export interface Cluster {
  postgres: PrivatePostgres;
  peers: ChaosPeers;
  /** The children's environment (nothing leaks from this shell). */
  env: NodeJS.ProcessEnv;
  servers: Supervised[];
  workers: Supervised[];
  /** The servers' base URLs, in the order of `servers`. */
  urls: string[];
  /** An engineer's API token for the load. */
  token: string;
}

/** What is undone whatever happens (also on a signal or exit): processes, PostgreSQL, the data directory. */
export class Scratch {
  postgres: PrivatePostgres | null = null;
  peers: ChaosPeers | null = null;
  readonly processes: Supervised[] = [];
  readonly dataDir = mkdtempSync(join(tmpdir(), 'lifeline-chaos-'));

  constructor() {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    process.once('exit', this.cleanup);
  }

  readonly cleanup = (): void => {
    for (const p of this.processes) p.killNow();
    this.postgres?.stop();
    this.postgres = null;
    rmSync(this.dataDir, { recursive: true, force: true });
  };

  private readonly onSignal = (): void => {
    this.cleanup();
    process.exit(130);
  };

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(5_000)));
    await this.peers?.close().catch(() => undefined);
    this.cleanup();
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

export async function setUp(
  options: Options,
  scratch: Scratch,
  check: (condition: boolean, what: string) => void,
): Promise<Cluster> {
  const postgres = await startPrivatePostgres(log);
  scratch.postgres = postgres;
  const pgUrl = postgres.url;
  const peers = await startChaosPeers();
  scratch.peers = peers;
  log(`stand-ins: SMTP on 127.0.0.1:${peers.smtpPort}, GitLab/Slack/Zendesk at ${peers.httpUrl}`);

  // A real key pair from the CLI, and the children's environment (nothing leaks from this shell).
  const keys = join(scratch.dataDir, 'keys');
  execFileSync(process.execPath, [BIN, 'keys', 'generate', '--out', keys], { stdio: 'ignore' });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? tmpdir(),
    TZ: 'UTC',
    NO_COLOR: '1',
    LIFELINE_DATA_DIR: scratch.dataDir,
    LIFELINE_ALLOW_PINNED_DATES: 'true',
    DATABASE_URL: pgUrl,
    LIFELINE_SIGNING_KEY_FILE: join(keys, 'private.pem'),
    LIFELINE_RATE_LIMIT_PER_USER: '1000000',
    LIFELINE_RATE_LIMIT_PER_CUSTOMER: '1000000',
    ...peers.env(),
  };

  // 2 servers + 2 workers, started together on the fresh database (they migrate at once).
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
  scratch.processes.push(...servers, ...workers);
  for (const p of scratch.processes) p.start();
  const up = await Promise.all(servers.map((s) => s.waitReady(60_000)));
  if (!up.every(Boolean)) {
    throw new Error(`the servers did not start:\n${servers.map((s) => s.lastLines()).join('\n---\n')}`);
  }
  const migrations = await query<{ name: string }>(pgUrl, 'select name from kysely_migration order by name');
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
  return { postgres, peers, env, servers, workers, urls, token };
}
