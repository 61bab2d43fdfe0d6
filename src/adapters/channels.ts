/**
 * Chooses each delivery channel's adapter from the configuration: local (embedded default) or real.
 *
 * The adapters that need a client library (nodemailer, gitbeaker, the Slack client; Zendesk's
 * module beside them) are imported when their channel is first used, not when the app is built:
 * loading those libraries would cost a command that delivers nothing (`check`, `lookup`, `status`)
 * most of its start-up time. The configuration they are made from is validated beforehand.
 */
import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type {
  ChatNotifier,
  DeliveryChannels,
  IssueTracker,
  Mailer,
  TicketSystem,
} from '../core/deliveries/ports.js';
import { createLocalChat, createLocalTickets, createLocalTracker } from './local/local-channels.js';
import type { KyselyStore } from './store/kysely-store.js';

export function outboxDir(config: Config): string {
  return join(resolve(config.dataDir), 'outbox');
}

/** Every method of each port, so that a method added to a port must be added here too. */
const MAILER: Record<keyof Mailer, true> = { send: true, verify: true, close: true };
const TRACKER: Record<keyof IssueTracker, true> = {
  findIssueForRequest: true,
  createIssue: true,
  updateIssue: true,
  addNote: true,
  verify: true,
};
const CHAT: Record<keyof ChatNotifier, true> = { post: true, verify: true };
const TICKETS: Record<keyof TicketSystem, true> = {
  addInternalNote: true,
  imageAttachmentCount: true,
  imageAttachments: true,
  downloadAttachment: true,
  verify: true,
};

/**
 * The port `T`, made by `create` on the first call of any of its methods (once). `close` on an
 * adapter never made has nothing to close and makes none.
 */
function madeOnFirstUse<T extends object>(methods: Record<keyof T, true>, create: () => Promise<T>): T {
  type Methods = Record<string, (...args: unknown[]) => Promise<unknown>>;
  let made: Promise<Methods> | null = null;
  const port: Methods = {};
  for (const name of Object.keys(methods)) {
    port[name] = async (...args: unknown[]) => {
      if (name === 'close' && made === null) return undefined;
      made ??= create() as Promise<unknown> as Promise<Methods>;
      const adapter = await made;
      return adapter[name]!(...args);
    };
  }
  return port as unknown as T;
}

export function createChannels(config: Config, store: KyselyStore): DeliveryChannels {
  const { mail, tracker, chat, tickets } = config;
  return {
    mailer:
      mail.transport === 'smtp'
        ? madeOnFirstUse(MAILER, async () =>
            (await import('./mail/smtp-mailer.js')).createSmtpMailer({ url: mail.url }),
          )
        : madeOnFirstUse(MAILER, async () =>
            (await import('./mail/outbox-mailer.js')).createOutboxMailer(outboxDir(config)),
          ),
    tracker:
      tracker.kind === 'gitlab'
        ? madeOnFirstUse(TRACKER, async () =>
            (await import('./gitlab/tracker.js')).createGitLabTracker({
              url: tracker.url,
              token: tracker.token,
              project: tracker.project,
            }),
          )
        : createLocalTracker(store),
    chat:
      chat.kind === 'slack'
        ? madeOnFirstUse(CHAT, async () =>
            (await import('./slack/notifier.js')).createSlackNotifier({
              ...(chat.token ? { token: chat.token } : {}),
              channel: chat.channel,
              apiUrl: chat.apiUrl,
              ...(chat.webhookUrl ? { webhookUrl: chat.webhookUrl } : {}),
            }),
          )
        : createLocalChat(store),
    tickets:
      tickets.kind === 'zendesk'
        ? madeOnFirstUse(TICKETS, async () =>
            (await import('./zendesk/tickets.js')).createZendeskTickets({
              url: tickets.url,
              email: tickets.email,
              apiToken: tickets.apiToken,
            }),
          )
        : createLocalTickets(store),
  };
}
