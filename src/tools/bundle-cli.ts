/**
 * `npm run build`, after tsc: bundles the compiled CLI (dist/src/cli/main.js) into dist/cli/, which
 * bin/lifeline.js runs.
 *
 * Why: Node 20 loads ES modules one file at a time, and kysely (about 260 files) and zod (about 100)
 * cost a command that opens the database far more to load than to run. Bundled with the project's
 * own modules, they load as a few files. Every other package stays external (loaded from
 * node_modules as usual). Each `await import()` of the CLI stays a chunk of its own, loaded only by
 * the commands that need it; the worker-thread modules are entries beside them, where the modules
 * that start the threads look for them (src/adapters/thread-module.ts).
 *
 * dist/cli/modules.json lists the modules in each file, so that a test can tell what a command loads.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

/** Packages bundled into the CLI; every other one is imported from node_modules. */
export const BUNDLED_PACKAGES: readonly string[] = ['commander', 'kysely', 'zod'];

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const COMPILED = join(ROOT, 'dist', 'src');
export const CLI_BUNDLE_DIR = join(ROOT, 'dist', 'cli');

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
 * One build: `input`'s entries and their chunks written into dist/cli, and what each file holds. */
async function build(input: Record<string, string>): Promise<Record<string, ChunkModules>> {
  const bundle = await rolldown({
    input,
    platform: 'node',
    // The entries' exports are used by nobody: the modules they share with the commands' chunks
    // may then be merged into them (fewer files to load).
    preserveEntrySignatures: false,
    logLevel: 'warn',
    external: (id) => {
      if (id.startsWith('node:') || builtinModules.includes(id)) return true;
      const name = packageOf(id);
      return name !== null && !BUNDLED_PACKAGES.includes(name);
    },
  });
  try {
    const { output } = await bundle.write({
      dir: CLI_BUNDLE_DIR,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
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
 * The CLI, then the worker threads' modules on their own: a thread loads its modules anew anyway,
 * and sharing chunks with them would split the modules every command loads into more files.
 */
export async function bundleCli(): Promise<Record<string, ChunkModules>> {
  rmSync(CLI_BUNDLE_DIR, { recursive: true, force: true });
  const manifest = {
    ...(await build({ main: join(COMPILED, 'cli', 'main.js') })),
    ...(await build({
      'signing-thread': join(COMPILED, 'adapters', 'signing', 'signing-thread.js'),
      'delivery-thread-main': join(COMPILED, 'interfaces', 'worker', 'delivery-thread-main.js'),
    })),
  };
  writeFileSync(join(CLI_BUNDLE_DIR, 'modules.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const manifest = await bundleCli();
  process.stdout.write(`dist/cli: ${Object.keys(manifest).length} files\n`);
}
