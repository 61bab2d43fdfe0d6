/**
 * `lifeline serve` (the HTTP API and the delivery worker, on a thread of its own, in one process)
 * and `lifeline tokens` (API tokens: create, list, revoke).
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createLoginLink } from '../../core/access/sessions.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../../core/access/tokens.js';
import { EXIT, LifelineError } from '../../core/errors.js';
import { unwrap } from '../../core/outcome.js';
import { ROLES, type Role } from '../../core/ports.js';
import { createHttpServer } from '../../interfaces/http/server.js';
import { runWorkerOnThread } from '../../interfaces/worker/delivery-thread.js';
import { runningServe, recordServeAddress } from '../../compose/serve-address.js';
import { publicUrlOf } from '../../config/oidc.js';
import { actorFrom, withApp } from '../context.js';
import { openAppWhenReachable } from './operations.js';
import type { CommandOutcome } from '../output.js';

function roleArg(value: string | undefined): Role {
  if (!value || !(ROLES as readonly string[]).includes(value)) {
    throw new LifelineError('USAGE', `--role must be one of ${ROLES.join(', ')}`);
  }
  return value as Role;
}

/** The CLI runs on the server host as its operator (PRODUCT.md §12): an admin. */
const operator = () => actorFrom({}, 'admin');

function nameArg(value: string | undefined): string {
  const name = (value ?? '').trim();
  if (name === '' || name.length > 100 || [...name].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new LifelineError('USAGE', '--name must be 1 to 100 printable characters');
  }
  return name;
}

export async function tokensCreate(o: { role?: string; name?: string }): Promise<CommandOutcome> {
  const role = roleArg(o.role);
  const name = nameArg(o.name);
  return withApp(async (app) => {
    const { token, secret } = unwrap(await createApiToken({ actor: operator(), name, role }, app.ports));
    return {
      exit: EXIT.OK,
      human: `Token ${token.id} (${role}, ${name}) created. Its secret, shown only now:\n${secret}`,
      json: { ...token, secret },
    };
  });
}

export function tokensList(): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const all = unwrap(await listApiTokens(operator(), app.ports));
    return {
      exit: EXIT.OK,
      human: all.length
        ? all
            .map(
              (t) =>
                `${t.id}  ${t.role.padEnd(9)} ${t.prefix}…  ${t.name}  created ${t.createdAt}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}`,
            )
            .join('\n')
        : 'No API tokens.',
      json: { tokens: all },
    };
  });
}

export function tokensRevoke(id: string): Promise<CommandOutcome> {
  return withApp(async (app) => {
    unwrap(await revokeApiToken(operator(), id, app.ports));
    return { exit: EXIT.OK, human: `Token ${id} revoked.`, json: { id, revoked: true } };
  });
}

export async function loginLink(o: {
  role?: string;
  name?: string;
  baseUrl?: string;
}): Promise<CommandOutcome> {
  const role = roleArg(o.role);
  const name = nameArg(o.name);
  const given = o.baseUrl?.replace(/\/+$/, '');
  if (given !== undefined && !/^https?:\/\/[^\s/]+$/.test(given))
    throw new LifelineError('USAGE', '--base-url must be like https://lifeline.example.com');
  return withApp(async (app) => {
    // Where people reach the server: LIFELINE_PUBLIC_URL, else where a running serve listens (its
    // --port may differ from PORT), else the configured HOST and PORT.
    const base =
      given ?? app.config.publicUrl ?? runningServe(app.config.dataDir)?.address ?? publicUrlOf(app.config);
    const { code, expiresAt } = unwrap(
      await createLoginLink({ actor: operator(), for: { name, role } }, app.ports),
    );
    const url = `${base}/login/link?code=${code}`;
    return {
      exit: EXIT.OK,
      human: `One-time login link for ${name} (${role}), valid until ${expiresAt}:\n${url}`,
      json: { url, expiresAt, name, role },
    };
  });
}

/** A listening address as people can open it: every interface (0.0.0.0, ::) shown as loopback. */
function shownAddress(address: string): string {
  const url = new URL(address);
  return publicUrlOf({ http: { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) } });
}

function portArg(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535) throw new LifelineError('USAGE', '--port must be 0 to 65535');
  return port;
}

export interface ServeOptions {
  host?: string;
  port?: string;
  log?: boolean;
  loginLink?: boolean;
  leaseSeconds?: string;
  worker?: boolean;
  processes?: string;
}

/** `--processes N|auto`: how many HTTP processes share the port (auto: one per CPU). */
function processesArg(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.max(1, availableParallelism());
  const n = Number(value);
  if (!/^\d{1,2}$/.test(value) || n < 1 || n > 64)
    throw new LifelineError('USAGE', '--processes must be "auto" or a whole number from 1 to 64');
  return n;
}

/** Resolves on the first SIGINT or SIGTERM; later ones are absorbed (never the default "exit now"). */
function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
}

/**
 * The address cannot be listened on: say which, why, and which setting chooses another, instead of
 * Node's raw `listen EADDRINUSE` as an internal error. Other errors pass unchanged.
 */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const why =
    code === 'EADDRINUSE'
      ? 'the address is already in use (another Lifeline, or another program, listens there): choose another port with --port or PORT, or stop the other program'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges): choose another port with --port or PORT'
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'this machine has no such address: choose another with --host or HOST (0.0.0.0 listens on every one)'
          : null;
  return why ? new LifelineError('CONFIG_INVALID', `cannot listen on ${where}: ${why}`) : error;
}

/** server.listen, with listenError's message when the address cannot be used. */
async function listenOn(
  server: Awaited<ReturnType<typeof createHttpServer>>,
  host: string,
  port: number,
): Promise<string> {
  try {
    return await server.listen({ host, port });
  } catch (error) {
    throw listenError(error, host, port);
  }
}

/**
 * One HTTP process of `serve --processes N` (a cluster worker): the API on the port the primary
 * shares, nothing else (the primary migrates, prints the logins and runs the delivery worker).
 */
async function serveHttpOnly(o: ServeOptions): Promise<CommandOutcome> {
  // The primary has printed the warnings (a development key) once.
  const app = await openAppWhenReachable(true, {
    signingThreads: { processes: processesArg(o.processes) },
  });
  const server = await createHttpServer(app, { logger: o.log === true });
  const stopped = stopSignal();
  try {
    const address = await listenOn(
      server,
      o.host ?? app.config.http.host,
      portArg(o.port, app.config.http.port),
    );
    process.send?.({ lifeline: 'listening', address });
    await stopped;
  } finally {
    await server.close();
    await app.close();
    // The IPC channel to the primary would keep this process alive. cluster.worker.disconnect (not
    // process.disconnect, after which cluster exits the process with 0 at once) lets it end with its
    // own exit code: the primary then reports why an HTTP process could not start.
    cluster.worker?.disconnect();
  }
  return { exit: EXIT.OK, human: '', json: { stopped: true } };
}

/**
 * The primary of `serve --processes N`: forks N HTTP processes that share one port (node:cluster
 * hands connections out in turn), waits until every one listens, restarts one that dies, and on
 * SIGINT/SIGTERM stops them (each finishes its requests in flight) before it stops itself.
 */
function startHttpProcesses(count: number): {
  listening: Promise<string>;
  stop: () => Promise<void>;
} {
  let stopping = false;
  let firstAddress: ((address: string) => void) | null = null;
  let failed: ((error: Error) => void) | null = null;
  const listening = new Promise<string>((resolve, reject) => {
    firstAddress = resolve;
    failed = reject;
  });
  let ready = 0;
  const fork = (restart: boolean): void => {
    const child = cluster.fork({ LIFELINE_SERVE_HTTP_PROCESS: '1' });
    child.on('message', (message: { lifeline?: string; address?: string }) => {
      if (message?.lifeline !== 'listening' || typeof message.address !== 'string') return;
      if (!restart && ++ready === count) firstAddress?.(message.address);
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      if (ready < count && !restart) {
        // Its own error is printed above; a configuration error (exit 3) stays one for the primary.
        failed?.(
          new LifelineError(
            code === EXIT.CONFIG ? 'CONFIG_INVALID' : 'INFRASTRUCTURE',
            `an HTTP process could not start (${signal ?? `exit code ${String(code)}`}; its error is above)`,
          ),
        );
        return;
      }
      process.stderr.write(
        `error [INTERNAL]: an HTTP process exited (${signal ?? code}); starting another\n`,
      );
      setTimeout(() => {
        if (!stopping) fork(true);
      }, 1000).unref();
    });
  };
  cluster.setupPrimary({ silent: false });
  for (let i = 0; i < count; i++) fork(false);
  const stop = async (): Promise<void> => {
    stopping = true;
    const children = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(
      children.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            const kill = setTimeout(() => w.process.kill('SIGKILL'), 30_000);
            w.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
  };
  return { listening, stop };
}

/** How long this process's in-process worker holds a claimed delivery (its default when absent). */
function leaseArg(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!/^\d{1,4}$/.test(value) || seconds < 1 || seconds > 3600)
    throw new LifelineError('USAGE', '--lease-seconds must be a whole number from 1 to 3600');
  return seconds;
}

export async function serve(o: ServeOptions): Promise<CommandOutcome> {
  const leaseSeconds = leaseArg(o.leaseSeconds);
  const processes = processesArg(o.processes);
  if (cluster.isWorker && process.env['LIFELINE_SERVE_HTTP_PROCESS'] === '1') return serveHttpOnly(o);
  // Waits (bounded) for a database that is restarting or not up yet, as `lifeline worker` does.
  // With HTTP processes the API is theirs, and so are the signing threads.
  // The one place `serve` says that its key is a development key (HTTP processes do not repeat it).
  const app = await openAppWhenReachable(true, {
    warnings: true,
    ...(processes === 1 ? { signingThreads: { processes } } : {}),
  });
  const port = portArg(o.port, app.config.http.port);
  const host = o.host ?? app.config.http.host;
  const server = processes === 1 ? await createHttpServer(app, { logger: o.log === true }) : null;
  let httpProcesses: ReturnType<typeof startHttpProcesses> | null = null;
  const stop = new AbortController();
  let worker: Promise<unknown> = Promise.resolve();
  let forgetAddress = (): void => undefined;
  const stopped = stopSignal();
  try {
    if (app.config.database.kind === 'sqlite' && (await app.ports.tokens.count()) === 0) {
      const { secret } = unwrap(
        await createApiToken({ actor: operator(), name: 'admin', role: 'admin' }, app.ports),
      );
      process.stdout.write(
        `One-time admin login (shown only now; create more with \`lifeline tokens create\`):\n  Authorization: Bearer ${secret}\n`,
      );
    }
    let address: string;
    if (server) {
      address = await listenOn(server, host, port);
    } else {
      httpProcesses = startHttpProcesses(processes);
      address = await httpProcesses.listening;
    }
    process.stdout.write(
      `Lifeline is listening on ${address} (console at ${address}/, API under ${address}/api/v1, docs at ${address}/docs)${server ? '' : ` in ${processes} HTTP processes`}\n`,
    );
    forgetAddress = recordServeAddress(app.config.dataDir, shownAddress(address));
    if (app.config.database.kind === 'sqlite' && o.loginLink !== false) {
      const { code } = unwrap(
        await createLoginLink({ actor: operator(), for: { name: 'admin', role: 'admin' } }, app.ports),
      );
      process.stdout.write(
        `One-time admin login link (valid 15 minutes, usable once; \`lifeline login-link\` makes another):\n  ${app.config.publicUrl ?? shownAddress(address)}/login/link?code=${code}\n`,
      );
    }
    const settings = leaseSeconds ? { settings: { leaseMs: leaseSeconds * 1000 } } : {};
    if (o.worker !== false) {
      worker = runWorkerOnThread(app, { signal: stop.signal, ...settings }).catch((error: unknown) => {
        process.stderr.write(
          `error [INTERNAL]: the delivery worker stopped: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      });
    }
    await stopped;
    process.stdout.write('Stopping: finishing requests in flight and the current deliveries…\n');
  } finally {
    forgetAddress();
    await server?.close();
    await httpProcesses?.stop();
    stop.abort();
    await worker;
    await app.close();
  }
  return { exit: EXIT.OK, human: 'Stopped.', json: { stopped: true } };
}
