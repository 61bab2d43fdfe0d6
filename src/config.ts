/**
 * Lifeline's configuration (PRODUCT.md §9 "Configuration contract"): one table of variables, each with
 * its zod schema, default and description, read from the environment and an optional dotenv-style
 * file. Every problem is collected and reported in one message; a secret's value never appears in a
 * message or in `redactedConfig`.
 *
 * This module reads only what it is given: the env object and, in `loadConfig`, the config file. It
 * does not read key files (key loading checks them) and does not resolve paths against the working
 * directory (the composition root does).
 */
import { z } from 'zod';
import { readConfigFile } from './config-file.js';
import { parseCalendarDate, type CalendarDate } from './core/dates.js';
import { PUBLIC_EMAIL_DOMAINS } from './core/eligibility/config.js';
import { isEmailAddress } from './core/limits.js';
import { parseRetentionDays, retentionTooShort } from './core/retention.js';
import { LifelineError } from './core/errors.js';

// ───────────────────────────── the result ─────────────────────────────

export type LifelineEnvironment = 'development' | 'production';

export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export type SigningKeyConfig =
  | { kind: 'file'; path: string }
  | { kind: 'inline'; pem: string }
  /** No key configured: a development key pair is generated in `$LIFELINE_DATA_DIR/keys`. */
  | { kind: 'development' };

/** The tunables of the eligibility rules (PRODUCT.md §4). */
export interface EligibilityTunables {
  /** Rule 4: grace_end = expires_at + graceDays. */
  graceDays: number;
  /** Rule 5: refuse when today − grace_end > windowDays. */
  windowDays: number;
  /** Rule 6: refuse Monday–Friday unless a holiday. */
  weekendRule: boolean;
  /** Rule 9: one emergency license per customer per repeatWindowDays. */
  repeatWindowDays: number;
  /** Rule 7: GitLab accepts a license when floor(seats × (1 + seatOveragePercent/100)) ≥ peak. */
  seatOveragePercent: number;
  /** Rule 8: seats are implausible above implausibleFactor × previous seats … */
  implausibleFactor: number;
  /** … and above previous seats + implausibleMargin. */
  implausibleMargin: number;
  /** Rule 9: domains that do not identify a customer (lower case). */
  publicEmailDomains: string[];
  /** The team's own mail domains: no license is ever sent to an address in one of them. */
  staffDomains: string[];
}

export type MailConfig =
  | { transport: 'outbox'; from: string; replyTo?: string }
  | { transport: 'smtp'; url: string; from: string; replyTo?: string };

export type TrackerConfig =
  { kind: 'local' } | { kind: 'gitlab'; url: string; token: string; project: string };

export type ChatConfig =
  | { kind: 'local'; channel: string }
  | { kind: 'slack'; token?: string; channel: string; apiUrl: string; webhookUrl?: string };

export type TicketsConfig =
  { kind: 'local' } | { kind: 'zendesk'; url: string; email: string; apiToken: string };

export interface Config {
  env: LifelineEnvironment;
  /** As configured (not resolved); the composition root resolves it against the working directory. */
  dataDir: string;
  database: DatabaseConfig;
  signingKey: SigningKeyConfig;
  /** Public key files for decoding previous licenses; empty means "the signing key's public key". */
  verifyKeyFiles: string[];
  supportTimeZone: string;
  /** Sorted, without duplicates. */
  holidays: CalendarDate[];
  eligibility: EligibilityTunables;
  http: { host: string; port: number };
  /**
   * Issue/resend calls per hour per authenticated user and per customer email (counted in the
   * database); each only when its variable is set — the HTTP server applies its defaults (60, 5).
   */
  rateLimit?: { perUser?: number; perCustomer?: number };
  mail: MailConfig;
  tracker: TrackerConfig;
  chat: ChatConfig;
  tickets: TicketsConfig;
  /** Zendesk base URL without a trailing slash, also with TICKETS=local (for default ticket URLs). */
  zendeskUrl?: string;
  zendeskAppSecret?: string;
  /** LIFELINE_ZENDESK_DEV: serve the /zendesk/dev sidebar stand-in (development only; set only when true). */
  zendeskDev?: boolean;
  /** LIFELINE_ALLOW_LOCAL_DELIVERIES: production may keep outbox/local deliveries. */
  allowLocalDeliveries: boolean;
  /** The config file that was read, if any. */
  configFile?: string;
  /** GET /metrics only with an API token, or not served; unset: open to anyone who reaches the server. */
  metrics?: 'token' | 'off';
  /** Threads each `serve` process writes licenses on (0: on the event loop); 'auto' when unset. */
  signingThreads: number | 'auto';
  /** Days customers' personal data is kept (`lifeline purge` without --older-than); undefined: kept. */
  retentionDays?: number;
  /** LIFELINE_ALLOW_PINNED_DATES: a caller may pin `today` (tests and demos; never in production). */
  allowPinnedDates: boolean;
}

export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ParseConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

export type ConfigGroup =
  'general' | 'keys' | 'rules' | 'http' | 'mail' | 'tracker' | 'chat' | 'tickets' | 'operations';

/** One variable of the contract, as documentation (the .env.example and docs are made from these). */
export interface ConfigVariable {
  name: string;
  /** What applies when the variable is unset, in words or as the literal value; null when nothing does. */
  default: string | null;
  description: string;
  secret: boolean;
  group: ConfigGroup;
}

/** The built-in public mail domains are the eligibility rules' own list (one source). */
export const DEFAULT_PUBLIC_EMAIL_DOMAINS: readonly string[] = PUBLIC_EMAIL_DOMAINS;

export const DEFAULT_MAIL_FROM = 'Lifeline <lifeline@localhost>';
export const DEFAULT_SLACK_CHANNEL = '#support_licensing-subscription';
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

// ───────────────────────────── field schemas ─────────────────────────────
// Every schema receives a trimmed, non-empty string, or undefined when the variable is unset. Messages
// never contain the value: `(got "…")` is appended centrally, and only for variables that are not secret.

const SIGNING_THREADS_RULE = 'must be auto or an integer from 0 to 16';

function integer(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]+$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));
}

function decimal(min: number, max: number) {
  const message = `must be a number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message));
}

function choice<const T extends readonly [string, ...string[]]>(values: T) {
  const message = `must be ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
  return z
    .string()
    .toLowerCase()
    .pipe(z.enum(values, { error: message }));
}

const flag = z
  .string()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1');

/** An absolute URL with one of `protocols` and a host; returned without trailing slashes. */
function url(protocols: readonly string[], what: string) {
  return z.string().transform((value, ctx) => {
    const parsed = tryUrl(value);
    if (!parsed || !protocols.includes(parsed.protocol) || parsed.hostname === '') {
      ctx.addIssue(`must be ${what}`);
      return z.NEVER;
    }
    return value.replace(/\/+$/, '');
  });
}

const HTTP_URL = url(['http:', 'https:'], 'an http:// or https:// URL');

const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/** `addr@example.com`, or `Name <addr@example.com>` (the name optionally in double quotes). */
const mailbox = z.string().refine((value) => {
  if (/[\r\n]/.test(value)) return false;
  const named = /^(?:"[^"\\]*"|[^"<>]*?)\s*<([^<>]+)>$/.exec(value);
  return isEmailAddress(named ? (named[1] ?? '') : value);
}, 'must be an email address, or "Name <address>"');

const email = z.string().refine(isEmailAddress, 'must be an email address');

/** A comma-separated list; empty entries are dropped. */
function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const noWhitespace = (what: string) => z.string().regex(/^\S+$/, `must be ${what} without spaces`);

const databaseUrl = z.string().transform((value, ctx): DatabaseConfig => {
  if (value.startsWith('sqlite:')) {
    // `sqlite:PATH`; `sqlite://PATH` is read the way URLs are written (`sqlite:///abs/path` → `/abs/path`).
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path !== '') return { kind: 'sqlite', path };
    ctx.addIssue('sqlite: needs a file path (sqlite:PATH)');
    return z.NEVER;
  }
  if (/^postgres(ql)?:\/\//.test(value) && tryUrl(value)) return { kind: 'postgres', url: value };
  ctx.addIssue('must be postgres://…, postgresql://… or sqlite:PATH');
  return z.NEVER;
});

const PEM_PRIVATE_KEY =
  /-----BEGIN (RSA )?PRIVATE KEY-----\s*\n[A-Za-z0-9+/=\s]+\n\s*-----END (RSA )?PRIVATE KEY-----/;

const inlinePem = z.string().transform((value, ctx) => {
  // A PEM squeezed into one line with literal "\n" (common in secret stores) is accepted too.
  const pem = !value.includes('\n') && value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
  if (PEM_PRIVATE_KEY.test(pem)) return pem.trim() + '\n';
  ctx.addIssue(
    /ENCRYPTED PRIVATE KEY/.test(pem)
      ? 'must be an unencrypted PEM private key (this one is encrypted with a passphrase)'
      : 'must be a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)',
  );
  return z.NEVER;
});

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as UTC or Europe/Berlin');

const holidays = z.string().transform((value, ctx) => {
  const entries = list(value);
  const bad = entries.filter((d) => parseCalendarDate(d) === null);
  if (bad.length > 0) {
    const names = bad.map((d) => JSON.stringify(d)).join(', ');
    ctx.addIssue(
      `${names} ${bad.length === 1 ? 'is not a real date' : 'are not real dates'} in YYYY-MM-DD form`,
    );
    return z.NEVER;
  }
  return [...new Set(entries as CalendarDate[])].sort();
});

const domains = z.string().transform((value, ctx) => {
  const entries = list(value).map((d) => d.toLowerCase().replace(/^@/, ''));
  const bad = entries.filter((d) => !DOMAIN.test(d) || !d.includes('.'));
  if (bad.length > 0 || entries.length === 0) {
    ctx.addIssue(
      bad.length > 0
        ? `${bad.map((d) => JSON.stringify(d)).join(', ')} ${bad.length === 1 ? 'is not a domain' : 'are not domains'}`
        : 'must be a comma-separated list of domains',
    );
    return z.NEVER;
  }
  return [...new Set(entries)];
});

// ───────────────────────────── the table ─────────────────────────────

interface Spec<T> extends Omit<ConfigVariable, 'name'> {
  schema: z.ZodType<T, string | undefined>;
  /** Whether a failing value is quoted in its problem (never for secrets; lists name their bad entries). */
  echo?: boolean;
}
const spec = <T>(s: Spec<T>): Spec<T> => s;

const SPECS = {
  LIFELINE_CONFIG_FILE: spec({
    group: 'general',
    default: null,
    secret: false,
    description:
      'Path of an optional dotenv-style file (KEY=VALUE lines, # comments, optional quotes) that may set any of these variables; the environment wins over the file. Not settable inside the file itself.',
    schema: z.string().optional(),
  }),
  LIFELINE_ENV: spec({
    group: 'general',
    default: 'development',
    secret: false,
    description:
      'development or production. Production refuses a development signing key, and outbox/local deliveries unless LIFELINE_ALLOW_LOCAL_DELIVERIES is true.',
    schema: choice(['development', 'production']).default('development'),
  }),
  LIFELINE_DATA_DIR: spec({
    group: 'general',
    default: './data',
    secret: false,
    description:
      'Where the embedded default keeps its SQLite database, development keys and mail outbox (relative paths are resolved against the working directory).',
    schema: z.string().default('./data'),
  }),
  DATABASE_URL: spec({
    group: 'general',
    default: 'sqlite:$LIFELINE_DATA_DIR/lifeline.db',
    secret: true,
    description:
      'postgres://USER:PASSWORD@HOST:PORT/DB (or postgresql://…) for PostgreSQL, or sqlite:PATH for a SQLite file. Secret: may contain a password.',
    schema: databaseUrl.optional(),
  }),

  LIFELINE_SIGNING_KEY_FILE: spec({
    group: 'keys',
    default: 'a development key generated in $LIFELINE_DATA_DIR/keys',
    secret: false,
    description:
      'PEM file of the RSA private key that signs licenses; refused if group- or world-readable (chmod 600). Set this or LIFELINE_SIGNING_KEY, not both. Required in production.',
    schema: z.string().optional(),
  }),
  LIFELINE_SIGNING_KEY: spec({
    group: 'keys',
    default: null,
    secret: true,
    description:
      'The RSA private key itself, as PEM (real newlines, or \\n escapes on one line), for secret stores that inject environment variables. Set this or LIFELINE_SIGNING_KEY_FILE, not both.',
    schema: inlinePem.optional(),
  }),
  LIFELINE_VERIFY_KEY_FILES: spec({
    group: 'keys',
    default: "the signing key's public key",
    secret: false,
    description:
      'Comma-separated PEM public key files that customers’ previous licenses are decoded with (e.g. the licensing team’s production key).',
    schema: z
      .string()
      .transform(list)
      .default(() => []),
    echo: false,
  }),

  LIFELINE_SUPPORT_TIMEZONE: spec({
    group: 'rules',
    default: 'UTC',
    secret: false,
    description: 'IANA time zone that decides "today", weekends and holidays (e.g. America/New_York).',
    schema: timeZone.default('UTC'),
  }),
  LIFELINE_HOLIDAYS: spec({
    group: 'rules',
    default: null,
    secret: false,
    description: 'Comma-separated YYYY-MM-DD dates treated like weekend days by the weekend rule.',
    schema: holidays.default(() => []),
    echo: false,
  }),
  LIFELINE_GRACE_DAYS: spec({
    group: 'rules',
    default: '14',
    secret: false,
    description: 'Days after expiry until the instance turns read-only (grace_end = expires_at + this).',
    schema: integer(0, 365).default(14),
  }),
  LIFELINE_WINDOW_DAYS: spec({
    group: 'rules',
    default: '3',
    secret: false,
    description: 'Days after grace_end during which an emergency license may still be issued.',
    schema: integer(0, 365).default(3),
  }),
  LIFELINE_WEEKEND_RULE: spec({
    group: 'rules',
    default: 'true',
    secret: false,
    description: 'true: refuse requests Monday to Friday unless the day is a holiday; false: any day.',
    schema: flag.default(true),
  }),
  LIFELINE_REPEAT_WINDOW_DAYS: spec({
    group: 'rules',
    default: '30',
    secret: false,
    description: 'One emergency license per customer within this many days.',
    schema: integer(0, 3650).default(30),
  }),
  LIFELINE_SEAT_OVERAGE_PERCENT: spec({
    group: 'rules',
    default: '10',
    secret: false,
    description:
      'GitLab accepts a license whose seats plus this percentage reach the instance peak ("Maximum users"/"Billable users").',
    schema: integer(0, 100).default(10),
  }),
  LIFELINE_SEAT_PLAUSIBILITY_FACTOR: spec({
    group: 'rules',
    default: '2',
    secret: false,
    description:
      'Seats above this multiple of the previous license’s seats (and above the margin below) are flagged as a likely typo.',
    schema: decimal(1, 1000).default(2),
  }),
  LIFELINE_SEAT_PLAUSIBILITY_MARGIN: spec({
    group: 'rules',
    default: '100',
    secret: false,
    description:
      'Seats above the previous license’s seats plus this many (and above the factor above) are flagged as a likely typo.',
    schema: integer(0, 1_000_000).default(100),
  }),
  LIFELINE_PUBLIC_EMAIL_DOMAINS: spec({
    group: 'rules',
    default: 'gmail.com, outlook.com, yahoo.com and other public mail providers (built-in list)',
    secret: false,
    description:
      'Comma-separated mail domains that do not identify a customer, so the same-domain repeat check ignores them. Replaces the built-in list.',
    schema: domains.default(() => [...DEFAULT_PUBLIC_EMAIL_DOMAINS]),
    echo: false,
  }),
  LIFELINE_STAFF_DOMAINS: spec({
    group: 'rules',
    default: null,
    secret: false,
    description:
      'Comma-separated mail domains of the team itself (e.g. gitlab.com): a license is never emailed to an address under one of them (compared by registrable domain), nor to the acting engineer’s own address.',
    schema: domains.default(() => []),
    echo: false,
  }),
  LIFELINE_ALLOW_PINNED_DATES: spec({
    group: 'rules',
    default: 'false',
    secret: false,
    description:
      'true lets callers pin the decision date (`--today`, the API body’s `today`) for tests and demos; pinned dates are audited. Refused in production. `lifeline license decode --today` needs no setting.',
    schema: flag.default(false),
  }),

  HOST: spec({
    group: 'http',
    default: '127.0.0.1',
    secret: false,
    description: 'Address `lifeline serve` listens on (0.0.0.0 for every interface).',
    schema: noWhitespace('a host name or IP address').default('127.0.0.1'),
  }),
  PORT: spec({
    group: 'http',
    default: '3000',
    secret: false,
    description: 'Port `lifeline serve` listens on.',
    schema: integer(1, 65535).default(3000),
  }),
  LIFELINE_RATE_LIMIT_PER_USER: spec({
    group: 'http',
    default: '60',
    secret: false,
    description:
      'Issue and resend calls one API user (token or Zendesk agent) may make per hour; more are answered 429. Counted in the database, shared by every process.',
    schema: integer(1, 1_000_000).optional(),
  }),
  LIFELINE_SIGNING_THREADS: spec({
    group: 'http',
    default: 'auto',
    secret: false,
    description:
      'Threads each `lifeline serve` process writes licenses on (the RSA signature, about a millisecond each), so that its event loop serves other requests meanwhile: 0 (on the event loop) to 16, or auto (the CPUs the serve processes leave free, at most 4: 1 for one process on 2 CPUs, 0 for `--processes auto`). One-shot commands always sign in place.',
    schema: z
      .string()
      .regex(/^(auto|[0-9]{1,2})$/, SIGNING_THREADS_RULE)
      .transform((v) => (v === 'auto' ? ('auto' as const) : Number(v)))
      .pipe(
        z.union([z.literal('auto'), z.number().int().max(16, SIGNING_THREADS_RULE)], {
          error: SIGNING_THREADS_RULE,
        }),
      )
      .default('auto'),
  }),
  LIFELINE_RATE_LIMIT_PER_CUSTOMER: spec({
    group: 'http',
    default: '5',
    secret: false,
    description:
      'Issue and resend calls per customer email per hour, whoever makes them; more are answered 429. Counted in the database, shared by every process.',
    schema: integer(1, 1_000_000).optional(),
  }),

  LIFELINE_ALLOW_LOCAL_DELIVERIES: spec({
    group: 'mail',
    default: 'false',
    secret: false,
    description:
      'true lets production run with MAIL_TRANSPORT outbox, TRACKER local or CHAT local (e.g. a staging instance).',
    schema: flag.default(false),
  }),
  MAIL_TRANSPORT: spec({
    group: 'mail',
    default: 'outbox',
    secret: false,
    description: 'outbox (emails written as .eml files into $LIFELINE_DATA_DIR/outbox) or smtp.',
    schema: choice(['outbox', 'smtp']).default('outbox'),
  }),
  SMTP_URL: spec({
    group: 'mail',
    default: null,
    secret: true,
    description:
      'SMTP server as smtp://USER:PASSWORD@HOST:587 (STARTTLS) or smtps://USER:PASSWORD@HOST:465 (TLS). Required for smtp. Secret: contains credentials.',
    schema: url(['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL with a host').optional(),
  }),
  MAIL_FROM: spec({
    group: 'mail',
    default: DEFAULT_MAIL_FROM + ' (outbox only)',
    secret: false,
    description: 'Sender of customer emails, as address or "Name <address>". Required for smtp.',
    schema: mailbox.optional(),
  }),
  MAIL_REPLY_TO: spec({
    group: 'mail',
    default: null,
    secret: false,
    description: 'Reply-To of customer emails (e.g. the support address), as address or "Name <address>".',
    schema: mailbox.optional(),
  }),

  TRACKER: spec({
    group: 'tracker',
    default: 'local',
    secret: false,
    description:
      'local (records kept in the database, shown in the console) or gitlab (issues in a GitLab project).',
    schema: choice(['local', 'gitlab']).default('local'),
  }),
  GITLAB_URL: spec({
    group: 'tracker',
    default: null,
    secret: false,
    description:
      'Base URL of the GitLab instance holding the request tracker (e.g. https://gitlab.com). Required for gitlab.',
    schema: HTTP_URL.optional(),
  }),
  GITLAB_TOKEN: spec({
    group: 'tracker',
    default: null,
    secret: true,
    description: 'GitLab access token with the api scope on the tracker project. Required for gitlab.',
    schema: z.string().optional(),
  }),
  GITLAB_PROJECT: spec({
    group: 'tracker',
    default: null,
    secret: false,
    description: 'Numeric id or full path (group/project) of the tracker project. Required for gitlab.',
    schema: noWhitespace('a project id or path').optional(),
  }),

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
  LIFELINE_METRICS: spec({
    group: 'operations',
    default: 'public',
    secret: false,
    description:
      'Prometheus metrics at GET /metrics: public (no credentials; restrict it at the network), token (any live API token as Authorization: Bearer llt_…) or off (404).',
    schema: choice(['public', 'token', 'off']).default('public'),
  }),
  LIFELINE_RETENTION_DAYS: spec({
    group: 'operations',
    default: null,
    secret: false,
    description:
      'How long customers’ personal data (emails, names, license texts, previous-license evidence) is kept: days (90), weeks (12w) or years (1y); at least LIFELINE_REPEAT_WINDOW_DAYS. `lifeline purge` redacts older requests (run it daily); unset: kept until purged by hand.',
    schema: z
      .string()
      .transform((value, ctx) => {
        const days = parseRetentionDays(value);
        if (days === null) {
          ctx.addIssue('must be a number of days (90), weeks (12w) or years (1y), from 1 day to 100 years');
          return z.NEVER;
        }
        return days;
      })
      .optional(),
  }),
};

type VariableName = keyof typeof SPECS;
type Values = { [K in VariableName]: (typeof SPECS)[K] extends Spec<infer T> ? T : never };

const NAMES = Object.keys(SPECS) as VariableName[];

/** Every variable of the contract, in documentation order. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = NAMES.map((name) => {
  const { group, default: def, description, secret } = SPECS[name];
  return { name, default: def, description, secret, group };
});

/** Variables whose values are never printed (in problems, logs or `redactedConfig`). */
export const SECRET_VARIABLES: readonly string[] = NAMES.filter((name) => SPECS[name].secret);

// ───────────────────────────── parsing ─────────────────────────────

/** Trimmed, with empty meaning unset (so `FOO=` in a compose file does not count as a value). */
function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * Validates the environment (and the values of an already-parsed config file, which the environment
 * overrides). Never throws. Unknown environment variables are ignored (the environment is shared);
 * unknown keys in the file are problems (typos).
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  fileValues: Record<string, string> = {},
): ParseConfigResult {
  const problems: ConfigProblem[] = [];

  for (const key of Object.keys(fileValues)) {
    if (key === 'LIFELINE_CONFIG_FILE') {
      problems.push({ variable: key, message: 'cannot be set inside the config file' });
    } else if (!(key in SPECS)) {
      const guess = closest(key, NAMES);
      problems.push({
        variable: key,
        message: `is not a Lifeline setting (in the config file)${guess ? `; did you mean ${guess}?` : ''}`,
      });
    }
  }

  const raw = {} as Record<VariableName, string | undefined>;
  for (const name of NAMES) {
    raw[name] =
      present(env[name]) ?? (name === 'LIFELINE_CONFIG_FILE' ? undefined : present(fileValues[name]));
  }

  // 1. Each variable on its own.
  const parsed: Partial<Record<VariableName, unknown>> = {};
  for (const name of NAMES) {
    const s = SPECS[name] as Spec<unknown>;
    const result = s.schema.safeParse(raw[name]);
    if (result.success) {
      parsed[name] = result.data;
      continue;
    }
    const message = result.error.issues[0]?.message ?? 'is invalid';
    const value = raw[name];
    const echo = !s.secret && (s.echo ?? true) && value !== undefined;
    problems.push({ variable: name, message: echo ? `${message} (got ${quote(value)})` : message });
  }
  const v = parsed as Partial<Values>;
  const problem = (variable: VariableName, message: string): void => {
    problems.push({ variable, message });
  };
  /** Unset (as opposed to set but invalid, which is already a problem). */
  const missing = (name: VariableName): boolean => raw[name] === undefined;
  const requireFor = (setting: string, names: VariableName[]): void => {
    for (const name of names) if (missing(name)) problem(name, `required when ${setting}`);
  };

  // 2. The rules between variables.
  const production = v.LIFELINE_ENV === 'production';
  const allowLocal = v.LIFELINE_ALLOW_LOCAL_DELIVERIES === true;

  if (!missing('LIFELINE_SIGNING_KEY_FILE') && !missing('LIFELINE_SIGNING_KEY')) {
    problem('LIFELINE_SIGNING_KEY', 'set either LIFELINE_SIGNING_KEY_FILE or LIFELINE_SIGNING_KEY, not both');
  }
  if (production && missing('LIFELINE_SIGNING_KEY_FILE') && missing('LIFELINE_SIGNING_KEY')) {
    problem(
      'LIFELINE_SIGNING_KEY_FILE',
      'required in production (or LIFELINE_SIGNING_KEY): a development key is not accepted by real GitLab instances',
    );
  }

  const localRefusal = (name: VariableName, what: string, fix: string): void => {
    if (production && !allowLocal) {
      const value = missing(name) ? `${String(v[name])} (the default)` : String(v[name]);
      problem(
        name,
        `is ${value} in production, so ${what}; set ${fix}, or LIFELINE_ALLOW_LOCAL_DELIVERIES=true to allow it`,
      );
    }
  };
  if (v.MAIL_TRANSPORT === 'smtp') requireFor('MAIL_TRANSPORT=smtp', ['SMTP_URL', 'MAIL_FROM']);
  if (v.MAIL_TRANSPORT === 'outbox')
    localRefusal('MAIL_TRANSPORT', 'customer emails would only be written to files', 'MAIL_TRANSPORT=smtp');
  if (v.TRACKER === 'gitlab') requireFor('TRACKER=gitlab', ['GITLAB_URL', 'GITLAB_TOKEN', 'GITLAB_PROJECT']);
  if (v.TRACKER === 'local')
    localRefusal('TRACKER', 'the licensing team’s tracker would get no records', 'TRACKER=gitlab');
  if (v.CHAT === 'slack' && missing('SLACK_TOKEN') && missing('SLACK_WEBHOOK_URL')) {
    problem('SLACK_TOKEN', 'required when CHAT=slack (or set SLACK_WEBHOOK_URL instead)');
  }
  if (v.CHAT === 'local') localRefusal('CHAT', 'the team would not be notified', 'CHAT=slack');
  if (v.TICKETS === 'zendesk') {
    requireFor('TICKETS=zendesk', ['ZENDESK_URL', 'ZENDESK_EMAIL', 'ZENDESK_API_TOKEN']);
  }
  if (v.LIFELINE_ZENDESK_DEV === true) {
    requireFor('LIFELINE_ZENDESK_DEV=true', ['ZENDESK_APP_SECRET']);
    if (production) {
      problem('LIFELINE_ZENDESK_DEV', 'must not be true in production: its proxy signs requests for anyone');
    }
  }

  if (production && v.LIFELINE_ALLOW_PINNED_DATES === true) {
    problem(
      'LIFELINE_ALLOW_PINNED_DATES',
      'must not be true in production: decisions are dated by the clock',
    );
  }

  if (v.LIFELINE_RETENTION_DAYS !== undefined && v.LIFELINE_REPEAT_WINDOW_DAYS !== undefined) {
    const tooShort = retentionTooShort(v.LIFELINE_RETENTION_DAYS, v.LIFELINE_REPEAT_WINDOW_DAYS);
    if (tooShort) problem('LIFELINE_RETENTION_DAYS', tooShort);
  }

  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, config: assemble(v as Values) };
}

function assemble(v: Values): Config {
  const dataDir = v.LIFELINE_DATA_DIR;
  const signingKey: SigningKeyConfig =
    v.LIFELINE_SIGNING_KEY_FILE !== undefined
      ? { kind: 'file', path: v.LIFELINE_SIGNING_KEY_FILE }
      : v.LIFELINE_SIGNING_KEY !== undefined
        ? { kind: 'inline', pem: v.LIFELINE_SIGNING_KEY }
        : { kind: 'development' };
  const replyTo = v.MAIL_REPLY_TO !== undefined ? { replyTo: v.MAIL_REPLY_TO } : {};
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('config: a required value was not checked'); // unreachable
    return value;
  };

  const config: Config = {
    env: v.LIFELINE_ENV,
    dataDir,
    database: v.DATABASE_URL ?? { kind: 'sqlite', path: `${dataDir.replace(/(.)\/+$/, '$1')}/lifeline.db` },
    signingKey,
    verifyKeyFiles: v.LIFELINE_VERIFY_KEY_FILES,
    supportTimeZone: v.LIFELINE_SUPPORT_TIMEZONE,
    holidays: v.LIFELINE_HOLIDAYS,
    eligibility: {
      graceDays: v.LIFELINE_GRACE_DAYS,
      windowDays: v.LIFELINE_WINDOW_DAYS,
      weekendRule: v.LIFELINE_WEEKEND_RULE,
      repeatWindowDays: v.LIFELINE_REPEAT_WINDOW_DAYS,
      seatOveragePercent: v.LIFELINE_SEAT_OVERAGE_PERCENT,
      implausibleFactor: v.LIFELINE_SEAT_PLAUSIBILITY_FACTOR,
      implausibleMargin: v.LIFELINE_SEAT_PLAUSIBILITY_MARGIN,
      publicEmailDomains: v.LIFELINE_PUBLIC_EMAIL_DOMAINS,
      staffDomains: v.LIFELINE_STAFF_DOMAINS,
    },
    http: { host: v.HOST, port: v.PORT },
    mail:
      v.MAIL_TRANSPORT === 'smtp'
        ? { transport: 'smtp', url: need(v.SMTP_URL), from: need(v.MAIL_FROM), ...replyTo }
        : { transport: 'outbox', from: v.MAIL_FROM ?? DEFAULT_MAIL_FROM, ...replyTo },
    tracker:
      v.TRACKER === 'gitlab'
        ? {
            kind: 'gitlab',
            url: need(v.GITLAB_URL),
            token: need(v.GITLAB_TOKEN),
            project: need(v.GITLAB_PROJECT),
          }
        : { kind: 'local' },
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
    tickets:
      v.TICKETS === 'zendesk'
        ? {
            kind: 'zendesk',
            url: need(v.ZENDESK_URL),
            email: need(v.ZENDESK_EMAIL),
            apiToken: need(v.ZENDESK_API_TOKEN),
          }
        : { kind: 'local' },
    allowLocalDeliveries: v.LIFELINE_ALLOW_LOCAL_DELIVERIES,
    signingThreads: v.LIFELINE_SIGNING_THREADS,
    allowPinnedDates: v.LIFELINE_ALLOW_PINNED_DATES,
  };
  if (v.ZENDESK_URL !== undefined) config.zendeskUrl = v.ZENDESK_URL;
  if (v.ZENDESK_APP_SECRET !== undefined) config.zendeskAppSecret = v.ZENDESK_APP_SECRET;
  if (v.LIFELINE_ZENDESK_DEV === true) config.zendeskDev = true;
  if (v.LIFELINE_CONFIG_FILE !== undefined) config.configFile = v.LIFELINE_CONFIG_FILE;
  if (v.LIFELINE_RETENTION_DAYS !== undefined) config.retentionDays = v.LIFELINE_RETENTION_DAYS;
  if (v.LIFELINE_METRICS !== 'public') config.metrics = v.LIFELINE_METRICS;
  if (v.LIFELINE_RATE_LIMIT_PER_USER !== undefined || v.LIFELINE_RATE_LIMIT_PER_CUSTOMER !== undefined) {
    config.rateLimit = {
      ...(v.LIFELINE_RATE_LIMIT_PER_USER !== undefined ? { perUser: v.LIFELINE_RATE_LIMIT_PER_USER } : {}),
      ...(v.LIFELINE_RATE_LIMIT_PER_CUSTOMER !== undefined
        ? { perCustomer: v.LIFELINE_RATE_LIMIT_PER_CUSTOMER }
        : {}),
    };
  }
  return config;
}

/**
 * Reads the configuration once, at start: the environment, over the optional file named by
 * `options.file` or else LIFELINE_CONFIG_FILE. Throws `LifelineError('CONFIG_INVALID')` listing every
 * problem, one per line.
 */
export function loadConfig(env: Record<string, string | undefined>, options: { file?: string } = {}): Config {
  const file = present(options.file) ?? present(env.LIFELINE_CONFIG_FILE);
  let fileValues: Record<string, string> = {};
  const fileProblems: ConfigProblem[] = [];
  if (file !== undefined) {
    const contents = readConfigFile(file);
    fileValues = contents.values;
    for (const message of contents.problems) fileProblems.push({ variable: 'LIFELINE_CONFIG_FILE', message });
  }
  const result = parseConfig(file === undefined ? env : { ...env, LIFELINE_CONFIG_FILE: file }, fileValues);
  const problems = sortProblems([...fileProblems, ...(result.ok ? [] : result.problems)]);
  if (problems.length > 0 || !result.ok) {
    throw new LifelineError('CONFIG_INVALID', formatConfigProblems(problems));
  }
  return result.config;
}

/** "Lifeline's configuration has N problems:" and one "- VARIABLE: message" line each. */
export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  const head = `Lifeline's configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`;
  return [head, ...problems.map((p) => `- ${p.variable}: ${p.message}`)].join('\n');
}

/** In table order (unknown file keys right after the file itself); stable within a variable. */
function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const rank = (variable: string): number => {
    const i = NAMES.indexOf(variable as VariableName);
    return i < 0 ? 0.5 : i;
  };
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p.variable) - rank(b.p.variable) || a.i - b.i)
    .map(({ p }) => p);
}

// ───────────────────────────── printing ─────────────────────────────

const REDACTED = '[redacted]';

/** A printable copy of `config` in which no secret appears (URLs keep their scheme and host). */
export function redactedConfig(config: Config): Record<string, unknown> {
  const { database, signingKey, mail, tracker, chat, tickets, zendeskAppSecret, ...rest } = config;
  return {
    ...structuredClone(rest),
    database:
      database.kind === 'postgres' ? { kind: 'postgres', url: redactUrl(database.url) } : { ...database },
    signingKey: signingKey.kind === 'inline' ? { kind: 'inline', pem: REDACTED } : { ...signingKey },
    mail: mail.transport === 'smtp' ? { ...mail, url: redactUrl(mail.url) } : { ...mail },
    tracker: tracker.kind === 'gitlab' ? { ...tracker, token: REDACTED } : { ...tracker },
    chat:
      chat.kind === 'slack'
        ? {
            ...chat,
            ...(chat.token !== undefined ? { token: REDACTED } : {}),
            ...(chat.webhookUrl !== undefined
              ? { webhookUrl: redactUrl(chat.webhookUrl, { path: true }) }
              : {}),
          }
        : { ...chat },
    tickets: tickets.kind === 'zendesk' ? { ...tickets, apiToken: REDACTED } : { ...tickets },
    ...(zendeskAppSecret !== undefined ? { zendeskAppSecret: REDACTED } : {}),
  };
}

/**
 * `scheme://[redacted]@host/path?[redacted]`: credentials and query (which may carry a password) are
 * replaced; with `path`, the path too (a webhook URL's path is its secret).
 */
function redactUrl(text: string, options: { path?: boolean } = {}): string {
  const parsed = tryUrl(text);
  if (!parsed) return REDACTED;
  const userinfo = parsed.username !== '' || parsed.password !== '' ? `${REDACTED}@` : '';
  const path = options.path ? `/${REDACTED}` : parsed.pathname;
  const query = parsed.search !== '' ? `?${REDACTED}` : '';
  return `${parsed.protocol}//${userinfo}${parsed.host}${path}${query}`;
}

// ───────────────────────────── small helpers ─────────────────────────────

function tryUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/** The known name nearest to `name` (a likely typo), if any is close. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(upper, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.name : undefined;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
