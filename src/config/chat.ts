/** The team's notification: local records (embedded default) or Slack (bot token or webhook). */
import { z } from 'zod';
import { choice, HTTP_URL, noWhitespace, spec, type RuleContext, type ValuesOf } from './fields.js';

export const DEFAULT_SLACK_CHANNEL = '#support_licensing-subscription';
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export type ChatConfig =
  | { kind: 'local'; channel: string }
  /** `token` and `webhookUrl` are secret. */
  | { kind: 'slack'; token?: string; channel: string; apiUrl: string; webhookUrl?: string };

export const CHAT = {
  CHAT: spec({
    group: 'chat',
    default: 'local',
    secret: false,
    description: 'local (posts kept in the database, shown in the console) or slack.',
    schema: choice(['local', 'slack']).default('local'),
  }),
  SLACK_TOKEN: spec({
    group: 'chat',
    default: null,
    secret: true,
    description: 'Slack bot token (xoxb-…) with chat:write. For slack, set this or SLACK_WEBHOOK_URL.',
    schema: z.string().optional(),
  }),
  SLACK_CHANNEL: spec({
    group: 'chat',
    default: DEFAULT_SLACK_CHANNEL,
    secret: false,
    description: 'Channel name or id the team notification is posted to (with SLACK_TOKEN).',
    schema: noWhitespace('a channel name or id').default(DEFAULT_SLACK_CHANNEL),
  }),
  SLACK_API_URL: spec({
    group: 'chat',
    default: DEFAULT_SLACK_API_URL,
    secret: false,
    description: 'Base URL of the Slack Web API (change only for a proxy or a test double).',
    schema: HTTP_URL.transform((u) => u + '/').default(DEFAULT_SLACK_API_URL),
  }),
  SLACK_WEBHOOK_URL: spec({
    group: 'chat',
    default: null,
    secret: true,
    description: 'Incoming webhook URL, instead of SLACK_TOKEN (posts to the webhook’s own channel). Secret.',
    schema: HTTP_URL.optional(),
  }),
};

export function chatRules(v: Partial<ValuesOf<typeof CHAT>>, r: RuleContext<keyof typeof CHAT>): void {
  if (v.CHAT === 'slack' && r.missing('SLACK_TOKEN') && r.missing('SLACK_WEBHOOK_URL')) {
    r.problem('SLACK_TOKEN', 'required when CHAT=slack (or set SLACK_WEBHOOK_URL instead)');
  }
  if (v.CHAT === 'local') r.localRefusal('CHAT', v.CHAT, 'the team would not be notified', 'CHAT=slack');
}

export function chatConfig(v: ValuesOf<typeof CHAT>): { chat: ChatConfig } {
  return {
    chat:
      v.CHAT === 'slack'
        ? {
            kind: 'slack',
            channel: v.SLACK_CHANNEL,
            apiUrl: v.SLACK_API_URL,
            ...(v.SLACK_TOKEN !== undefined ? { token: v.SLACK_TOKEN } : {}),
            ...(v.SLACK_WEBHOOK_URL !== undefined ? { webhookUrl: v.SLACK_WEBHOOK_URL } : {}),
          }
        : { kind: 'local', channel: v.SLACK_CHANNEL },
  };
}
