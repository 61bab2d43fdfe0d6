/**
 * A private PostgreSQL cluster for the chaos run: initdb in a temporary directory, started on a free
 * port with its socket in that directory, restartable, and removed at the end. It never touches the
 * machine's shared server. As root the cluster runs as the `postgres` user (initdb refuses root).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PrivatePostgres {
  port: number;
  dir: string;
  /** `postgres://postgres@127.0.0.1:PORT/lifeline` (created by `start`). */
  url: string;
  /** pg_ctl restart -m fast (clients are disconnected; the server is back when it resolves). */
  restart(): Promise<void>;
  /** pg_ctl stop -m fast: the server is down until `startServer`. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  stop(): void;
}

/** The newest /usr/lib/postgresql/<version>/bin, or LIFELINE_CHAOS_PG_BIN. */
export function findPostgresBin(): string | null {
  const given = process.env['LIFELINE_CHAOS_PG_BIN'];
  if (given) return existsSync(join(given, 'pg_ctl')) ? given : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/**
 * A port free now, below Linux's ephemeral range (32768+) so that no outgoing connection of another
 * process takes it before the server restarted on it binds it again.
 */
export async function freePort(): Promise<number> {
  const tryPort = (port: number): Promise<number | null> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : null;
        server.close(() => resolve(bound));
      });
    });
  for (let i = 0; i < 50; i++) {
    const port = await tryPort(20_000 + Math.floor(Math.random() * 12_000));
    if (port !== null) return port;
  }
  const any = await tryPort(0);
  if (any === null) throw new Error('no free TCP port on 127.0.0.1');
  return any;
}

function postgresUid(): { uid: number; gid: number } | null {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPrivatePostgres(log: (line: string) => void): Promise<PrivatePostgres> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error('no PostgreSQL binaries (looked in /usr/lib/postgresql/*/bin, LIFELINE_CHAOS_PG_BIN)');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUid() : null;
  if (asRoot && !owner)
    throw new Error('running as root, but there is no `postgres` user to run the cluster');
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-chaos-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  writeFileSync(logFile, '');
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(logFile, owner.uid, owner.gid);
  }
  // pg_ctl's output goes to a file: a postmaster started by it keeps its stdout open, so a pipe there
  // would never reach end-of-file.
  const command = (tool: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const run = (tool: string, args: string[]): void => {
    const [file, argv] = command(tool, args);
    execFileSync(file, argv, { stdio: 'ignore', timeout: 120_000 });
  };
  const runAsync = (tool: string, args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const [file, argv] = command(tool, args);
      execFile(file, argv, { timeout: 120_000 }, (error) => (error ? reject(error) : resolve()));
    });
  const port = await freePort();
  let running = false;
  let options = '';
  const stop = (): void => {
    if (running) {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      running = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    run('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '60', 'start']);
    running = true;
    log(`private PostgreSQL (${bin}) on 127.0.0.1:${port}, data in ${data}`);
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('create database lifeline');
    await admin.end();
  } catch (error) {
    stop();
    throw error;
  }
  return {
    port,
    dir,
    url: `postgres://postgres@127.0.0.1:${port}/lifeline`,
    stopServer: () => runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']),
    startServer: () =>
      runAsync('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '60', 'start']),
    restart: () => runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-l', logFile, '-w', '-t', '60', 'restart']),
    stop,
  };
}

/** Runs one query on its own connection (the run's checks read the database directly). */
export async function query<T extends Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}
