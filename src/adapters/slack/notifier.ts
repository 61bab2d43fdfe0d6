/**
 * The ChatNotifier port on Slack (PRODUCT.md §6.3): `chat.postMessage` through @slack/web-api with a
 * bot token, or an incoming webhook (plain fetch) when only `webhookUrl` is configured.
 *
 * The WebClient is built with no retries (`retryConfig.retries = 0`) and `rejectRateLimitedCalls`, so
 * a 429 comes back at once with its `Retry-After` instead of being waited out inside the client; the
 * caller's outbox decides retries. Failures become `DeliveryError`s:
 *
 * | Slack says                                                         | kind      |
 * | ------------------------------------------------------------------ | --------- |
 * | HTTP 429, or `ok:false` `ratelimited`                              | temporary, `retryAfterMs` |
 * | network error, timeout, HTTP 5xx, `ok:false` `internal_error`, `fatal_error`, `service_unavailable`, `request_timeout` | temporary |
 * | `ok:false` `invalid_auth`, `not_authed`, `account_inactive`, `token_revoked`, `token_expired`, `no_permission`, `missing_scope`, `channel_not_found`, `not_in_channel`, `is_archived`, `restricted_action`, `msg_too_long`, `no_text`, `invalid_arguments` … | permanent |
 * | webhook 400/403/404/410 (`invalid_token`, `no_service`, `channel_not_found`, …) | permanent |
 *
 * Slack has no idempotency key: a post whose reply was lost (timeout) may have gone out, and a retry
 * posts it again. The `meta.requestId` the port passes is not needed here; `meta.threadRef` (a
 * decision, a follow-up) is the post's `ts`, answered in its thread. After a post, its permalink is
 * asked for (`chat.getPermalink`) for the request's record; without it the post still counts. A webhook cannot answer in a thread and
 * returns no `ts`: there a follow-up is a message of its own (its text names the request).
 */
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { DeliveryError, type ChatNotifier } from '../../core/deliveries/ports.js';
import { DEFAULT_TIMEOUT_MS, excerpt, networkError, statusError } from '../http-errors.js';

export interface SlackNotifierOptions {
  /** Bot token (`xoxb-…`); when absent, `webhookUrl` is used. */
  token?: string;
  /** Channel name (`#support_licensing-subscription`) or id. Ignored by webhooks (they post to their own channel). */
  channel: string;
  /** Web API base URL, `https://slack.com/api/` by default (tests point it at a loopback server). */
  apiUrl: string;
  webhookUrl?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** Slack error codes that are worth retrying later; every other `ok:false` error is permanent. */
const TEMPORARY_SLACK_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

const PERMANENT_EXPLANATIONS: Record<string, string> = {
  invalid_auth: 'Slack refused the token',
  not_authed: 'Slack received no token',
  account_inactive: 'the Slack token belongs to a deactivated user or app',
  token_revoked: 'the Slack token was revoked',
  token_expired: 'the Slack token has expired',
  no_permission: 'the Slack token lacks the permission to post',
  missing_scope: 'the Slack token lacks the chat:write scope',
  channel_not_found: 'Slack channel not found',
  not_in_channel: 'the Slack app is not a member of the channel (invite it)',
  is_archived: 'the Slack channel is archived',
  restricted_action: 'posting to the Slack channel is restricted',
  msg_too_long: 'the Slack message is too long',
  no_text: 'the Slack message is empty',
};

export function createSlackNotifier(options: SlackNotifierOptions): ChatNotifier {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (options.token !== undefined && options.token !== '') {
    return tokenNotifier(options.token, options, timeoutMs);
  }
  if (options.webhookUrl !== undefined && options.webhookUrl !== '') {
    return webhookNotifier(options.webhookUrl, timeoutMs);
  }
  throw new Error('Slack needs SLACK_TOKEN or SLACK_WEBHOOK_URL');
}

function tokenNotifier(token: string, options: SlackNotifierOptions, timeoutMs: number): ChatNotifier {
  const secrets = [token];
  const client = new WebClient(token, {
    slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`,
    timeout: timeoutMs,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });

  /** The message's permalink for people; null when Slack does not give it (the post stands). */
  async function permalink(channel: string, ts: string): Promise<string | null> {
    try {
      return (await client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
    } catch {
      return null;
    }
  }

  return {
    async post(text, meta) {
      try {
        const result = await client.chat.postMessage({
          channel: options.channel,
          text,
          unfurl_links: false,
          // A follow-up answers its post in the post's thread.
          ...(meta.threadRef ? { thread_ts: meta.threadRef } : {}),
        });
        const ts = result.ts ?? null;
        return { ref: ts, url: ts && result.channel ? await permalink(result.channel, ts) : null };
      } catch (error) {
        throw classifySlackError(error, timeoutMs, secrets, `channel ${options.channel}`);
      }
    },
    async verify() {
      try {
        const result = await client.auth.test();
        const who = [result.user ? `user ${result.user}` : null, result.team ? `team ${result.team}` : null]
          .filter((s) => s !== null)
          .join(' in ');
        return `Slack accepts the token (${who || 'unnamed'}); messages go to ${options.channel}`;
      } catch (error) {
        throw classifySlackError(error, timeoutMs, secrets, `channel ${options.channel}`);
      }
    },
  };
}

/** Maps a @slack/web-api error (or anything else the call threw) to a DeliveryError. */
export function classifySlackError(
  error: unknown,
  timeoutMs: number,
  secrets: readonly (string | undefined)[],
  target = 'the channel',
): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const coded = error as {
    code?: unknown;
    data?: { error?: unknown; response_metadata?: { retryAfter?: unknown } };
    retryAfter?: unknown;
    statusCode?: unknown;
    headers?: Record<string, string>;
    body?: unknown;
    original?: unknown;
  };
  switch (coded.code) {
    case ErrorCode.PlatformError: {
      const code = typeof coded.data?.error === 'string' ? coded.data.error : 'unknown_error';
      if (TEMPORARY_SLACK_ERRORS.has(code)) {
        const seconds = coded.data?.response_metadata?.retryAfter;
        const ms = typeof seconds === 'number' ? seconds * 1000 : undefined;
        return new DeliveryError('temporary', `Slack failed temporarily (${code})`, ms);
      }
      const why = PERMANENT_EXPLANATIONS[code];
      const sentence = why === undefined ? `Slack refused the message` : why;
      const about = code === 'channel_not_found' || code === 'not_in_channel' ? ` (${target})` : '';
      return new DeliveryError('permanent', `${sentence}${about}: ${excerpt(code, secrets)}`);
    }
    case ErrorCode.RateLimitedError: {
      const seconds = typeof coded.retryAfter === 'number' ? coded.retryAfter : undefined;
      return statusError(429, {
        service: 'Slack',
        retryAfter: seconds === undefined ? null : String(seconds),
        secrets,
      });
    }
    case ErrorCode.HTTPError: {
      const status = typeof coded.statusCode === 'number' ? coded.statusCode : 500;
      const detail = typeof coded.body === 'string' ? coded.body : JSON.stringify(coded.body ?? '');
      return statusError(status, {
        service: 'Slack',
        unauthorized: 'Slack refused the token',
        notFound: 'Slack API endpoint not found (check SLACK_API_URL)',
        detail,
        retryAfter: coded.headers?.['retry-after'] ?? null,
        secrets,
      });
    }
    case ErrorCode.RequestError:
      return networkError('Slack', coded.original ?? error, timeoutMs, secrets);
    default:
      // A 429 without a usable Retry-After arrives as a plain Error from the client.
      if (error instanceof Error && /rate limit|Retry header/i.test(error.message)) {
        return new DeliveryError('temporary', 'Slack is rate limiting requests (429)');
      }
      return networkError('Slack', error, timeoutMs, secrets);
  }
}

function webhookNotifier(webhookUrl: string, timeoutMs: number): ChatNotifier {
  // The webhook URL is itself the credential: it never appears in a message.
  const secrets = [webhookUrl, new URL(webhookUrl).pathname];
  return {
    async post(text) {
      let response: Response;
      let body: string;
      try {
        response = await fetch(webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text, unfurl_links: false }),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        body = await response.text();
      } catch (error) {
        throw networkError('Slack webhook', error, timeoutMs, secrets);
      }
      if (!response.ok) {
        const e = statusError(response.status, {
          service: 'Slack webhook',
          forbidden: 'Slack refused the webhook',
          notFound: 'Slack webhook not found (revoked or mistyped)',
          detail: body,
          retryAfter: response.headers.get('retry-after'),
          secrets,
        });
        // 410 channel_is_archived, 400 invalid_payload, 403 invalid_token …: all permanent (statusError).
        throw e;
      }
      if (body.trim() !== 'ok') {
        throw new DeliveryError(
          'temporary',
          `Slack webhook gave an unexpected reply: ${excerpt(body, secrets)}`,
        );
      }
      return { ref: null };
    },
    async verify() {
      return 'Slack incoming webhook configured; it cannot be verified without posting a message';
    },
  };
}
