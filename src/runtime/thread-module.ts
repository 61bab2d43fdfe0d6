/**
 * Where a worker thread's module is. Compiled, it sits beside the module that starts it; when that
 * module runs from TypeScript sources (the test runner), the compiled one under dist/ is used
 * (`npm test` builds first), since a thread cannot load TypeScript.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `file` (e.g. './signing-thread.js') next to `base` (the caller's import.meta.url). */
export function threadModuleUrl(file: string, base: string, what: string): URL {
  const here = new URL(file, base);
  if (!base.endsWith('.ts')) return here;
  const path = fileURLToPath(here);
  const at = path.lastIndexOf('/src/');
  const compiled = at < 0 ? path : `${path.slice(0, at)}/dist${path.slice(at)}`;
  if (!existsSync(compiled)) throw new Error(`${what} is not built (${compiled}); run npm run build`);
  return pathToFileURL(compiled);
}
