/**
 * Serves the built web console (`dist/web/console`, made by `vite build --config web/vite.config.ts`)
 * at `/` with its client routes, and the built Zendesk sidebar app (`dist/web/sidebar`) at
 * `/sidebar/` so that the development page can frame it. No credentials are needed for these files:
 * the console signs in through the API. Each answer sets a CSP that allows only the app's own
 * scripts, styles and API (no inline script, nothing from the internet).
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app.js';

/** The console's client routes: each answers index.html and the app shows the page. */
export const CONSOLE_ROUTES = [
  '/',
  '/login',
  '/issue',
  '/requests',
  '/requests/:id',
  '/approvals',
  '/inspect',
  '/dashboard',
  '/access',
] as const;

export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The sidebar as Lifeline serves it (for the development page, which frames it from the same origin). */
export const SIDEBAR_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The repository root: the nearest folder above this module with a package.json (src/ or dist/src/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return process.cwd();
}

export const DEFAULT_WEB_DIR = join(packageRoot(), 'dist', 'web');

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A file under `root` for a URL path below it, or null (no traversal, no dot files, no folders). */
async function fileUnder(root: string, relative: string): Promise<string | null> {
  const segments = relative.split('/').filter((s) => s !== '');
  if (segments.length === 0 || segments.length > 4 || !segments.every((s) => SAFE_SEGMENT.test(s)))
    return null;
  const path = resolve(root, ...segments);
  if (!path.startsWith(root + sep)) return null;
  try {
    return (await stat(path)).isFile() ? path : null;
  } catch {
    return null;
  }
}

interface Served {
  csp: string;
  frameOptions: 'DENY' | 'SAMEORIGIN';
}

async function sendFile(reply: FastifyReply, path: string, served: Served, immutable: boolean) {
  const body = await readFile(path);
  return reply
    .header('content-type', TYPES[extname(path)] ?? 'application/octet-stream')
    .header('content-security-policy', served.csp)
    .header('x-frame-options', served.frameOptions)
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .send(body);
}

function notBuilt(reply: FastifyReply, what: string) {
  return reply
    .code(503)
    .header('content-type', 'text/plain; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(`The ${what} is not built: run \`npm run build\` (it runs vite build into dist/web).\n`);
}

function notFound(reply: FastifyReply, requestId: string) {
  return reply
    .code(404)
    .type('application/json; charset=utf-8')
    .send({ error: { code: 'NOT_FOUND', message: 'no such file', requestId } });
}

/**
 * Registers the console and sidebar routes. `webDir` (default `dist/web` of the package) holds
 * `console/` and `sidebar/`.
 */
export function registerWeb(server: FastifyInstance, _app: App, webDir: string = DEFAULT_WEB_DIR): void {
  const consoleDir = resolve(webDir, 'console');
  const sidebarDir = resolve(webDir, 'sidebar');
  const consoleServed: Served = { csp: CONSOLE_CSP, frameOptions: 'DENY' };
  const sidebarServed: Served = { csp: SIDEBAR_CSP, frameOptions: 'SAMEORIGIN' };

  const consolePage = async (_request: unknown, reply: FastifyReply) => {
    const index = join(consoleDir, 'index.html');
    if (!existsSync(index)) return notBuilt(reply, 'web console');
    return sendFile(reply, index, consoleServed, false);
  };
  for (const url of CONSOLE_ROUTES) server.get(url, consolePage);

  server.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const file = await fileUnder(join(consoleDir, 'assets'), request.params['*']);
    if (!file) return notFound(reply, request.id);
    return sendFile(reply, file, consoleServed, true);
  });

  // Browsers ask every site for /favicon.ico; the console's pages name /favicon.svg.
  for (const name of ['favicon.ico', 'favicon.svg']) {
    server.get(`/${name}`, async (request, reply) => {
      const file = await fileUnder(consoleDir, name);
      if (!file) return notFound(reply, request.id);
      return sendFile(reply, file, consoleServed, false);
    });
  }

  server.get('/sidebar', async (_request, reply) => reply.redirect('/sidebar/', 301));
  server.get<{ Params: { '*': string } }>('/sidebar/*', async (request, reply) => {
    const wanted = request.params['*'] === '' ? 'index.html' : request.params['*'];
    if (!existsSync(join(sidebarDir, 'index.html'))) return notBuilt(reply, 'sidebar app');
    const file = await fileUnder(sidebarDir, wanted);
    if (!file) return notFound(reply, request.id);
    return sendFile(reply, file, sidebarServed, extname(file) !== '.html');
  });
}
