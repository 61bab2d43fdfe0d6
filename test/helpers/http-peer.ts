/**
 * A small loopback HTTP server for adapter tests: it records every request and answers from
 * programmable replies, so an adapter can be pointed at `peer.url` instead of the real service.
 *
 *   const peer = await startHttpPeer();
 *   peer.on('POST', '/api/v4/projects/42/issues', { status: 201, body: { iid: 7 } });   // every time
 *   peer.once('GET', /\/issues$/, { status: 500 });                                    // next time only
 *   peer.enqueue({ status: 429, headers: { 'retry-after': '30' } });                   // next request, any path
 *   peer.on('GET', '/slow', { delayMs: 5_000, body: {} });                             // force a timeout
 *   peer.on('PUT', /^\/api\/v2\/tickets\/(\d+)\.json$/, (req) => ({ body: { ticket: { id: 1 } } }));
 *   …
 *   expect(peer.requests[0]).toMatchObject({ method: 'POST', path: '/…', body: { title: '…' } });
 *   await peer.close();
 *
 * Which reply answers a request: the first matching `once` route, else the global queue (`enqueue`),
 * else the last-registered matching `on` route, else the fallback handler given to `startHttpPeer`,
 * else 404 `{"message":"404 Not Found"}` (recorded like every other request).
 *
 * A reply's `body` is sent as JSON unless it is a string (sent as is, `text/plain` unless a
 * content-type header is given) or a Buffer (sent as bytes, `application/octet-stream` unless
 * given). `delayMs` waits before answering; `destroy: true` drops the
 * connection without a reply (a network error).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The path without the query, still percent-encoded (`/api/v4/projects/group%2Fproj`). */
  path: string;
  /** Query parameters, decoded; a repeated name keeps its last value (see `url` for the rest). */
  query: Record<string, string>;
  /** The full request target (path and query) as sent. */
  url: string;
  /** Lower-case header names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON when it is JSON, else the raw text; undefined when empty. */
  body: unknown;
  rawBody: string;
}

export interface PeerReply {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (to force a client timeout). */
  delayMs?: number;
  /** Drop the connection instead of answering. */
  destroy?: boolean;
}

export type PeerHandler = (request: RecordedRequest) => PeerReply | Promise<PeerReply>;

export type PathMatcher = string | RegExp;

export interface HttpPeer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Answer every matching request (the most recently registered match wins). */
  on(method: string, path: PathMatcher, reply: PeerReply | PeerHandler): void;
  /** Answer the next matching request only (before any `on` route or queued reply). */
  once(method: string, path: PathMatcher, reply: PeerReply | PeerHandler): void;
  /** Answer the next requests, whatever they are, in this order. */
  enqueue(...replies: (PeerReply | PeerHandler)[]): void;
  /** The recorded requests with this method (and path, when given). */
  requestsTo(method: string, path?: PathMatcher): RecordedRequest[];
  /** Forget routes, queue and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

interface Route {
  method: string;
  path: PathMatcher;
  reply: PeerReply | PeerHandler;
}

export async function startHttpPeer(fallback?: PeerHandler): Promise<HttpPeer> {
  const requests: RecordedRequest[] = [];
  let routes: Route[] = [];
  let onceRoutes: Route[] = [];
  let queue: (PeerReply | PeerHandler)[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const matches = (route: Route, req: RecordedRequest) =>
    route.method.toUpperCase() === req.method && matchPath(route.path, req.path);

  function pick(req: RecordedRequest): PeerReply | PeerHandler | undefined {
    const onceIndex = onceRoutes.findIndex((r) => matches(r, req));
    if (onceIndex !== -1) return onceRoutes.splice(onceIndex, 1)[0]?.reply;
    if (queue.length > 0) return queue.shift();
    for (let i = routes.length - 1; i >= 0; i -= 1) {
      const route = routes[i];
      if (route && matches(route, req)) return route.reply;
    }
    return fallback;
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const target = new URL(req.url ?? '/', 'http://peer');
    const recorded: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: target.pathname,
      query: Object.fromEntries(target.searchParams.entries()),
      url: req.url ?? '/',
      headers: req.headers,
      body: parseBody(rawBody),
      rawBody,
    };
    requests.push(recorded);
    const chosen = pick(recorded);
    const reply: PeerReply =
      chosen === undefined
        ? { status: 404, body: { message: '404 Not Found' } }
        : typeof chosen === 'function'
          ? await chosen(recorded)
          : chosen;
    if (reply.delayMs !== undefined && reply.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, reply.delayMs);
        timers.add(timer);
      });
    }
    if (res.destroyed || res.writableEnded) return;
    if (reply.destroy) {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { ...reply.headers };
    let payload: string | Buffer = '';
    if (reply.body !== undefined) {
      if (Buffer.isBuffer(reply.body)) {
        payload = reply.body;
        if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/octet-stream';
      } else if (typeof reply.body === 'string') {
        payload = reply.body;
        if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
      } else {
        payload = JSON.stringify(reply.body);
        if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
      }
    }
    res.writeHead(reply.status ?? 200, headers);
    res.end(payload);
  }

  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`http-peer handler failed: ${String(error)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on(method, path, reply) {
      routes.push({ method, path, reply });
    },
    once(method, path, reply) {
      onceRoutes.push({ method, path, reply });
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    requestsTo(method, path) {
      return requests.filter(
        (r) => r.method === method.toUpperCase() && (path === undefined || matchPath(path, r.path)),
      );
    },
    reset() {
      routes = [];
      onceRoutes = [];
      queue = [];
      requests.length = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function matchPath(matcher: PathMatcher, path: string): boolean {
  return typeof matcher === 'string' ? matcher === path : matcher.test(path);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
