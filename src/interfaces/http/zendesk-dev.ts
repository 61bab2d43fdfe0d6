/**
 * /zendesk/dev — a local stand-in for Zendesk's ticket sidebar, for developing and testing the
 * sidebar app without a Zendesk account (LIFELINE_ZENDESK_DEV=true, with ZENDESK_APP_SECRET):
 *
 * - `GET /zendesk/dev?ticket=1001&requester=…&requesterName=…&agent=…&agentName=…` a page like a
 *   ticket, with the built sidebar (`dist/web/sidebar/`) in a 320 px frame;
 * - `GET /zendesk/dev/app/…` the built sidebar, its page's ZAF SDK script pointed at
 * - `GET /zendesk/dev/zaf_sdk.js` a stand-in ZAFClient (`zendesk/dev/zaf_sdk.js`, no Zendesk code)
 *   whose client.request() posts to
 * - `POST /zendesk/dev/proxy`, which does what Zendesk's proxy does: puts the app's secure setting
 *   (the shared secret = ZENDESK_APP_SECRET) in place of `{{setting.shared_secret}}`, signs the JWT
 *   (HS256; the given claims plus iat and exp = now + expiry), puts it in place of `{{jwt.token}}`,
 *   and sends the request to this Lifeline's own API.
 *
 * The proxy signs an engineer's request for anyone who can reach it, so all of this is registered
 * only when enabled (otherwise /zendesk/dev… is an ordinary 404), the configuration refuses it in
 * production, and it answers only a loopback Host from a loopback peer (a page on another site,
 * even one whose name was re-pointed at 127.0.0.1, cannot use it). The shared secret goes only into
 * the JWT the proxy signs, never into a header or URL, whose values may come back.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import type { App } from '../../app.js';
import { isEmailAddress } from '../../core/limits.js';
import { escapeHtml } from '../../core/text/html.js';

export const ZAF_SDK_URL = 'https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js';
export const STAND_IN_SDK_PATH = '/zendesk/dev/zaf_sdk.js';
/** Only 'self', framed only by this origin (the dev page frames the sidebar). */
export const DEV_CSP =
  "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'self'";

export interface ZendeskDevOptions {
  /** The built sidebar (default: `dist/web/sidebar` of the project). */
  sidebarDir?: string;
}

/** The project's root: the nearest folder above this file with Lifeline's package.json. */
export function projectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'lifeline')
          return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('zendesk-dev: cannot find the Lifeline project folder');
    dir = parent;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

function pageHeaders(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .header('content-security-policy', DEV_CSP)
    .header('x-frame-options', 'SAMEORIGIN')
    .header('cache-control', 'no-store')
    .type(type);
}

/** A Host header naming this machine: localhost, 127.0.0.1 or [::1], with any port. */
const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;
const LOOPBACK_PEER = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/**
 * Whether a request may use the stand-in: a loopback Host (a DNS-rebinding page is served under
 * its own name) from a loopback peer (another machine could send any Host).
 */
function fromThisMachine(host: string | undefined, peer: string | undefined): boolean {
  return LOOPBACK_HOST.test(host ?? '') && LOOPBACK_PEER.test(peer ?? '');
}

async function loopbackOnly(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (fromThisMachine(request.headers.host, request.socket.remoteAddress)) return;
  await reply
    .code(403)
    .type('application/json; charset=utf-8')
    .send({
      error: {
        code: 'FORBIDDEN',
        message:
          'the Zendesk stand-in answers only on this machine: open it as localhost, 127.0.0.1 or [::1]',
        requestId: request.id,
      },
    });
}

interface FakeTicket {
  ticket: string;
  requester: string;
  requesterName: string;
  agent: string;
  agentName: string;
}

const DEFAULT_TICKET: FakeTicket = {
  ticket: '1001',
  requester: 'ops@customer.example',
  requesterName: 'Casey Customer',
  agent: 'engineer@example.com',
  agentName: 'Support Engineer',
};

/** The fake ticket of the query string, or the name of the first bad parameter. */
export function fakeTicket(query: unknown): { ticket: FakeTicket } | { field: string; rule: string } {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const ticket = { ...DEFAULT_TICKET };
  const matching = (pattern: RegExp) => (value: string) => pattern.test(value);
  const name = matching(/^[^<>\n\r]{1,100}$/);
  const rules: Record<keyof FakeTicket, [(value: string) => boolean, string]> = {
    ticket: [matching(/^[1-9][0-9]{0,11}$/), 'a ticket number'],
    requester: [isEmailAddress, 'an email address'],
    requesterName: [name, 'a name of at most 100 characters'],
    agent: [isEmailAddress, 'an email address'],
    agentName: [name, 'a name of at most 100 characters'],
  };
  for (const key of Object.keys(rules) as (keyof FakeTicket)[]) {
    const value = q[key];
    if (value === undefined || value === '') continue;
    const [valid, rule] = rules[key];
    if (typeof value !== 'string' || !valid(value)) return { field: key, rule: `must be ${rule}` };
    ticket[key] = value;
  }
  return { ticket };
}

const DEV_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#2f3941;background:#f8f9f9}
.zd-top{background:#03363d;color:#fff;padding:8px 16px;font-weight:600;display:flex;gap:12px;align-items:center}
.zd-top small{font-weight:400;opacity:.8}
.zd-main{display:flex;min-height:calc(100vh - 38px)}
.zd-ticket{flex:1;padding:20px 24px;min-width:0}
.zd-ticket h1{font-size:20px;margin:0 0 4px}
.zd-meta{color:#68737d;margin:0 0 16px}
.zd-comment{background:#fff;border:1px solid #d8dcde;border-radius:4px;padding:12px 16px;max-width:640px}
.zd-warning{margin-top:24px;max-width:640px;border-left:4px solid #cc3340;background:#fff0f1;padding:8px 12px}
.zd-apps{width:352px;flex:none;border-left:1px solid #d8dcde;background:#fff;padding:12px 16px}
.zd-apps h2{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#68737d;margin:0 0 8px}
.zd-app-head{display:flex;align-items:center;gap:8px;font-weight:600;margin-bottom:8px}
.zd-app-head img{width:20px;height:20px;border-radius:4px}
#lifeline-app{display:block;width:320px;height:640px;border:0}
.zd-missing{width:320px;padding:12px;border:1px dashed #c2c8cc;color:#68737d}
code{background:#f3f4f5;padding:1px 4px;border-radius:3px}
`;

function devPage(ticket: FakeTicket, sidebarBuilt: boolean): string {
  const frameQuery = new URLSearchParams({ ...ticket }).toString();
  const e = escapeHtml;
  const frame = sidebarBuilt
    ? `<iframe id="lifeline-app" title="Lifeline" src="/zendesk/dev/app/iframe.html?${e(frameQuery)}"></iframe>`
    : `<p class="zd-missing">The sidebar app is not built: build it (<code>vite build --mode sidebar</code> from <code>web/</code>) into <code>dist/web/sidebar/</code> and reload.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>#${e(ticket.ticket)} · Zendesk sidebar stand-in · Lifeline</title>
<link rel="stylesheet" href="/zendesk/dev/dev.css">
</head>
<body>
<header class="zd-top">Zendesk stand-in <small>Lifeline development page, not Zendesk</small></header>
<div class="zd-main">
<main class="zd-ticket">
<h1>Ticket #${e(ticket.ticket)}</h1>
<p class="zd-meta">Requester ${e(ticket.requesterName)} &lt;${e(ticket.requester)}&gt; · Assignee ${e(ticket.agentName)} &lt;${e(ticket.agent)}&gt;</p>
<div class="zd-comment">Our GitLab license expired and the instance is read-only since this morning. Can you help?</div>
<p class="zd-warning">This page imitates Zendesk’s ticket sidebar. Its proxy signs requests with <code>ZENDESK_APP_SECRET</code> for anyone who can open it: never set <code>LIFELINE_ZENDESK_DEV</code> outside development.</p>
</main>
<aside class="zd-apps" aria-label="Apps">
<h2>Apps</h2>
<div class="zd-app-head"><img src="/zendesk/dev/logo-small.png" alt="">Lifeline</div>
${frame}
</aside>
</div>
</body>
</html>
`;
}

// ───────────────────────────── the proxy ─────────────────────────────

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
/** Headers the proxy does not pass on (the browser's own credentials never go through it). */
const DROPPED_HEADERS = new Set([
  'cookie',
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'origin',
]);
/** `{{setting.NAME}}`, as Zendesk writes an app setting into a request. */
const SETTING = /\{\{\s*setting\.([A-Za-z0-9_]+)\s*\}\}/g;
/** The secure setting that holds ZENDESK_APP_SECRET. */
const SHARED_SECRET_SETTING = 'shared_secret';
const RETURNED_HEADERS = ['content-type', 'x-request-id', 'retry-after', 'content-disposition', 'location'];

class ProxyRefusal extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

interface ProxyOptions {
  url: string;
  type: string;
  contentType?: string;
  data?: string;
  headers: Record<string, string>;
  secure: boolean;
  jwt?: { algorithm: string; secret_key: string; expiry: number; claims: Record<string, unknown> };
}

function readProxyOptions(body: unknown): ProxyOptions {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ProxyRefusal('body', 'send a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b['url'] !== 'string' || b['url'] === '' || b['url'].length > 4096) {
    throw new ProxyRefusal('url', 'required');
  }
  const type = typeof b['type'] === 'string' ? b['type'].toUpperCase() : 'GET';
  if (!METHODS.has(type)) throw new ProxyRefusal('type', `must be one of ${[...METHODS].join(', ')}`);
  if (b['data'] !== undefined && b['data'] !== null && typeof b['data'] !== 'string') {
    throw new ProxyRefusal('data', 'must be a string (JSON.stringify it, as with Zendesk’s client.request)');
  }
  if (b['contentType'] !== undefined && typeof b['contentType'] !== 'string') {
    throw new ProxyRefusal('contentType', 'must be a string');
  }
  const headers: Record<string, string> = {};
  const rawHeaders = b['headers'] ?? {};
  if (typeof rawHeaders !== 'object' || rawHeaders === null || Array.isArray(rawHeaders)) {
    throw new ProxyRefusal('headers', 'must be an object of header names and values');
  }
  for (const [name, value] of Object.entries(rawHeaders)) {
    // Zendesk's proxy does not take underscores in header names either.
    if (!HEADER_NAME.test(name))
      throw new ProxyRefusal(`headers.${name.slice(0, 64)}`, 'is not a valid header name');
    if (typeof value !== 'string' || /[\r\n]/.test(value))
      throw new ProxyRefusal(`headers.${name}`, 'must be a string');
    headers[name.toLowerCase()] = value;
  }
  const options: ProxyOptions = { url: b['url'], type, headers, secure: b['secure'] === true };
  if (typeof b['contentType'] === 'string') options.contentType = b['contentType'];
  if (typeof b['data'] === 'string') options.data = b['data'];
  const jwt = b['jwt'];
  if (jwt !== undefined && jwt !== null) {
    if (typeof jwt !== 'object' || Array.isArray(jwt)) throw new ProxyRefusal('jwt', 'must be an object');
    const j = jwt as Record<string, unknown>;
    if (j['algorithm'] !== 'HS256') throw new ProxyRefusal('jwt.algorithm', 'the stand-in signs HS256 only');
    if (typeof j['secret_key'] !== 'string' || j['secret_key'] === '') {
      throw new ProxyRefusal('jwt.secret_key', 'required, e.g. "{{setting.shared_secret}}"');
    }
    const expiry = j['expiry'] ?? 3600;
    if (typeof expiry !== 'number' || !Number.isInteger(expiry) || expiry < 1 || expiry > 86_400) {
      throw new ProxyRefusal('jwt.expiry', 'must be a whole number of seconds from 1 to 86400');
    }
    const claims = j['claims'] ?? {};
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
      throw new ProxyRefusal('jwt.claims', 'must be an object');
    }
    options.jwt = {
      algorithm: 'HS256',
      secret_key: j['secret_key'],
      expiry,
      claims: claims as Record<string, unknown>,
    };
  }
  return options;
}

/** What Zendesk's proxy does with a `jwt` option: HS256 over the claims plus iat and exp = iat + expiry. */
export function signSidebarJwt(
  secret: string,
  claims: Record<string, unknown>,
  expirySeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + expirySeconds)
    .sign(new TextEncoder().encode(secret));
}

export function registerZendeskDev(server: FastifyInstance, app: App, options: ZendeskDevOptions = {}): void {
  const secret = app.config.zendeskAppSecret;
  // Off unless explicitly enabled (and with a secret to sign with): then /zendesk/dev… is a plain 404.
  if (app.config.zendeskDev !== true || !secret) return;

  const root = projectRoot();
  const sidebarDir = resolve(options.sidebarDir ?? join(root, 'dist', 'web', 'sidebar'));
  const standInSdk = readFileSync(join(root, 'zendesk', 'dev', 'zaf_sdk.js'));
  const logoSmall = readFileSync(join(root, 'zendesk', 'assets', 'logo-small.png'));
  const sidebarPage = (): string | null => {
    for (const name of ['iframe.html', 'index.html']) {
      const path = join(sidebarDir, name);
      if (existsSync(path)) return path;
    }
    return null;
  };

  // Every stand-in route answers only this machine (loopbackOnly).
  const guarded = { onRequest: loopbackOnly };
  server.get('/zendesk/dev', guarded, async (request, reply) => {
    const parsed = fakeTicket(request.query);
    if ('field' in parsed) {
      return pageHeaders(reply.code(400), 'text/plain; charset=utf-8').send(
        `${parsed.field}: ${parsed.rule}\n`,
      );
    }
    return pageHeaders(reply, 'text/html; charset=utf-8').send(
      devPage(parsed.ticket, sidebarPage() !== null),
    );
  });
  server.get('/zendesk/dev/dev.css', guarded, async (_request, reply) =>
    pageHeaders(reply, 'text/css; charset=utf-8').send(DEV_CSS),
  );
  server.get('/zendesk/dev/logo-small.png', guarded, async (_request, reply) =>
    pageHeaders(reply, 'image/png').send(logoSmall),
  );
  server.get(STAND_IN_SDK_PATH, guarded, async (_request, reply) =>
    pageHeaders(reply, 'text/javascript; charset=utf-8').send(standInSdk),
  );

  server.get('/zendesk/dev/app/*', guarded, async (request: FastifyRequest, reply: FastifyReply) => {
    const wanted = (request.params as Record<string, string>)['*'] ?? '';
    const notFound = () =>
      reply
        .code(404)
        .type('application/json; charset=utf-8')
        .send({ error: { code: 'NOT_FOUND', message: 'no such sidebar file', requestId: request.id } });
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(wanted)) return notFound();
    let path = resolve(sidebarDir, wanted);
    if (!path.startsWith(sidebarDir + sep)) return notFound();
    if (wanted === 'iframe.html') path = sidebarPage() ?? path;
    if (!existsSync(path) || !statSync(path).isFile()) return notFound();
    const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    if (wanted === 'iframe.html') {
      const html = readFileSync(path, 'utf8').split(ZAF_SDK_URL).join(STAND_IN_SDK_PATH);
      return pageHeaders(reply, type).send(html);
    }
    return pageHeaders(reply, type).send(readFileSync(path));
  });

  server.post('/zendesk/dev/proxy', guarded, async (request, reply) => {
    const refuse = (status: number, field: string, message: string) =>
      reply
        .code(status)
        .type('application/json; charset=utf-8')
        .send({
          error: {
            code: status === 403 ? 'FORBIDDEN' : 'VALIDATION_FAILED',
            message,
            field,
            requestId: request.id,
          },
        });
    let host = '';
    try {
      host = new URL(`${request.protocol}://${request.headers.host ?? ''}`).host; // normalised (default port)
    } catch {
      return refuse(400, 'host', 'host: the Host header is not readable');
    }
    const origin = request.headers.origin;
    // Only this origin's pages may use the proxy (a foreign page cannot send JSON without CORS anyway).
    if (typeof origin === 'string' && origin !== 'null') {
      let originHost = '';
      try {
        originHost = new URL(origin).host;
      } catch {
        // unreadable origin: refused below
      }
      if (originHost !== host)
        return refuse(403, 'origin', 'origin: the proxy serves this Lifeline’s own pages only');
    }

    let options: ProxyOptions;
    try {
      options = readProxyOptions(request.body);
    } catch (error) {
      if (error instanceof ProxyRefusal) return refuse(400, error.field, error.message);
      throw error;
    }

    // The URL and headers get the plain settings only: their values may come back (a request id is
    // echoed, a path is named in a 404). The shared secret goes into the JWT's key alone, and only
    // for requests marked secure, as Zendesk inserts secure settings.
    const plain: Record<string, string> = { backend_url: `${request.protocol}://${host}` };
    const fill = (text: string, settings: Record<string, string> = plain): string =>
      text.replace(SETTING, (whole, name: string) => settings[name] ?? whole);
    const secretIn = (text: string): boolean =>
      [...text.matchAll(SETTING)].some((m) => m[1] === SHARED_SECRET_SETTING);
    const placed = Object.entries(options.headers).map(([name, value]) => [`headers.${name}`, value]);
    for (const [at, value] of [['url', options.url], ...placed] as const) {
      if (options.secure && secretIn(value ?? '')) {
        return refuse(
          400,
          at,
          `${at}: the shared secret goes only into the JWT the proxy signs (jwt.secret_key)`,
        );
      }
    }

    let target: URL;
    try {
      target = new URL(fill(options.url), `${request.protocol}://${host}`);
    } catch {
      return refuse(400, 'url', 'url: not a URL');
    }
    // The domain whitelist of this stand-in: this Lifeline's own API, nothing else.
    if (target.host !== host || !target.pathname.startsWith('/api/')) {
      return refuse(
        400,
        'url',
        'url: the stand-in proxy forwards only to this Lifeline’s /api/ (its domainWhitelist)',
      );
    }

    let token: string | null = null;
    if (options.jwt) {
      if (!options.secure)
        return refuse(400, 'secure', 'secure: a signed (jwt) request must set secure: true');
      const key = fill(options.jwt.secret_key, { ...plain, [SHARED_SECRET_SETTING]: secret });
      if (/\{\{/.test(key)) return refuse(400, 'jwt.secret_key', 'jwt.secret_key: names an unknown setting');
      // At the app's time, as Lifeline will check it (Zendesk and Lifeline share one clock).
      const now = Math.floor(app.ports.clock.now().getTime() / 1000);
      token = await signSidebarJwt(key, options.jwt.claims, options.jwt.expiry, now);
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers)) {
      if (DROPPED_HEADERS.has(name)) continue;
      let filled = fill(value);
      if (filled.includes('{{jwt.token}}')) {
        if (token === null)
          return refuse(400, `headers.${name}`, `headers.${name}: {{jwt.token}} needs a jwt option`);
        filled = filled.split('{{jwt.token}}').join(token);
      }
      headers[name] = filled;
    }
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    else if (options.data !== undefined)
      headers['content-type'] = 'application/x-www-form-urlencoded; charset=UTF-8';

    const upstream = await server.inject({
      method: options.type as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: `${target.pathname}${target.search}`,
      headers,
      ...(options.data !== undefined && options.type !== 'GET' ? { payload: options.data } : {}),
    });
    const returned: Record<string, string> = {};
    for (const name of RETURNED_HEADERS) {
      const value = upstream.headers[name];
      if (typeof value === 'string') returned[name] = value;
      else if (typeof value === 'number') returned[name] = String(value);
    }
    return reply.type('application/json; charset=utf-8').send({
      status: upstream.statusCode,
      statusText: upstream.statusMessage,
      headers: returned,
      body: upstream.body,
    });
  });
}
