/**
 * Loopback stand-ins for the chaos run, each recording every effect when it happens so duplicates can
 * be counted: an SMTP server (smtp-server, no auth) that can be stopped and started again on the same
 * port, and one HTTP server answering like GitLab's issues API (find by the `lifeline-request:` marker,
 * create, close, notes), Slack's chat.postMessage and Zendesk's ticket API.
 * (Small copies of what test/deliveries/peers-helper.ts does: code under src/ does not import tests.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { LOOPBACK_SMTP_OPTIONS } from '../smtp-options.js';
import { TICKET_FOLLOW_UP_HEADING } from '../../core/deliveries/messages.js';
import { parseBody, readBody } from '../http-body.js';
import { freePort } from './postgres.js';

export const GITLAB_PROJECT = '42';

export interface ChaosPeers {
  smtpPort: number;
  httpUrl: string;
  /** Message-IDs of the emails received completely, in order (a repeat shows as a duplicate). */
  emails: string[];
  gitlabIssues: { iid: number; requestId: string; state: string; title: string }[];
  gitlabNotes: number;
  /** The texts of the Slack posts of their own (not the follow-ups answering them in a thread). */
  slackPosts: string[];
  /** The texts of the follow-ups (replies in a post's thread). */
  slackReplies: string[];
  /** The ticket of each Zendesk note, follow-ups aside. */
  zendeskNotes: string[];
  /** The ticket of each follow-up note. */
  zendeskFollowUps: string[];
  smtpUp(): boolean;
  stopSmtp(): Promise<void>;
  startSmtp(): Promise<void>;
  env(): Record<string, string>;
  close(): Promise<void>;
}

const markerOf = (text: string): string => /lifeline-request: ([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';

function smtpServer(emails: string[]): { server: SMTPServer; sockets: Set<Socket> } {
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    ...LOOPBACK_SMTP_OPTIONS,
    disabledCommands: [...LOOPBACK_SMTP_OPTIONS.disabledCommands],
    onData(stream: SMTPServerDataStream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const header =
          Buffer.concat(chunks)
            .toString('utf8')
            .split(/\r?\n\r?\n/, 1)[0] ?? '';
        emails.push(/^message-id:\s*(<[^>]+>)/im.exec(header)?.[1] ?? '');
        callback(null, 'queued as CHAOS');
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('error', () => undefined); // killed clients end their connections abruptly
  return { server, sockets };
}

export async function startChaosPeers(): Promise<ChaosPeers> {
  const emails: string[] = [];
  const gitlabIssues: ChaosPeers['gitlabIssues'] = [];
  const descriptions = new Map<number, string>();
  const slackPosts: string[] = [];
  const slackReplies: string[] = [];
  const zendeskNotes: string[] = [];
  const zendeskFollowUps: string[] = [];
  let gitlabNotes = 0;

  let smtp: ReturnType<typeof smtpServer> | null = null;
  // A fixed port below the ephemeral range, so that it is still free when the server comes back.
  let smtpPort = await freePort();
  const startSmtp = async (): Promise<void> => {
    if (smtp) return;
    const created = smtpServer(emails);
    await new Promise<void>((resolve, reject) => {
      created.server.server.once('error', reject);
      created.server.listen(smtpPort, '127.0.0.1', () => resolve());
    });
    smtpPort = (created.server.server.address() as AddressInfo).port;
    smtp = created;
  };
  const stopSmtp = async (): Promise<void> => {
    const current = smtp;
    if (!current) return;
    smtp = null;
    for (const socket of current.sockets) socket.destroy();
    await new Promise<void>((resolve) => current.server.close(() => resolve()));
  };
  await startSmtp();

  const issues = `/api/v4/projects/${GITLAB_PROJECT}/issues`;
  let url = '';
  const issueJson = (i: ChaosPeers['gitlabIssues'][number]) => ({
    id: 100_000 + i.iid,
    iid: i.iid,
    title: i.title,
    description: descriptions.get(i.iid) ?? '',
    state: i.state,
    confidential: true,
    labels: ['Mechanizer::Emergency License Generation'],
    web_url: `${url}/support/requests/-/issues/${i.iid}`,
  });
  const route = (method: string, path: string, query: URLSearchParams, body: Record<string, unknown>) => {
    if (path === issues && method === 'GET') {
      const search = query.get('search') ?? '\u0000';
      return {
        status: 200,
        body: gitlabIssues.filter((i) => (descriptions.get(i.iid) ?? '').includes(search)).map(issueJson),
      };
    }
    if (path === issues && method === 'POST') {
      const description = String(body['description'] ?? '');
      const created = {
        iid: gitlabIssues.length + 1,
        requestId: markerOf(description),
        state: 'opened',
        title: String(body['title'] ?? ''),
      };
      gitlabIssues.push(created);
      descriptions.set(created.iid, description);
      return { status: 201, body: issueJson(created) };
    }
    const edit = new RegExp(`^${issues}/(\\d+)$`).exec(path);
    if (edit && method === 'PUT') {
      const found = gitlabIssues.find((i) => i.iid === Number(edit[1]));
      if (!found) return { status: 404, body: { message: '404 Not found' } };
      if (body['state_event'] === 'close') found.state = 'closed';
      if (typeof body['title'] === 'string') found.title = body['title'];
      if (typeof body['description'] === 'string') descriptions.set(found.iid, body['description']);
      return { status: 200, body: issueJson(found) };
    }
    if (new RegExp(`^${issues}/\\d+/notes$`).test(path) && method === 'POST') {
      gitlabNotes++;
      return { status: 201, body: { id: gitlabNotes, body: String(body['body'] ?? '') } };
    }
    if (path === '/api/chat.postMessage' && method === 'POST') {
      (body['thread_ts'] ? slackReplies : slackPosts).push(String(body['text'] ?? ''));
      return {
        status: 200,
        body: {
          ok: true,
          channel: 'C0CHAOS',
          ts: `1764331200.${String(slackPosts.length + slackReplies.length).padStart(6, '0')}`,
        },
      };
    }
    if (/^\/api\/v2\/tickets\/\d+\/comments\.json$/.test(path) && method === 'GET') {
      return {
        status: 200,
        body: {
          comments: [{ id: 1, attachments: [{ content_type: 'image/png' }, { content_type: 'image/jpeg' }] }],
          next_page: null,
        },
      };
    }
    const ticket = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(path);
    if (ticket && method === 'PUT') {
      const comment = (body['ticket'] as { comment?: { html_body?: unknown } } | undefined)?.comment;
      const html = String(comment?.html_body ?? '');
      (html.includes(TICKET_FOLLOW_UP_HEADING) ? zendeskFollowUps : zendeskNotes).push(ticket[1] ?? '');
      return { status: 200, body: { ticket: { id: Number(ticket[1]) } } };
    }
    return { status: 404, body: { message: '404 Not Found' } };
  };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then((raw) => {
        const target = new URL(req.url ?? '/', 'http://peer');
        const reply = route(
          req.method ?? 'GET',
          target.pathname,
          target.searchParams,
          parseBody(raw, req.headers['content-type']),
        );
        const json = JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(json);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  return {
    get smtpPort() {
      return smtpPort;
    },
    httpUrl: url,
    emails,
    gitlabIssues,
    get gitlabNotes() {
      return gitlabNotes;
    },
    slackPosts,
    slackReplies,
    zendeskNotes,
    zendeskFollowUps,
    smtpUp: () => smtp !== null,
    stopSmtp,
    startSmtp,
    env: () => ({
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: 'Lifeline <lifeline@support.example>',
      TRACKER: 'gitlab',
      GITLAB_URL: url,
      GITLAB_TOKEN: 'glpat-chaos-token-123',
      GITLAB_PROJECT,
      CHAT: 'slack',
      SLACK_TOKEN: 'xoxb-chaos-token-456',
      SLACK_CHANNEL: '#support_licensing-subscription',
      SLACK_API_URL: `${url}/api/`,
      TICKETS: 'zendesk',
      ZENDESK_URL: url,
      ZENDESK_EMAIL: 'agent@support.example',
      ZENDESK_API_TOKEN: 'zd-chaos-token-789',
    }),
    close: async () => {
      await stopSmtp();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
