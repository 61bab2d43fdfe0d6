/**
 * Loopback peers for the deliveries bench: an SMTP server (smtp-server, no TLS, no auth) that notes
 * when each message has been received completely, and one node:http server answering like the three
 * HTTP services Lifeline talks to — just enough of each for a delivery to succeed:
 *
 *   GitLab   GET  /api/v4/projects/42/issues?search=…   → []  (no issue exists yet)
 *            POST /api/v4/projects/42/issues            → 201 {iid, web_url, state: opened, …}
 *            PUT  /api/v4/projects/42/issues/:iid       → {iid, web_url, state: closed, …}
 *   Slack    POST /api/chat.postMessage                 → {ok: true, ts, channel}
 *   Zendesk  GET  /api/v2/tickets/:id/comments.json     → one comment with two image attachments
 *            PUT  /api/v2/tickets/:id.json              → {ticket: {id}}
 *
 * Anything else gets a 404 and is counted under `unexpected`, so a wrong route shows in the report.
 * Bench code does not import from test/: these are small copies of what the tests' peers do.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { LOOPBACK_SMTP_OPTIONS } from '../src/tools/smtp-options.js';
import { parseBody, readBody } from '../src/tools/http-body.js';

export const GITLAB_PROJECT = '42';

export interface BenchPeers {
  /** `smtp://127.0.0.1:PORT` (no credentials: the server asks for none). */
  smtpUrl: string;
  /** `http://127.0.0.1:PORT`, serving GitLab, Slack and Zendesk. */
  httpUrl: string;
  /**
   * performance.now() when the SMTP server had the whole message (end of DATA, just before its
   * 250 reply), by recipient address (lower case).
   */
  emailAcceptedAt: Map<string, number>;
  /** Requests answered per route, e.g. `POST gitlab issues`; unknown routes under `unexpected`. */
  counts: Record<string, number>;
  close(): Promise<void>;
}

async function startSmtp(
  acceptedAt: Map<string, number>,
  count: (route: string) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    ...LOOPBACK_SMTP_OPTIONS,
    disabledCommands: [...LOOPBACK_SMTP_OPTIONS.disabledCommands],
    onData(stream: SMTPServerDataStream, session, callback) {
      stream.on('data', () => undefined); // the content itself is not kept
      stream.on('end', () => {
        const at = performance.now();
        for (const rcpt of session.envelope.rcptTo) acceptedAt.set(rcpt.address.toLowerCase(), at);
        count('SMTP DATA');
        callback(null, 'queued as BENCH');
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('error', () => undefined); // connections closed at the end are expected
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Reply {
  status?: number;
  body: unknown;
}

async function startHttp(
  count: (route: string) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const issuesPath = `/api/v4/projects/${GITLAB_PROJECT}/issues`;
  const issueEdit = new RegExp(`^${issuesPath}/(\\d+)$`);
  let url = '';
  let nextIid = 0;
  let nextTs = 0;
  const issue = (iid: number, state: string, b: Record<string, unknown> = {}) => ({
    id: 100_000 + iid,
    iid,
    project_id: Number(GITLAB_PROJECT),
    title: typeof b['title'] === 'string' ? b['title'] : `issue ${iid}`,
    description: typeof b['description'] === 'string' ? b['description'] : '',
    state,
    confidential: true,
    labels: typeof b['labels'] === 'string' ? b['labels'].split(',') : [],
    web_url: `${url}/support/requests/-/issues/${iid}`,
  });

  const route = (method: string, path: string, body: Record<string, unknown>): Reply | null => {
    if (path === issuesPath) {
      if (method === 'GET') {
        count('GET gitlab issues?search');
        return { body: [] };
      }
      if (method === 'POST') {
        count('POST gitlab issues');
        return { status: 201, body: issue(++nextIid, 'opened', body) };
      }
    }
    const edit = issueEdit.exec(path);
    if (edit && method === 'PUT') {
      count('PUT gitlab issues/:iid');
      const state = body['state_event'] === 'close' ? 'closed' : 'opened';
      return { body: issue(Number(edit[1]), state) };
    }
    if (method === 'POST' && path === '/api/chat.postMessage') {
      count('POST slack chat.postMessage');
      nextTs++;
      return { body: { ok: true, channel: 'C0BENCH', ts: `1764331200.${String(nextTs).padStart(6, '0')}` } };
    }
    const comments = /^\/api\/v2\/tickets\/(\d+)\/comments\.json$/.exec(path);
    if (comments && method === 'GET') {
      count('GET zendesk comments');
      return {
        body: {
          comments: [
            {
              id: 1,
              public: true,
              attachments: [
                { id: 11, file_name: 'admin-area.png', content_type: 'image/png' },
                { id: 12, file_name: 'license-page.jpg', content_type: 'image/jpeg' },
              ],
            },
          ],
          next_page: null,
          count: 1,
        },
      };
    }
    const ticket = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(path);
    if (ticket && method === 'PUT') {
      count('PUT zendesk ticket');
      return { body: { ticket: { id: Number(ticket[1]) } } };
    }
    return null;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then((raw) => {
        const path = new URL(req.url ?? '/', 'http://peer').pathname;
        const reply = route(req.method ?? 'GET', path, parseBody(raw, req.headers['content-type']));
        if (reply === null) count('unexpected');
        const json = JSON.stringify(reply?.body ?? { message: '404 Not Found' });
        res.writeHead(reply === null ? 404 : (reply.status ?? 200), {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(json),
        });
        res.end(json);
      })
      .catch(() => res.destroy());
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startBenchPeers(): Promise<BenchPeers> {
  const emailAcceptedAt = new Map<string, number>();
  const counts: Record<string, number> = {};
  const count = (route: string): void => {
    counts[route] = (counts[route] ?? 0) + 1;
  };
  const smtp = await startSmtp(emailAcceptedAt, count);
  const http = await startHttp(count);
  return {
    smtpUrl: smtp.url,
    httpUrl: http.url,
    emailAcceptedAt,
    counts,
    close: async () => {
      await Promise.all([smtp.close(), http.close()]);
    },
  };
}
