/**
 * The stand-in's Zendesk Support API (with LIFELINE_ZENDESK_DEV): enough of it for Lifeline's own
 * ticket adapter when ZENDESK_URL is `http://localhost:PORT/zendesk/dev` — a ticket's comments with
 * its screenshot attachments (the committed fixture screenshots of a development checkout; the ones
 * the fake ticket page was last opened with, `?screenshots=`), each attachment's address and bytes,
 * internal notes accepted (and forgotten), and the API user. Credentials are not checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FakeTicket } from './page.js';

type Guard = { onRequest: (request: FastifyRequest, reply: FastifyReply) => Promise<void> };

const SHOTS = {
  '1': { name: 'subscription.png', fixture: 'subscription-light-100-inter.png' },
  '2': { name: 'dashboard.png', fixture: 'dashboard-light-100-inter.png' },
} as const;
const CARRIED: Record<string, (keyof typeof SHOTS)[]> = {
  both: ['1', '2'],
  subscription: ['1'],
  dashboard: ['2'],
  none: [],
};
/** The tickets whose page was opened, with their screenshots (the newest kept, at most this many). */
const REMEMBERED = 200;

export interface StandInTickets {
  /** The fake ticket page was opened: its screenshots are what its API serves. */
  opened(ticket: FakeTicket): void;
}

export function registerStandInTickets(
  server: FastifyInstance,
  guarded: Guard,
  root: string,
): StandInTickets {
  const dir = join(root, 'test', 'fixtures', 'screenshots', 'images');
  const tickets = new Map<string, string>();
  const base = (request: FastifyRequest) => `${request.protocol}://${request.headers.host ?? 'localhost'}`;
  const attachment = (request: FastifyRequest, id: keyof typeof SHOTS) => {
    const file = join(dir, SHOTS[id].fixture);
    return {
      id: Number(id),
      file_name: SHOTS[id].name,
      content_type: 'image/png',
      size: readFileSync(file).length,
      content_url: `${base(request)}/zendesk/dev/attachments/${id}/${SHOTS[id].name}`,
    };
  };
  // Without the fixtures (not a development checkout) tickets have no attachments.
  const carried = (ticket: string) => (existsSync(dir) ? (CARRIED[tickets.get(ticket) ?? 'both'] ?? []) : []);

  server.get<{ Params: { id: string } }>(
    '/zendesk/dev/api/v2/tickets/:id/comments.json',
    guarded,
    async (request) => ({
      comments: [
        {
          id: 1,
          body: 'Our GitLab license expired. Screenshots attached.',
          public: true,
          attachments: carried(request.params.id).map((id) => attachment(request, id)),
        },
      ],
      next_page: null,
    }),
  );
  server.get<{ Params: { file: string } }>(
    '/zendesk/dev/api/v2/attachments/:file',
    guarded,
    async (request, reply) => {
      const id = request.params.file.replace(/\.json$/, '');
      if (!(id in SHOTS) || !existsSync(dir))
        return reply.code(404).send({ error: 'RecordNotFound', description: 'Not found' });
      return { attachment: attachment(request, id as keyof typeof SHOTS) };
    },
  );
  server.get<{ Params: { id: string } }>(
    '/zendesk/dev/attachments/:id/:name',
    guarded,
    async (request, reply) => {
      const shot = SHOTS[request.params.id as keyof typeof SHOTS];
      if (!shot || !existsSync(dir)) return reply.code(404).send({ error: 'RecordNotFound' });
      return reply.type('image/png').send(readFileSync(join(dir, shot.fixture)));
    },
  );
  server.put('/zendesk/dev/api/v2/tickets/:file', guarded, async (request) => ({
    ticket: { id: Number((request.params as { file: string }).file.replace(/\.json$/, '')) || 0 },
  }));
  server.get('/zendesk/dev/api/v2/users/me.json', guarded, async () => ({
    user: { id: 1, name: 'Zendesk stand-in', email: 'stand-in@localhost', role: 'admin' },
  }));

  return {
    opened(ticket) {
      tickets.delete(ticket.ticket);
      tickets.set(ticket.ticket, ticket.screenshots);
      if (tickets.size > REMEMBERED) tickets.delete(tickets.keys().next().value as string);
    },
  };
}
