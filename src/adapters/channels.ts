/** Chooses each delivery channel's adapter from the configuration: local (embedded default) or real. */
import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { DeliveryChannels } from '../core/deliveries/ports.js';
import { createGitLabTracker } from './gitlab/tracker.js';
import { createLocalChat, createLocalTickets, createLocalTracker } from './local/local-channels.js';
import { createOutboxMailer } from './mail/outbox-mailer.js';
import { createSmtpMailer } from './mail/smtp-mailer.js';
import { createSlackNotifier } from './slack/notifier.js';
import type { KyselyStore } from './store/kysely-store.js';
import { createZendeskTickets } from './zendesk/tickets.js';

export function outboxDir(config: Config): string {
  return join(resolve(config.dataDir), 'outbox');
}

export function createChannels(config: Config, store: KyselyStore): DeliveryChannels {
  return {
    mailer:
      config.mail.transport === 'smtp'
        ? createSmtpMailer({ url: config.mail.url })
        : createOutboxMailer(outboxDir(config)),
    tracker:
      config.tracker.kind === 'gitlab'
        ? createGitLabTracker({
            url: config.tracker.url,
            token: config.tracker.token,
            project: config.tracker.project,
          })
        : createLocalTracker(store),
    chat:
      config.chat.kind === 'slack'
        ? createSlackNotifier({
            ...(config.chat.token ? { token: config.chat.token } : {}),
            channel: config.chat.channel,
            apiUrl: config.chat.apiUrl,
            ...(config.chat.webhookUrl ? { webhookUrl: config.chat.webhookUrl } : {}),
          })
        : createLocalChat(store),
    tickets:
      config.tickets.kind === 'zendesk'
        ? createZendeskTickets({
            url: config.tickets.url,
            email: config.tickets.email,
            apiToken: config.tickets.apiToken,
          })
        : createLocalTickets(store),
  };
}
