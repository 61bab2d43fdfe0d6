/**
 * Loopback peers for delivery tests that run the real `lifeline worker` in child processes: a real
 * SMTP server (smtp-server, no auth) and one HTTP server behaving like GitLab's issues API (find or
 * create by the description marker), Slack's chat.postMessage and Zendesk's tickets API (with two
 * screenshot attachments on every ticket). Every external effect is recorded once, when the peer
 * performs it, so a test can count duplicates per request, ticket or Message-ID.
 *
 * `delayMs` gives each exchange a random delay: half before the effect (the request is in flight),
 * half after it and before the reply (the effect happened but the caller does not know yet), so a
 * worker killed at a random moment is often caught in the middle.
 */
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { startHttpPeer, type HttpPeer, type RecordedRequest } from '../helpers/http-peer.js';
import { DASHBOARD_SHOT, serveTicketAttachments, SUBSCRIPTION_SHOT } from '../helpers/zendesk-attachments.js';

export const GITLAB_PROJECT = '42';

export interface PeerGitLabIssue {
  iid: number;
  title: string;
  description: string;
  labels: string;
  confidential: boolean;
  state: string;
  /** The request id from the `lifeline-request: <id>` marker, or '' without one. */
  requestId: string;
}

export interface PeerEmail {
  /** `<dlv_…@lifeline>` from the message header ('' when absent). */
  messageId: string;
  raw: Buffer;
}

export interface LoopbackPeers {
  smtpPort: number;
  http: HttpPeer;
  emails: PeerEmail[];
  gitlabIssues: PeerGitLabIssue[];
  gitlabNotes: { iid: number; body: string }[];
  /** `threadTs`: the post a follow-up answers (null for a post of its own). */
  slackPosts: { text: string; ts: string; threadTs: string | null }[];
  /** `body`: the note's HTML (`html_body`). */
  zendeskNotes: { ticketId: string; body: string; public: boolean }[];
  /** The environment that points `lifeline` at these peers. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export interface PeerOptions {
  /** Total delay of one exchange in ms (split before/after the effect); 0 by default. */
  delayMs?: () => number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The request id of a `lifeline-request: <id>` marker in a text, or ''. */
export function markerRequestId(text: string): string {
  return /lifeline-request: ([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
}

/** How many times each key occurs. */
export function tally<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

async function startSmtp(
  emails: PeerEmail[],
  delayMs: () => number,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 100,
    onData(stream: SMTPServerDataStream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // Only a message received to its final dot counts; a client killed mid-DATA sends none.
        if (stream.sizeExceeded) return callback(new Error('too big'));
        const raw = Buffer.concat(chunks);
        const header = raw.toString('utf8').split(/\r?\n\r?\n/, 1)[0] ?? '';
        const messageId = /^message-id:\s*(<[^>]+>)/im.exec(header)?.[1] ?? '';
        emails.push({ messageId, raw });
        setTimeout(() => callback(null, 'queued as LOOPBACK'), delayMs());
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('error', () => {
    // connections of killed workers end abruptly
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function startLoopbackPeers(options: PeerOptions = {}): Promise<LoopbackPeers> {
  const delayMs = options.delayMs ?? (() => 0);
  const emails: PeerEmail[] = [];
  const smtp = await startSmtp(emails, delayMs);
  const http = await startHttpPeer();
  const gitlabIssues: PeerGitLabIssue[] = [];
  const gitlabNotes: LoopbackPeers['gitlabNotes'] = [];
  const slackPosts: LoopbackPeers['slackPosts'] = [];
  const zendeskNotes: LoopbackPeers['zendeskNotes'] = [];
  let slackSeq = 0;

  /** Waits the first half, performs the effect, and answers after the second half. */
  const delayed =
    (effect: (req: RecordedRequest) => { status?: number; body?: unknown }) =>
    async (req: RecordedRequest) => {
      const total = delayMs();
      const before = Math.floor(total / 2);
      if (before > 0) await sleep(before);
      return { ...effect(req), delayMs: total - before };
    };

  const base = `/api/v4/projects/${GITLAB_PROJECT}`;
  const issueJson = (i: PeerGitLabIssue) => ({
    iid: i.iid,
    title: i.title,
    description: i.description,
    labels: i.labels.split(','),
    confidential: i.confidential,
    state: i.state,
    web_url: `${http.url}/support/requests/-/issues/${i.iid}`,
  });
  http.on(
    'GET',
    `${base}/issues`,
    delayed((req) => {
      const search = req.query['search'] ?? '\u0000';
      return { body: gitlabIssues.filter((i) => i.description.includes(search)).map(issueJson) };
    }),
  );
  http.on(
    'POST',
    `${base}/issues`,
    delayed((req) => {
      const b = req.body as Record<string, unknown>;
      const created: PeerGitLabIssue = {
        iid: gitlabIssues.length + 1,
        title: String(b['title']),
        description: String(b['description']),
        labels: String(b['labels']),
        confidential: b['confidential'] === true || b['confidential'] === 'true',
        state: 'opened',
        requestId: markerRequestId(String(b['description'])),
      };
      gitlabIssues.push(created);
      return { status: 201, body: issueJson(created) };
    }),
  );
  http.on(
    'PUT',
    new RegExp(`^${base}/issues/(\\d+)$`),
    delayed((req) => {
      const iid = Number(/(\d+)$/.exec(req.path)?.[1]);
      const found = gitlabIssues.find((i) => i.iid === iid);
      if (!found) return { status: 404, body: { message: '404 Not found' } };
      const edit = req.body as Record<string, unknown>;
      if (edit['state_event'] === 'close') found.state = 'closed';
      if (edit['state_event'] === 'reopen') found.state = 'opened';
      if (typeof edit['title'] === 'string') found.title = edit['title'];
      if (typeof edit['description'] === 'string') found.description = edit['description'];
      return { body: issueJson(found) };
    }),
  );
  http.on(
    'POST',
    new RegExp(`^${base}/issues/\\d+/notes$`),
    delayed((req) => {
      const iid = Number(/issues\/(\d+)\/notes$/.exec(req.path)?.[1]);
      const body = String((req.body as Record<string, unknown> | undefined)?.['body'] ?? '');
      gitlabNotes.push({ iid, body });
      return { status: 201, body: { id: gitlabNotes.length, body } };
    }),
  );
  http.on(
    'POST',
    '/api/chat.postMessage',
    delayed((req) => {
      // @slack/web-api posts form-encoded fields.
      const form = new URLSearchParams(req.rawBody);
      const text = form.get('text') ?? '';
      slackSeq += 1;
      const ts = `1764331200.${String(slackSeq).padStart(6, '0')}`;
      slackPosts.push({ text, ts, threadTs: form.get('thread_ts') });
      return { body: { ok: true, ts, channel: 'C1' } };
    }),
  );
  // Every ticket carries the two screenshots of step 1 (served from the fixtures).
  serveTicketAttachments(http, () => [SUBSCRIPTION_SHOT, DASHBOARD_SHOT]);
  http.on(
    'PUT',
    /^\/api\/v2\/tickets\/\d+\.json$/,
    delayed((req) => {
      const ticketId = /tickets\/(\d+)\.json$/.exec(req.path)?.[1] ?? '';
      const comment = (req.body as { ticket?: { comment?: { html_body?: string; public?: boolean } } }).ticket
        ?.comment;
      zendeskNotes.push({ ticketId, body: comment?.html_body ?? '', public: comment?.public !== false });
      return { body: { ticket: { id: Number(ticketId) } } };
    }),
  );

  return {
    smtpPort: smtp.port,
    http,
    emails,
    gitlabIssues,
    gitlabNotes,
    slackPosts,
    zendeskNotes,
    env: () => ({
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'Lifeline <lifeline@support.example>',
      TRACKER: 'gitlab',
      GITLAB_URL: http.url,
      GITLAB_TOKEN: 'glpat-test-token-123',
      GITLAB_PROJECT,
      CHAT: 'slack',
      SLACK_TOKEN: 'xoxb-test-token-456',
      SLACK_CHANNEL: '#support_licensing-subscription',
      SLACK_API_URL: `${http.url}/api/`,
      TICKETS: 'zendesk',
      ZENDESK_URL: http.url,
      ZENDESK_EMAIL: 'agent@support.example',
      ZENDESK_API_TOKEN: 'zd-test-token-789',
    }),
    async stop() {
      await smtp.stop();
      await http.close();
    },
  };
}
