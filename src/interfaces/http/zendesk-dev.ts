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
 *   and sends the request to this Lifeline's own API;
 * - `/zendesk/dev/api/v2/…` enough of Zendesk's Support API for ZENDESK_URL=…/zendesk/dev: the fake
 *   ticket's screenshot attachments (zendesk-dev/tickets.ts).
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
import type { App } from '../../app.js';
import { DEV_CSS, devPage, fakeTicket } from './zendesk-dev/page.js';
import { registerStandInTickets } from './zendesk-dev/tickets.js';
import {
  DROPPED_HEADERS,
  ProxyRefusal,
  readProxyOptions,
  RETURNED_HEADERS,
  SETTING,
  SHARED_SECRET_SETTING,
  signSidebarJwt,
  type ProxyOptions,
} from './zendesk-dev/proxy.js';

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
  const standInTickets = registerStandInTickets(server, guarded, root);
  server.get('/zendesk/dev', guarded, async (request, reply) => {
    const parsed = fakeTicket(request.query);
    if ('field' in parsed) {
      return pageHeaders(reply.code(400), 'text/plain; charset=utf-8').send(
        `${parsed.field}: ${parsed.rule}\n`,
      );
    }
    standInTickets.opened(parsed.ticket);
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
