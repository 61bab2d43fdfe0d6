/**
 * `npm run build`, after tsc: bundles the compiled CLI (dist/src/cli/main.js) into dist/cli/, which
 * bin/lifeline.js runs.
 *
 * Why: a command's start-up is mostly loading code. Node 20 loads ES modules one file at a time, and
 * kysely (about 260 files) and zod (about 100) cost a command that opens the database far more to
 * load than to run; bundled with the project's own modules they load as a few files. The bundle is
 * CommonJS: Node loads it without starting its ES module loader, and bin/lifeline.js loads its
 * files with V8's code cache of each (written here, from runs of a few commands), which Node 20 can
 * do for scripts only, not ES modules. Every other package stays external, loaded from node_modules
 * as usual (the ES-only ones through require(), which Node 20.19 and later do). Each `await import()`
 * of the CLI stays a chunk of its own, loaded only by the commands that need it.
 *
 * The worker threads' modules are a second build, as ES modules beside the first, where the modules
 * that start the threads look for them (src/adapters/thread-module.ts).
 *
 * dist/cli/modules.json lists the modules in each file, so that a test can tell what a command loads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown, type ModuleFormat, type Plugin } from 'rolldown';

/** Packages bundled into the CLI; every other one is imported from node_modules. */
export const BUNDLED_PACKAGES: readonly string[] = ['commander', 'kysely', 'zod'];

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const COMPILED = join(ROOT, 'dist', 'src');
export const CLI_BUNDLE_DIR = join(ROOT, 'dist', 'cli');
/** The file bin/lifeline.js starts with, and V8's code cache of it. */
export const CLI_MAIN = join(CLI_BUNDLE_DIR, 'main.cjs');
export const CLI_MAIN_CODE_CACHE = `${CLI_MAIN}.cache`;

/** The package a bare import names (`@scope/name/sub` → `@scope/name`), or null for a path. */
function packageOf(id: string): string | null {
  if (id.startsWith('.') || id.startsWith('/') || id.startsWith('\0')) return null;
  const parts = id.split('/');
  return id.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? id);
}

export interface ChunkModules {
  /** The modules bundled in this file, relative to the repository root. */
  modules: string[];
  /** Files of the bundle and external packages it imports when loaded. */
  imports: string[];
  /** …and those it may import later (`await import`). */
  dynamicImports: string[];
}

/**
 * commander requires child_process when it is loaded, only to run subcommands that are programs of
 * their own (Lifeline has none); loading it also loads net, dgram and more, a good part of what
 * `--help` costs. Here commander gets it on first use instead.
 */
const DEFERRED_CHILD_PROCESS = '\0deferred-child-process';
const commandersChildProcess = (id: string, importer: string | undefined): boolean =>
  (id === 'node:child_process' || id === 'child_process') &&
  importer !== undefined &&
  importer.includes('/node_modules/commander/');
const deferChildProcess: Plugin = {
  name: 'defer-child-process',
  resolveId: (id, importer) => (commandersChildProcess(id, importer) ? DEFERRED_CHILD_PROCESS : null),
  load(id) {
    return id === DEFERRED_CHILD_PROCESS
      ? "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });"
      : null;
  },
};

/** One build: `input`'s entries and their chunks written into dist/cli, and what each file holds. */
async function build(
  input: Record<string, string>,
  format: ModuleFormat,
  extension: '.cjs' | '.js',
): Promise<Record<string, ChunkModules>> {
  const bundle = await rolldown({
    input,
    platform: 'node',
    logLevel: 'warn',
    // The entries' exports are used by nobody: the modules they share with the commands' chunks
    // may then be merged into them (fewer files to load).
    preserveEntrySignatures: false,
    plugins: [deferChildProcess],
    external: (id, importer) => {
      if (commandersChildProcess(id, importer)) return false;
      if (id.startsWith('node:') || builtinModules.includes(id)) return true;
      const name = packageOf(id);
      return name !== null && !BUNDLED_PACKAGES.includes(name);
    },
  });
  try {
    const { output } = await bundle.write({
      dir: CLI_BUNDLE_DIR,
      format,
      entryFileNames: `[name]${extension}`,
      chunkFileNames: `[name]-[hash]${extension}`,
      sourcemap: true,
    });
    const manifest: Record<string, ChunkModules> = {};
    for (const file of output) {
      if (file.type !== 'chunk') continue;
      manifest[file.fileName] = {
        modules: file.moduleIds.map((id) => relative(ROOT, id)),
        imports: file.imports,
        dynamicImports: file.dynamicImports,
      };
    }
    return manifest;
  } finally {
    await bundle.close();
  }
}

/**
 * Runs a few commands through bin/lifeline.js, which then writes the code cache of every file of the
 * bundle they loaded (the first run to load a file writes its cache): the help, a license decode and
 * an eligibility check on a throw-away embedded database. Each must succeed: the bundle runs.
 */
function writeCodeCaches(): void {
  const work = mkdtempSync(join(tmpdir(), 'lifeline-code-cache-'));
  const vectors = join(ROOT, 'test', 'fixtures', 'vectors');
  const runs: { args: string[]; exits: number[] }[] = [
    { args: ['--help'], exits: [0] },
    {
      args: [
        ...['license', 'decode', join(vectors, 'premium_expired.gitlab-license')],
        ...['--public-key', join(vectors, 'keys', 'test_public.pem')],
      ],
      exits: [0],
    },
    {
      args: [
        'check',
        '--ticket',
        '1',
        '--email',
        'ops@customer.example',
        '--seats',
        '10',
        '--plan',
        'premium',
      ],
      exits: [0, 1],
    },
  ];
  try {
    for (const { args, exits } of runs) {
      const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'lifeline.js'), ...args], {
        cwd: work,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: work,
          LIFELINE_DATA_DIR: join(work, 'data'),
          LIFELINE_WRITE_CODE_CACHE: '1',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (run.status === null || !exits.includes(run.status)) {
        throw new Error(
          `the bundled CLI failed \`lifeline ${args.join(' ')}\`: ${run.stderr || run.error?.message}`,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(CLI_MAIN_CODE_CACHE)) throw new Error(`no code cache was written (${CLI_MAIN_CODE_CACHE})`);
}

export async function bundleCli(): Promise<Record<string, ChunkModules>> {
  rmSync(CLI_BUNDLE_DIR, { recursive: true, force: true });
  const manifest = {
    ...(await build({ main: join(COMPILED, 'cli', 'main.js') }, 'cjs', '.cjs')),
    // The threads load their modules anew anyway: sharing chunks with the CLI would only split the
    // modules every command loads into more files.
    ...(await build(
      {
        'signing-thread': join(COMPILED, 'adapters', 'signing', 'signing-thread.js'),
        'delivery-thread-main': join(COMPILED, 'interfaces', 'worker', 'delivery-thread-main.js'),
      },
      'esm',
      '.js',
    )),
  };
  writeFileSync(join(CLI_BUNDLE_DIR, 'modules.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeCodeCaches();
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const manifest = await bundleCli();
  process.stdout.write(`dist/cli: ${Object.keys(manifest).length} files\n`);
}
