/**
 * A real SMTP server (smtp-server) on 127.0.0.1 for the mail adapter tests: AUTH required, no TLS,
 * and hooks to make it refuse or drop the connection at a chosen step.
 */
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export const SMTP_USER = 'lifeline';
/** With characters that must be percent-encoded in a URL, to test that it never leaks. */
export const SMTP_PASSWORD = 'S3cr3t+p@ss/word';

export type RcptBehaviour = 'accept' | { reply: number; text: string } | 'drop';
export type DataBehaviour =
  'accept' | 'drop-after-content' | 'hang-after-content' | { reply: number; text: string };

export interface TestSmtpServer {
  port: number;
  /** Raw messages received completely (accepted or not). */
  received: Buffer[];
  rcpt: RcptBehaviour;
  data: DataBehaviour;
  /** The URL with the right credentials (or the given password). */
  url(password?: string): string;
  stop(): Promise<void>;
}

function replyError(reply: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: reply });
}

export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const sockets = new Set<Socket>();
  const socketOf = (session: SMTPServerSession): Socket | undefined =>
    [...sockets].find((s) => s.remotePort === session.remotePort);

  const state: TestSmtpServer = {
    port: 0,
    received: [],
    rcpt: 'accept',
    data: 'accept',
    url: (password = SMTP_PASSWORD) =>
      `smtp://${encodeURIComponent(SMTP_USER)}:${encodeURIComponent(password)}@127.0.0.1:${state.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server = new SMTPServer({
    secure: false,
    authOptional: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) {
        callback(null, { user: auth.username });
      } else {
        callback(replyError(535, 'Authentication credentials invalid'));
      }
    },
    onRcptTo(_address, session, callback) {
      const rcpt = state.rcpt;
      if (rcpt === 'accept') return callback();
      if (rcpt === 'drop') {
        socketOf(session)?.destroy();
        return;
      }
      callback(replyError(rcpt.reply, rcpt.text));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        state.received.push(Buffer.concat(chunks));
        const data = state.data;
        if (data === 'accept') return callback(null, 'queued as TEST1');
        if (data === 'drop-after-content') {
          socketOf(session)?.destroy();
          return;
        }
        if (data === 'hang-after-content') return; // never answers
        callback(replyError(data.reply, data.text));
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('error', () => {
    // a dropped connection is expected in these tests
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  state.port = (server.server.address() as AddressInfo).port;
  return state;
}
