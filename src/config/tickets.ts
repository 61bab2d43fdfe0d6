/** The ticket system: none (embedded default) or Zendesk, and the sidebar app's shared secret. */
import { z } from 'zod';
import { choice, email, flag, HTTP_URL, need, spec, type RuleContext, type ValuesOf } from './fields.js';

export type TicketsConfig =
  | { kind: 'local' }
  /** `apiToken` is secret. */
  | { kind: 'zendesk'; url: string; email: string; apiToken: string };

export interface TicketsGroupConfig {
  tickets: TicketsConfig;
  /** Zendesk base URL without a trailing slash, also with TICKETS=local (for default ticket URLs). */
  zendeskUrl?: string;
  /** Secret: what the sidebar's signed requests are checked with. */
  zendeskAppSecret?: string;
  /** LIFELINE_ZENDESK_DEV: serve the /zendesk/dev sidebar stand-in (development only; set only when true). */
  zendeskDev?: boolean;
}

export const TICKETS = {
  TICKETS: spec({
    group: 'tickets',
    default: 'local',
    secret: false,
    description: 'local (no ticket system: no ticket notes or screenshot check) or zendesk.',
    schema: choice(['local', 'zendesk']).default('local'),
  }),
  ZENDESK_URL: spec({
    group: 'tickets',
    default: null,
    secret: false,
    description:
      'Zendesk base URL, https://SUBDOMAIN.zendesk.com. Required for zendesk; with local it still makes the default ticket URLs.',
    schema: HTTP_URL.optional(),
  }),
  ZENDESK_EMAIL: spec({
    group: 'tickets',
    default: null,
    secret: false,
    description: 'Email of the Zendesk agent the API token belongs to. Required for zendesk.',
    schema: email.optional(),
  }),
  ZENDESK_API_TOKEN: spec({
    group: 'tickets',
    default: null,
    secret: true,
    description: 'Zendesk API token. Required for zendesk.',
    schema: z.string().optional(),
  }),
  ZENDESK_APP_SECRET: spec({
    group: 'tickets',
    default: null,
    secret: true,
    description: 'Shared secret the sidebar app’s signed requests (HS256 JWT) are checked with.',
    schema: z.string().optional(),
  }),
  LIFELINE_ZENDESK_DEV: spec({
    group: 'tickets',
    default: 'false',
    secret: false,
    description:
      'true serves /zendesk/dev, a stand-in for the Zendesk ticket sidebar whose proxy signs sidebar requests for anyone: development only. Needs ZENDESK_APP_SECRET; refused in production.',
    schema: flag.default(false),
  }),
};

export function ticketsRules(
  v: Partial<ValuesOf<typeof TICKETS>>,
  r: RuleContext<keyof typeof TICKETS>,
): void {
  if (v.TICKETS === 'zendesk')
    r.requireFor('TICKETS=zendesk', ['ZENDESK_URL', 'ZENDESK_EMAIL', 'ZENDESK_API_TOKEN']);
  if (v.LIFELINE_ZENDESK_DEV === true) {
    r.requireFor('LIFELINE_ZENDESK_DEV=true', ['ZENDESK_APP_SECRET']);
    if (r.production) {
      r.problem(
        'LIFELINE_ZENDESK_DEV',
        'must not be true in production: its proxy signs requests for anyone',
      );
    }
  }
}

export function ticketsConfig(v: ValuesOf<typeof TICKETS>): TicketsGroupConfig {
  return {
    tickets:
      v.TICKETS === 'zendesk'
        ? {
            kind: 'zendesk',
            url: need(v.ZENDESK_URL),
            email: need(v.ZENDESK_EMAIL),
            apiToken: need(v.ZENDESK_API_TOKEN),
          }
        : { kind: 'local' },
    ...(v.ZENDESK_URL !== undefined ? { zendeskUrl: v.ZENDESK_URL } : {}),
    ...(v.ZENDESK_APP_SECRET !== undefined ? { zendeskAppSecret: v.ZENDESK_APP_SECRET } : {}),
    ...(v.LIFELINE_ZENDESK_DEV === true ? { zendeskDev: true } : {}),
  };
}
