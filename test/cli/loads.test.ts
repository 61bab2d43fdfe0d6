/**
 * The CLI loads only what a command needs: `license decode`, `keys generate`, `--help` and
 * `--version` load none of the server's modules or libraries, and `check`, which opens the database,
 * still loads no HTTP server, logger, mail, GitLab or Slack client, nor pg on SQLite.
 *
 * Each command runs in a child process preloaded with test/fixtures/record-loads (a module.register
 * resolve hook, require.cache and process.moduleLoadList at exit). The bundled CLI that
 * bin/lifeline.js runs is a few CommonJS files (found in require.cache): dist/cli/modules.json says
 * which modules each one holds. The same commands are also run unbundled (dist/src/cli/main.js),
 * where every import is seen by name.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS_DIR, VECTORS_DIR } from '../helpers/vectors.js';
import { BIN, REPO_ROOT, ensureBuilt, makeTempDir, removeTempDirs, securePrivateKeyCopy } from './helpers.js';

const RECORDER = join(REPO_ROOT, 'test', 'fixtures', 'record-loads', 'register.mjs');
const COMPILED_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

/** What a light command must never load: the server's libraries and modules. */
const SERVER_PACKAGES = [
  ...['fastify', 'kysely', 'better-sqlite3', 'pg', 'pino', 'nodemailer', 'zod'],
  ...['sharp', 'tesseract.js', 'jose', 'prom-client'],
];
const SERVER_SCOPES = ['@gitbeaker/', '@slack/', '@fastify/'];
const SERVER_MODULES =
  /^(dist\/)?src\/(config|config-file|app)(\.js$|\/)|^(dist\/)?src\/adapters\/(store|mail|gitlab|slack|zendesk|local|signing)\/|^(dist\/)?src\/interfaces\//;
/**
 * Node's public built-ins a light command may add to what printing to a pipe loads: its own (vm: the
 * launcher's code cache), and commander's (which requires child_process, and with it dgram, for
 * subcommands run as programs).
 */
const LIGHT_BUILTINS = new Set([
  ...['crypto', 'fs', 'fs/promises', 'path', 'url', 'module', 'os', 'util', 'vm'],
  ...['child_process', 'dgram', 'process', 'events'],
]);

interface Loaded {
  /** Files of the repository the process loaded (bundle chunks expanded into their modules). */
  modules: Set<string>;
  /** Packages under node_modules it loaded. */
  packages: Set<string>;
  /** Node's public built-in modules (process.moduleLoadList, `NativeModule x`, not internal/). */
  builtins: Set<string>;
  stdout: string;
}

const manifest = (): Record<string, { modules: string[] }> =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'cli', 'modules.json'), 'utf8')) as Record<
    string,
    { modules: string[] }
  >;

function packageOf(path: string): string | null {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return match?.[1] ?? null;
}

/** Runs `node --import RECORDER ...args` and returns what it loaded. */
function recorded(args: readonly string[], env: NodeJS.ProcessEnv = {}, allowedExits = [0]): Loaded {
  const log = join(makeTempDir('lifeline-loads-'), 'loads.log');
  const child = spawnSync(process.execPath, ['--import', RECORDER, ...args], {
    cwd: makeTempDir('lifeline-loads-cwd-'),
    env: { PATH: process.env['PATH'], NO_COLOR: '1', ...env, LIFELINE_LOAD_LOG: log },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status === null || !allowedExits.includes(child.status)) {
    throw new Error(`node ${args.join(' ')} exited with ${String(child.status)}:\n${child.stderr}`);
  }
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  const exitLine = lines.find((l) => l.startsWith('EXIT '));
  if (!exitLine) throw new Error(`no exit record in ${log}`);
  const exit = JSON.parse(exitLine.slice(5)) as { cjs: string[]; builtins: string[] };
  const chunks = manifest();
  const modules = new Set<string>();
  const files = [
    ...lines.filter((l) => l.startsWith('URL file:')).map((l) => fileURLToPath(l.slice(4))),
    ...exit.cjs,
  ];
  for (const file of files) {
    const path = relative(REPO_ROOT, file);
    const chunk = /^dist\/cli\/([^/]+\.c?js)$/.exec(path)?.[1];
    for (const m of chunk ? (chunks[chunk]?.modules ?? [`unknown chunk ${chunk}`]) : [path]) modules.add(m);
  }
  const packages = new Set([...modules].map(packageOf).filter((p): p is string => p !== null));
  const builtins = new Set(
    exit.builtins
      .filter((b) => b.startsWith('NativeModule ') && !b.startsWith('NativeModule internal/'))
      .map((b) => b.slice('NativeModule '.length)),
  );
  return { modules, packages, builtins, stdout: child.stdout };
}

function serverPartsIn(loaded: Loaded): string[] {
  return [
    ...[...loaded.packages].filter(
      (p) => SERVER_PACKAGES.includes(p) || SERVER_SCOPES.some((scope) => p.startsWith(scope)),
    ),
    ...[...loaded.modules].filter((m) => SERVER_MODULES.test(m)),
  ];
}

/** A data dir with the vectors' signing key, and pinned dates allowed. */
function dataEnv(): { dir: string; env: Record<string, string> } {
  const dir = makeTempDir();
  return {
    dir,
    env: {
      LIFELINE_DATA_DIR: join(dir, 'data'),
      LIFELINE_SIGNING_KEY_FILE: securePrivateKeyCopy(dir),
      LIFELINE_ALLOW_PINNED_DATES: 'true',
    },
  };
}

let work: string;
let reference: Loaded;
beforeAll(() => {
  ensureBuilt();
  work = makeTempDir();
  // What printing a line to a pipe loads (the streams of stdout), for the built-ins comparison.
  reference = recorded(['-e', 'process.stdout.write("x\\n"); process.stderr.write("")']);
}, 180_000);
afterAll(removeTempDirs);

const decodeArgs = (): string[] => [
  'license',
  'decode',
  join(VECTORS_DIR, 'premium_expired.gitlab-license'),
  '--public-key',
  join(KEYS_DIR, 'test_public.pem'),
];

const LIGHT_COMMANDS: [string, () => string[], RegExp][] = [
  ['--version', () => ['--version'], /^0\.1\.0$/m],
  ['--help', () => ['--help'], /license\s+read and write GitLab license files/],
  ['license decode', decodeArgs, /^Valid license/m],
  [
    'keys generate',
    () => ['keys', 'generate', '--out', join(work, `keys-${Math.random()}`)],
    /^Wrote a new/m,
  ],
];

describe.each([
  ['bundled, as bin/lifeline.js runs it', BIN],
  ['unbundled (dist/src/cli/main.js)', COMPILED_MAIN],
])('the CLI %s', (_how, entry) => {
  it.each(LIGHT_COMMANDS)('%s loads none of the server and only light built-ins', (_name, args, output) => {
    const loaded = recorded([entry, ...args()]);
    expect(loaded.stdout).toMatch(output);
    expect(serverPartsIn(loaded)).toEqual([]);
    // commander is the one library a light command loads.
    expect([...loaded.packages]).toEqual(['commander']);
    expect(loaded.modules).toContain('dist/src/cli/main.js');
    const extra = [...loaded.builtins].filter((b) => !reference.builtins.has(b));
    expect(extra.filter((b) => !LIGHT_BUILTINS.has(b))).toEqual([]);
  });

  it('license decode loads the license format and its command, and no command it does not run', () => {
    const loaded = recorded([entry, ...decodeArgs()]);
    expect(loaded.modules).toContain('dist/src/core/license/codec.js');
    expect(loaded.modules).toContain('dist/src/cli/commands/license.js');
    for (const other of ['requests', 'operations', 'maintenance', 'serve', 'keys'])
      expect(loaded.modules).not.toContain(`dist/src/cli/commands/${other}.js`);
  });

  it('check opens the database (kysely, better-sqlite3, the configuration) and loads no server, logger or delivery client', () => {
    const data = dataEnv();
    const env = {
      ...data.env,
      // Every delivery channel configured for real: their clients are loaded on first use only.
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: 'smtp://127.0.0.1:1',
      MAIL_FROM: 'Lifeline <lifeline@support.example>',
      TRACKER: 'gitlab',
      GITLAB_URL: 'http://127.0.0.1:1',
      GITLAB_TOKEN: 'glpat-not-used',
      GITLAB_PROJECT: '42',
      CHAT: 'slack',
      SLACK_TOKEN: 'xoxb-not-used',
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
    };
    const loaded = recorded(
      [
        entry,
        ...['check', '--ticket', '1001', '--email', 'ops@customer.example', '--seats', '120'],
        ...['--plan', 'premium', '--expires-at', '2026-11-14', '--previous-seats', '100'],
        ...['--maximum-users', '110', '--today', '2026-11-28'],
      ],
      env,
      [0, 1],
    );
    expect(loaded.stdout).toMatch(/eligible/i);
    // What it needs, seen through the bundle as well: the recording does see inside chunks.
    for (const p of ['kysely', 'better-sqlite3', 'zod']) expect(loaded.packages).toContain(p);
    expect(loaded.modules).toContain('dist/src/config.js');
    const unneeded = [...loaded.packages].filter((p) =>
      ['fastify', 'pino', 'pg', 'nodemailer', '@gitbeaker/rest', '@slack/web-api', 'jose'].includes(p),
    );
    expect(unneeded).toEqual([]);
    expect([...loaded.modules].filter((m) => m.startsWith('dist/src/interfaces/http/'))).toEqual([]);
    rmSync(data.dir, { recursive: true, force: true });
  });
});

describe('the bundle', () => {
  it("defers commander's child_process (and with it dgram) until something uses it: --help loads neither", () => {
    const loaded = recorded([BIN, '--help']);
    expect(loaded.stdout).toMatch(/^Usage: lifeline/m);
    // (net is loaded here anyway: standard output is a pipe.)
    for (const builtin of ['child_process', 'dgram']) expect(loaded.builtins).not.toContain(builtin);
  });
});

describe('license decode of a license Lifeline issued', () => {
  it('looks its fingerprint up in the store (loading the configuration and the database for it) and names the request', () => {
    const { dir, env } = dataEnv();
    const issue = spawnSync(
      process.execPath,
      [
        BIN,
        ...['issue', '--ticket', '1001', '--email', 'ops@customer.example', '--seats', '120'],
        ...['--plan', 'premium', '--expires-at', '2026-11-14', '--previous-seats', '100'],
        ...['--maximum-users', '110', '--today', '2026-11-28', '--no-deliver', '--json'],
      ],
      { cwd: dir, env: { PATH: process.env['PATH'], ...env }, encoding: 'utf8', timeout: 60_000 },
    );
    expect(issue.status, issue.stderr).toBe(0);
    const issued = JSON.parse(issue.stdout) as { id: string; license: { text: string } };
    const file = join(dir, 'issued.gitlab-license');
    writeFileSync(file, issued.license.text);
    const loaded = recorded(
      [BIN, 'license', 'decode', file, '--public-key', join(KEYS_DIR, 'test_public.pem'), '--json'],
      env,
    );
    expect(JSON.parse(loaded.stdout)).toMatchObject({ valid: true, issuedBy: { requestId: issued.id } });
    for (const p of ['kysely', 'better-sqlite3', 'zod']) expect(loaded.packages).toContain(p);
    expect(serverPartsIn(loaded).filter((m) => /fastify|pino|nodemailer|@gitbeaker|@slack/.test(m))).toEqual(
      [],
    );
  });
});
