import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText, readConfigFile } from '../src/config-file.js';
import {
  CONFIG_VARIABLES,
  DEFAULT_PUBLIC_EMAIL_DOMAINS,
  SECRET_VARIABLES,
  loadConfig,
  parseConfig,
  redactedConfig,
  type Config,
  type ConfigProblem,
} from '../src/config.js';
import { DEFAULT_ELIGIBILITY_CONFIG } from '../src/core/eligibility/config.js';
import { validateEmail } from '../src/core/eligibility/input.js';
import { LifelineError } from '../src/core/errors.js';

type Env = Record<string, string | undefined>;

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;

const tmp = mkdtempSync(join(tmpdir(), 'lifeline-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let fileCount = 0;
function writeTemp(text: string): string {
  const path = join(tmp, `config-${++fileCount}.env`);
  writeFileSync(path, text);
  return path;
}

function ok(env: Env, file: Record<string, string> = {}): Config {
  const result = parseConfig(env, file);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.error)}`);
  return result.value;
}

function problems(env: Env, file: Record<string, string> = {}): ConfigProblem[] {
  const result = parseConfig(env, file);
  if (result.ok) throw new Error('expected problems, got a config');
  return result.error;
}

/** The one problem for `variable` (and that there is exactly one). */
function problemOf(env: Env, variable: string): string {
  const found = problems(env).filter((p) => p.variable === variable);
  expect(found, `problems for ${variable}`).toHaveLength(1);
  return found[0]?.message ?? '';
}

function loadError(env: Env, options: { file?: string } = {}): LifelineError {
  try {
    loadConfig(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(LifelineError);
    return error as LifelineError;
  }
  throw new Error('expected loadConfig to throw');
}

/** A complete production configuration, every integration connected. */
const PRODUCTION: Env = {
  LIFELINE_ENV: 'production',
  DATABASE_URL: 'postgres://lifeline:pg-pass-123@db.internal:5432/lifeline',
  LIFELINE_SIGNING_KEY_FILE: '/etc/lifeline/private.pem',
  MAIL_TRANSPORT: 'smtp',
  SMTP_URL: 'smtps://mailer:smtp-pass-123@smtp.example.com:465',
  MAIL_FROM: 'GitLab Support <support@example.com>',
  TRACKER: 'gitlab',
  GITLAB_URL: 'https://gitlab.example.com/',
  GITLAB_TOKEN: 'glpat-token-123',
  GITLAB_PROJECT: 'support/licensing-requests',
  CHAT: 'slack',
  SLACK_TOKEN: 'xoxb-token-123',
  TICKETS: 'zendesk',
  ZENDESK_URL: 'https://example.zendesk.com',
  ZENDESK_EMAIL: 'bot@example.com',
  ZENDESK_API_TOKEN: 'zd-token-123',
};

describe('defaults', () => {
  it('an empty environment gives the embedded default of §9', () => {
    expect(ok({})).toEqual({
      env: 'development',
      dataDir: './data',
      database: { kind: 'sqlite', path: './data/lifeline.db' },
      signingKey: { kind: 'development' },
      verifyKeyFiles: [],
      supportTimeZone: 'UTC',
      holidays: [],
      eligibility: {
        graceDays: 14,
        windowDays: 3,
        weekendRule: true,
        repeatWindowDays: 30,
        seatOveragePercent: 10,
        implausibleFactor: 2,
        implausibleMargin: 100,
        publicEmailDomains: [...DEFAULT_PUBLIC_EMAIL_DOMAINS],
        staffDomains: [],
      },
      http: { host: '127.0.0.1', port: 3000 },
      mail: { transport: 'outbox', from: 'Lifeline <lifeline@localhost>' },
      tracker: { kind: 'local' },
      chat: { kind: 'local', channel: '#support_licensing-subscription' },
      tickets: { kind: 'local' },
      allowLocalDeliveries: false,
      signingThreads: 'auto',
      allowPinnedDates: false,
    } satisfies Config);
  });

  it('loadConfig of an empty environment returns the same', () => {
    expect(loadConfig({})).toEqual(ok({}));
  });

  it('the eligibility defaults are the rules’ own defaults', () => {
    const { eligibility } = ok({});
    expect(eligibility.graceDays).toBe(DEFAULT_ELIGIBILITY_CONFIG.graceDays);
    expect(eligibility.windowDays).toBe(DEFAULT_ELIGIBILITY_CONFIG.windowDays);
    expect(eligibility.weekendRule).toBe(DEFAULT_ELIGIBILITY_CONFIG.weekendRule);
    expect(eligibility.repeatWindowDays).toBe(DEFAULT_ELIGIBILITY_CONFIG.repeatWindowDays);
    expect(eligibility.seatOveragePercent / 100).toBeCloseTo(DEFAULT_ELIGIBILITY_CONFIG.seatOverage);
    expect(eligibility.implausibleFactor).toBe(DEFAULT_ELIGIBILITY_CONFIG.implausibleFactor);
    expect(eligibility.implausibleMargin).toBe(DEFAULT_ELIGIBILITY_CONFIG.implausibleMargin);
  });

  it('empty and blank values count as unset; values are trimmed', () => {
    expect(ok({ PORT: '', HOST: '   ', LIFELINE_ENV: '' })).toEqual(ok({}));
    expect(ok({ PORT: ' 8080 ' }).http.port).toBe(8080);
  });

  it('unknown environment variables are ignored', () => {
    expect(ok({ PATH: '/usr/bin', HOME: '/root', LIFELINE_UNKNOWN: 'x' })).toEqual(ok({}));
  });

  it('the documented literal defaults are the parsed defaults', () => {
    const config = ok({});
    const literal: Record<string, unknown> = {
      LIFELINE_ENV: config.env,
      LIFELINE_DATA_DIR: config.dataDir,
      LIFELINE_SUPPORT_TIMEZONE: config.supportTimeZone,
      LIFELINE_GRACE_DAYS: config.eligibility.graceDays,
      LIFELINE_WINDOW_DAYS: config.eligibility.windowDays,
      LIFELINE_WEEKEND_RULE: config.eligibility.weekendRule,
      LIFELINE_REPEAT_WINDOW_DAYS: config.eligibility.repeatWindowDays,
      LIFELINE_SEAT_OVERAGE_PERCENT: config.eligibility.seatOveragePercent,
      LIFELINE_SEAT_PLAUSIBILITY_FACTOR: config.eligibility.implausibleFactor,
      LIFELINE_SEAT_PLAUSIBILITY_MARGIN: config.eligibility.implausibleMargin,
      HOST: config.http.host,
      PORT: config.http.port,
      LIFELINE_ALLOW_LOCAL_DELIVERIES: config.allowLocalDeliveries,
      MAIL_TRANSPORT: config.mail.transport,
      TRACKER: config.tracker.kind,
      CHAT: config.chat.kind,
      SLACK_CHANNEL: config.chat.channel,
      TICKETS: config.tickets.kind,
    };
    for (const [name, value] of Object.entries(literal)) {
      expect(CONFIG_VARIABLES.find((v) => v.name === name)?.default, name).toBe(String(value));
    }
  });
});

describe('each variable', () => {
  it('LIFELINE_ENV', () => {
    expect(ok({ LIFELINE_ENV: 'Development' }).env).toBe('development');
    expect(ok({ ...PRODUCTION, LIFELINE_ENV: 'PRODUCTION' }).env).toBe('production');
    expect(problemOf({ LIFELINE_ENV: 'staging' }, 'LIFELINE_ENV')).toBe(
      'must be development or production (got "staging")',
    );
  });

  it('LIFELINE_DATA_DIR, and the default database under it', () => {
    const config = ok({ LIFELINE_DATA_DIR: '/var/lib/lifeline/' });
    expect(config.dataDir).toBe('/var/lib/lifeline/');
    expect(config.database).toEqual({ kind: 'sqlite', path: '/var/lib/lifeline/lifeline.db' });
  });

  it('DATABASE_URL', () => {
    expect(ok({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
    expect(ok({ DATABASE_URL: 'sqlite:relative/x.db' }).database).toEqual({
      kind: 'sqlite',
      path: 'relative/x.db',
    });
    expect(ok({ DATABASE_URL: 'sqlite:///abs/x.db' }).database).toEqual({
      kind: 'sqlite',
      path: '/abs/x.db',
    });
    for (const url of [
      'postgres://u:p@h:5432/db',
      'postgresql://h/db',
      'postgres:///db?host=/var/run/postgresql',
    ]) {
      expect(ok({ DATABASE_URL: url }).database).toEqual({ kind: 'postgres', url });
    }
    expect(problemOf({ DATABASE_URL: 'mysql://u:p@h/db' }, 'DATABASE_URL')).toBe(
      'must be postgres://…, postgresql://… or sqlite:PATH',
    );
    expect(problemOf({ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL')).toMatch(/needs a file path/);
  });

  it('LIFELINE_SIGNING_KEY_FILE / LIFELINE_SIGNING_KEY', () => {
    expect(ok({ LIFELINE_SIGNING_KEY_FILE: '/k/private.pem' }).signingKey).toEqual({
      kind: 'file',
      path: '/k/private.pem',
    });
    expect(ok({ LIFELINE_SIGNING_KEY: PEM }).signingKey).toEqual({ kind: 'inline', pem: PEM });
    // One line with \n escapes, as secret stores often inject it.
    const escaped = PEM.trim().replace(/\n/g, '\\n');
    expect(ok({ LIFELINE_SIGNING_KEY: escaped }).signingKey).toEqual({ kind: 'inline', pem: PEM });
    const rsa = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n';
    expect(ok({ LIFELINE_SIGNING_KEY: rsa }).signingKey).toEqual({ kind: 'inline', pem: rsa });

    expect(problemOf({ LIFELINE_SIGNING_KEY: 'not-a-key' }, 'LIFELINE_SIGNING_KEY')).toMatch(
      /^must be a PEM private key/,
    );
    const publicKey = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----';
    expect(problemOf({ LIFELINE_SIGNING_KEY: publicKey }, 'LIFELINE_SIGNING_KEY')).toMatch(
      /^must be a PEM private key/,
    );
    const encrypted =
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkq\n-----END ENCRYPTED PRIVATE KEY-----';
    expect(problemOf({ LIFELINE_SIGNING_KEY: encrypted }, 'LIFELINE_SIGNING_KEY')).toMatch(/unencrypted/);
    expect(
      problemOf(
        { LIFELINE_SIGNING_KEY: PEM, LIFELINE_SIGNING_KEY_FILE: '/k/private.pem' },
        'LIFELINE_SIGNING_KEY',
      ),
    ).toBe('set either LIFELINE_SIGNING_KEY_FILE or LIFELINE_SIGNING_KEY, not both');
  });

  it('LIFELINE_VERIFY_KEY_FILES', () => {
    expect(ok({ LIFELINE_VERIFY_KEY_FILES: '/k/a.pub' }).verifyKeyFiles).toEqual(['/k/a.pub']);
    expect(ok({ LIFELINE_VERIFY_KEY_FILES: ' /k/a.pub , /k/b.pub ,' }).verifyKeyFiles).toEqual([
      '/k/a.pub',
      '/k/b.pub',
    ]);
  });

  it('LIFELINE_SUPPORT_TIMEZONE', () => {
    expect(ok({ LIFELINE_SUPPORT_TIMEZONE: 'America/New_York' }).supportTimeZone).toBe('America/New_York');
    expect(problemOf({ LIFELINE_SUPPORT_TIMEZONE: 'Mars/Olympus' }, 'LIFELINE_SUPPORT_TIMEZONE')).toBe(
      'must be an IANA time zone such as UTC or Europe/Berlin (got "Mars/Olympus")',
    );
  });

  it('LIFELINE_HOLIDAYS', () => {
    expect(ok({ LIFELINE_HOLIDAYS: '2026-12-25, 2026-12-24,2026-12-25' }).holidays).toEqual([
      '2026-12-24',
      '2026-12-25',
    ]);
    expect(problemOf({ LIFELINE_HOLIDAYS: '2026-12-25,2026-02-30,26-1-1' }, 'LIFELINE_HOLIDAYS')).toBe(
      '"2026-02-30", "26-1-1" are not real dates in YYYY-MM-DD form',
    );
  });

  it('the eligibility tunables', () => {
    const config = ok({
      LIFELINE_GRACE_DAYS: '7',
      LIFELINE_WINDOW_DAYS: '5',
      LIFELINE_WEEKEND_RULE: 'false',
      LIFELINE_REPEAT_WINDOW_DAYS: '60',
      LIFELINE_SEAT_OVERAGE_PERCENT: '0',
      LIFELINE_SEAT_PLAUSIBILITY_FACTOR: '1.5',
      LIFELINE_SEAT_PLAUSIBILITY_MARGIN: '50',
      LIFELINE_PUBLIC_EMAIL_DOMAINS: 'Gmail.com, @example.org',
    });
    expect(config.eligibility).toEqual({
      graceDays: 7,
      windowDays: 5,
      weekendRule: false,
      repeatWindowDays: 60,
      seatOveragePercent: 0,
      implausibleFactor: 1.5,
      implausibleMargin: 50,
      publicEmailDomains: ['gmail.com', 'example.org'],
      staffDomains: [],
    });
    expect(ok({ LIFELINE_WEEKEND_RULE: 'TRUE' }).eligibility.weekendRule).toBe(true);
    expect(ok({ LIFELINE_WEEKEND_RULE: '0' }).eligibility.weekendRule).toBe(false);

    expect(problemOf({ LIFELINE_GRACE_DAYS: '-1' }, 'LIFELINE_GRACE_DAYS')).toBe(
      'must be an integer from 0 to 365 (got "-1")',
    );
    expect(problemOf({ LIFELINE_WINDOW_DAYS: '2.5' }, 'LIFELINE_WINDOW_DAYS')).toBe(
      'must be an integer from 0 to 365 (got "2.5")',
    );
    expect(problemOf({ LIFELINE_REPEAT_WINDOW_DAYS: '9999' }, 'LIFELINE_REPEAT_WINDOW_DAYS')).toBe(
      'must be an integer from 0 to 3650 (got "9999")',
    );
    expect(problemOf({ LIFELINE_SEAT_OVERAGE_PERCENT: '10%' }, 'LIFELINE_SEAT_OVERAGE_PERCENT')).toBe(
      'must be an integer from 0 to 100 (got "10%")',
    );
    expect(problemOf({ LIFELINE_SEAT_PLAUSIBILITY_FACTOR: '0.5' }, 'LIFELINE_SEAT_PLAUSIBILITY_FACTOR')).toBe(
      'must be a number from 1 to 1000 (got "0.5")',
    );
    expect(problemOf({ LIFELINE_WEEKEND_RULE: 'maybe' }, 'LIFELINE_WEEKEND_RULE')).toBe(
      'must be true or false (got "maybe")',
    );
    expect(
      problemOf(
        { LIFELINE_PUBLIC_EMAIL_DOMAINS: 'gmail.com,not a domain,x' },
        'LIFELINE_PUBLIC_EMAIL_DOMAINS',
      ),
    ).toBe('"not a domain", "x" are not domains');
  });

  it('HOST and PORT', () => {
    expect(ok({ HOST: '0.0.0.0', PORT: '8080' }).http).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(ok({ PORT: '65535' }).http.port).toBe(65535);
    for (const port of ['0', '65536', 'abc', '80.5']) {
      expect(problemOf({ PORT: port }, 'PORT')).toBe(`must be an integer from 1 to 65535 (got "${port}")`);
    }
    expect(problemOf({ HOST: 'my host' }, 'HOST')).toMatch(
      /^must be a host name or IP address without spaces/,
    );
  });

  it('LIFELINE_SIGNING_THREADS', () => {
    expect(ok({}).signingThreads).toBe('auto');
    expect(ok({ LIFELINE_SIGNING_THREADS: 'auto' }).signingThreads).toBe('auto');
    expect(ok({ LIFELINE_SIGNING_THREADS: '0' }).signingThreads).toBe(0);
    expect(ok({ LIFELINE_SIGNING_THREADS: ' 16 ' }).signingThreads).toBe(16);
    for (const value of ['17', '-1', '2.5', 'AUTO', 'many', '100']) {
      expect(problemOf({ LIFELINE_SIGNING_THREADS: value }, 'LIFELINE_SIGNING_THREADS')).toBe(
        `must be auto or an integer from 0 to 16 (got "${value}")`,
      );
    }
  });

  it('MAIL_TRANSPORT, SMTP_URL, MAIL_FROM, MAIL_REPLY_TO', () => {
    expect(ok({ MAIL_FROM: 'support@example.com', MAIL_REPLY_TO: 'Help <help@example.com>' }).mail).toEqual({
      transport: 'outbox',
      from: 'support@example.com',
      replyTo: 'Help <help@example.com>',
    });
    expect(
      ok({
        MAIL_TRANSPORT: 'smtp',
        SMTP_URL: 'smtp://u:p@smtp.example.com:587',
        MAIL_FROM: '"Support, GitLab" <s@example.com>',
      }).mail,
    ).toEqual({
      transport: 'smtp',
      url: 'smtp://u:p@smtp.example.com:587',
      from: '"Support, GitLab" <s@example.com>',
    });

    const missing = problems({ MAIL_TRANSPORT: 'smtp' });
    expect(missing).toEqual([
      { variable: 'SMTP_URL', message: 'required when MAIL_TRANSPORT=smtp' },
      { variable: 'MAIL_FROM', message: 'required when MAIL_TRANSPORT=smtp' },
    ]);
    expect(problemOf({ SMTP_URL: 'http://smtp.example.com' }, 'SMTP_URL')).toBe(
      'must be an smtp:// or smtps:// URL with a host',
    );
    expect(problemOf({ MAIL_TRANSPORT: 'sendmail' }, 'MAIL_TRANSPORT')).toBe(
      'must be outbox or smtp (got "sendmail")',
    );
    for (const bad of ['support', 'Support <support>', 'a@b@c.com', 'Name <a@example.com', 'x@-bad-.com']) {
      expect(problemOf({ MAIL_FROM: bad }, 'MAIL_FROM')).toMatch(
        /^must be an email address, or "Name <address>"/,
      );
    }
    expect(problemOf({ MAIL_REPLY_TO: 'nobody' }, 'MAIL_REPLY_TO')).toMatch(/^must be an email address/);
  });

  it("email settings use rule 1's address syntax (src/core/limits.ts), inside a display name too", () => {
    for (const bad of ['a..b@example.com', '.a@example.com', 'ops@localhost', 'ops@example.123']) {
      expect(validateEmail(bad).ok, bad).toBe(false);
      expect(problemOf({ MAIL_FROM: `Ops <${bad}>` }, 'MAIL_FROM'), bad).toMatch(/^must be an email address/);
      expect(problemOf({ ZENDESK_EMAIL: bad }, 'ZENDESK_EMAIL'), bad).toMatch(/^must be an email address/);
    }
    for (const good of ['Ops.Team+lifeline@Example.COM', "o'brien@mail.example.co.uk"]) {
      expect(validateEmail(good).ok, good).toBe(true);
      expect(ok({ MAIL_FROM: `"Ops" <${good}>` }).mail.from).toBe(`"Ops" <${good}>`);
    }
  });

  it('TRACKER and GITLAB_*', () => {
    expect(
      ok({
        TRACKER: 'gitlab',
        GITLAB_URL: 'https://gitlab.example.com/',
        GITLAB_TOKEN: 't',
        GITLAB_PROJECT: '42',
      }).tracker,
    ).toEqual({ kind: 'gitlab', url: 'https://gitlab.example.com', token: 't', project: '42' });
    expect(problems({ TRACKER: 'gitlab' })).toEqual([
      { variable: 'GITLAB_URL', message: 'required when TRACKER=gitlab' },
      { variable: 'GITLAB_TOKEN', message: 'required when TRACKER=gitlab' },
      { variable: 'GITLAB_PROJECT', message: 'required when TRACKER=gitlab' },
    ]);
    expect(problemOf({ GITLAB_URL: 'gitlab.example.com' }, 'GITLAB_URL')).toBe(
      'must be an http:// or https:// URL (got "gitlab.example.com")',
    );
    expect(problemOf({ TRACKER: 'jira' }, 'TRACKER')).toBe('must be local or gitlab (got "jira")');
  });

  it('CHAT and SLACK_*', () => {
    expect(ok({ CHAT: 'slack', SLACK_TOKEN: 'xoxb-1' }).chat).toEqual({
      kind: 'slack',
      token: 'xoxb-1',
      channel: '#support_licensing-subscription',
      apiUrl: 'https://slack.com/api/',
    });
    expect(
      ok({
        CHAT: 'slack',
        SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
        SLACK_API_URL: 'http://fake:9/api',
      }).chat,
    ).toEqual({
      kind: 'slack',
      channel: '#support_licensing-subscription',
      apiUrl: 'http://fake:9/api/',
      webhookUrl: 'https://hooks.slack.com/services/T/B/x',
    });
    expect(ok({ CHAT: 'slack', SLACK_TOKEN: 'x', SLACK_CHANNEL: 'C0123' }).chat.channel).toBe('C0123');
    expect(problems({ CHAT: 'slack' })).toEqual([
      { variable: 'SLACK_TOKEN', message: 'required when CHAT=slack (or set SLACK_WEBHOOK_URL instead)' },
    ]);
    expect(problemOf({ SLACK_WEBHOOK_URL: 'hooks.slack.com/x' }, 'SLACK_WEBHOOK_URL')).toBe(
      'must be an http:// or https:// URL',
    );
  });

  it('TICKETS, ZENDESK_* and ZENDESK_APP_SECRET', () => {
    const config = ok({
      TICKETS: 'zendesk',
      ZENDESK_URL: 'https://example.zendesk.com/',
      ZENDESK_EMAIL: 'bot@example.com',
      ZENDESK_API_TOKEN: 'zt',
      ZENDESK_APP_SECRET: 'shh',
    });
    expect(config.tickets).toEqual({
      kind: 'zendesk',
      url: 'https://example.zendesk.com',
      email: 'bot@example.com',
      apiToken: 'zt',
    });
    expect(config.zendeskUrl).toBe('https://example.zendesk.com');
    expect(config.zendeskAppSecret).toBe('shh');
    // With TICKETS=local the URL still serves the default ticket links.
    const local = ok({ ZENDESK_URL: 'https://example.zendesk.com' });
    expect(local.tickets).toEqual({ kind: 'local' });
    expect(local.zendeskUrl).toBe('https://example.zendesk.com');
    expect(problems({ TICKETS: 'zendesk' }).map((p) => p.variable)).toEqual([
      'ZENDESK_URL',
      'ZENDESK_EMAIL',
      'ZENDESK_API_TOKEN',
    ]);
    expect(problemOf({ ZENDESK_EMAIL: 'bot' }, 'ZENDESK_EMAIL')).toBe('must be an email address (got "bot")');
  });
});

describe('every problem in one message', () => {
  it('bad variables give one error listing every problem, one line each, in table order', () => {
    const error = loadError({
      PORT: 'abc',
      LIFELINE_ENV: 'staging',
      MAIL_TRANSPORT: 'smtp',
      LIFELINE_HOLIDAYS: '2026-13-01',
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(
      [
        "Lifeline's configuration has 5 problems:",
        '- LIFELINE_ENV: must be development or production (got "staging")',
        '- LIFELINE_HOLIDAYS: "2026-13-01" is not a real date in YYYY-MM-DD form',
        '- PORT: must be an integer from 1 to 65535 (got "abc")',
        '- SMTP_URL: required when MAIL_TRANSPORT=smtp',
        '- MAIL_FROM: required when MAIL_TRANSPORT=smtp',
      ].join('\n'),
    );
  });

  it('exactly four problems make exactly four lines', () => {
    const error = loadError({ PORT: '0', HOST: 'a b', TRACKER: 'jira', LIFELINE_GRACE_DAYS: 'x' });
    const lines = error.message.split('\n');
    expect(lines[0]).toBe("Lifeline's configuration has 4 problems:");
    expect(lines.slice(1).map((l) => l.split(':')[0])).toEqual([
      '- LIFELINE_GRACE_DAYS',
      '- HOST',
      '- PORT',
      '- TRACKER',
    ]);
  });

  it('one problem is singular', () => {
    expect(loadError({ PORT: 'x' }).message.split('\n')[0]).toBe("Lifeline's configuration has 1 problem:");
  });

  it('cross-variable rules are checked even when other variables are invalid', () => {
    expect(problems({ PORT: 'x', CHAT: 'slack', TICKETS: 'nope' }).map((p) => p.variable)).toEqual([
      'PORT',
      'SLACK_TOKEN',
      'TICKETS',
    ]);
  });

  it('a long bad value is shortened in the message', () => {
    const message = problemOf({ HOST: `a ${'x'.repeat(500)}` }, 'HOST');
    expect(message.length).toBeLessThan(200);
  });
});

describe('secrets', () => {
  it('the secret variables are the documented ones', () => {
    expect([...SECRET_VARIABLES].sort()).toEqual(
      [
        'LIFELINE_SIGNING_KEY',
        'GITLAB_TOKEN',
        'SLACK_TOKEN',
        'SLACK_WEBHOOK_URL',
        'ZENDESK_API_TOKEN',
        'ZENDESK_APP_SECRET',
        'SMTP_URL',
        'DATABASE_URL',
        'OIDC_CLIENT_SECRET',
      ].sort(),
    );
  });

  it('a secret’s value never appears in a problem', () => {
    const env: Env = {
      DATABASE_URL: 'mysql://user:SECRET-db-77@db/x',
      LIFELINE_SIGNING_KEY: 'SECRET-key-77',
      SMTP_URL: 'http://user:SECRET-smtp-77@mail',
      SLACK_WEBHOOK_URL: 'SECRET-hook-77',
      GITLAB_TOKEN: 'SECRET-gitlab-77',
      ZENDESK_API_TOKEN: 'SECRET-zendesk-77',
      ZENDESK_APP_SECRET: 'SECRET-app-77',
      SLACK_TOKEN: 'SECRET-slack-77',
      TRACKER: 'gitlab',
      TICKETS: 'zendesk',
    };
    const message = loadError(env).message;
    for (const name of [
      'DATABASE_URL',
      'LIFELINE_SIGNING_KEY',
      'SMTP_URL',
      'SLACK_WEBHOOK_URL',
      'GITLAB_URL',
    ]) {
      expect(message).toContain(`- ${name}:`);
    }
    expect(message).not.toMatch(/SECRET-/);
    // An inline key that conflicts with the file is refused without echoing either.
    const both = loadError({
      LIFELINE_SIGNING_KEY: PEM,
      LIFELINE_SIGNING_KEY_FILE: '/k.pem',
      PORT: 'x',
    }).message;
    expect(both).not.toContain('BEGIN PRIVATE KEY');
  });

  it('redactedConfig hides every secret and keeps what helps', () => {
    const config = ok({
      ...PRODUCTION,
      LIFELINE_SIGNING_KEY_FILE: undefined,
      LIFELINE_SIGNING_KEY: PEM,
      DATABASE_URL:
        'postgres://lifeline:SECRET-db-88@db.internal:5432/lifeline?sslmode=require&password=SECRET-q-88',
      SMTP_URL: 'smtps://mailer:SECRET-smtp-88@smtp.example.com:465',
      GITLAB_TOKEN: 'SECRET-gitlab-88',
      SLACK_TOKEN: 'SECRET-slack-88',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/SECRET-hook-88',
      ZENDESK_API_TOKEN: 'SECRET-zendesk-88',
      ZENDESK_APP_SECRET: 'SECRET-app-88',
    });
    // The config itself carries them (the adapters need them)...
    expect(JSON.stringify(config)).toContain('SECRET-gitlab-88');
    const printed = JSON.stringify(redactedConfig(config));
    // ...the printable view does not.
    expect(printed).not.toMatch(/SECRET-/);
    expect(printed).not.toContain('PRIVATE KEY');
    const redacted = redactedConfig(config) as Record<string, Record<string, unknown>>;
    expect(redacted.database).toEqual({
      kind: 'postgres',
      url: 'postgres://[redacted]@db.internal:5432/lifeline?[redacted]',
    });
    expect(redacted.mail?.url).toBe('smtps://[redacted]@smtp.example.com:465');
    expect(redacted.chat?.webhookUrl).toBe('https://hooks.slack.com/[redacted]');
    expect(redacted.chat?.token).toBe('[redacted]');
    expect(redacted.tracker).toEqual({
      kind: 'gitlab',
      url: 'https://gitlab.example.com',
      token: '[redacted]',
      project: 'support/licensing-requests',
    });
    expect(redacted.signingKey).toEqual({ kind: 'inline', pem: '[redacted]' });
    expect(redactedConfig(config).zendeskAppSecret).toBe('[redacted]');
    expect(redacted.http).toEqual({ host: '127.0.0.1', port: 3000 });
  });

  it('redactedConfig leaves a configuration without secrets as it is', () => {
    const config = ok({});
    expect(redactedConfig(config)).toEqual(config);
  });
});

describe('the config file', () => {
  it('is read, and the environment wins over it', () => {
    const file = writeTemp(
      [
        '# Lifeline',
        'PORT=4000',
        'export HOST = 0.0.0.0   # every interface',
        'LIFELINE_SUPPORT_TIMEZONE="Europe/Berlin"',
        "SLACK_CHANNEL='#licensing'",
        'LIFELINE_SIGNING_KEY="' + PEM.trim() + '"',
        '',
      ].join('\n'),
    );
    const config = loadConfig({ LIFELINE_CONFIG_FILE: file, PORT: '5000' });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 5000 });
    expect(config.supportTimeZone).toBe('Europe/Berlin');
    expect(config.chat.channel).toBe('#licensing');
    expect(config.signingKey).toEqual({ kind: 'inline', pem: PEM });
    expect(config.configFile).toBe(file);
  });

  it('options.file is used, over LIFELINE_CONFIG_FILE', () => {
    const a = writeTemp('PORT=4001\n');
    const b = writeTemp('PORT=4002\n');
    expect(loadConfig({}, { file: a }).http.port).toBe(4001);
    expect(loadConfig({ LIFELINE_CONFIG_FILE: a }, { file: b }).http.port).toBe(4002);
  });

  it('an empty environment value does not hide the file’s value', () => {
    const file = writeTemp('PORT=4003\n');
    expect(loadConfig({ PORT: '' }, { file }).http.port).toBe(4003);
  });

  it('values in the file are validated like the environment', () => {
    const file = writeTemp('PORT=abc\n');
    expect(loadError({}, { file }).message).toContain(
      '- PORT: must be an integer from 1 to 65535 (got "abc")',
    );
  });

  it('an unknown key in the file is a problem, with a suggestion', () => {
    const file = writeTemp('PROT=4000\nSOMETHING_ELSE=1\n');
    const message = loadError({}, { file }).message;
    expect(message).toContain('- PROT: is not a Lifeline setting (in the config file); did you mean PORT?');
    expect(message).toMatch(/^- SOMETHING_ELSE: is not a Lifeline setting \(in the config file\)$/m);
    expect(problems({}, { SLACK_TOKN: 'x' })).toEqual([
      {
        variable: 'SLACK_TOKN',
        message: 'is not a Lifeline setting (in the config file); did you mean SLACK_TOKEN?',
      },
    ]);
  });

  it('LIFELINE_CONFIG_FILE cannot be set inside the file', () => {
    expect(problems({}, { LIFELINE_CONFIG_FILE: '/other' })).toEqual([
      { variable: 'LIFELINE_CONFIG_FILE', message: 'cannot be set inside the config file' },
    ]);
  });

  it('a missing file and broken lines are problems listed with the others, without the line’s text', () => {
    const missing = join(tmp, 'nope.env');
    expect(loadError({ PORT: 'x' }, { file: missing }).message).toBe(
      [
        "Lifeline's configuration has 2 problems:",
        `- LIFELINE_CONFIG_FILE: cannot read ${missing}: no such file`,
        '- PORT: must be an integer from 1 to 65535 (got "x")',
      ].join('\n'),
    );
    const file = writeTemp('PORT=4000\nthis is SECRET-line-99 text\nPORT=4001\n');
    const message = loadError({}, { file }).message;
    expect(message).toContain(`- LIFELINE_CONFIG_FILE: ${file} line 2: expected KEY=VALUE`);
    expect(message).toContain(`- LIFELINE_CONFIG_FILE: ${file} line 3: PORT is already set on line 1`);
    expect(message).not.toContain('SECRET-line-99');
  });

  it('a secret in the file is not echoed either', () => {
    const file = writeTemp('SMTP_URL=ftp://u:SECRET-file-99@h\n');
    expect(loadError({}, { file }).message).not.toContain('SECRET-file-99');
  });

  it('a key file path in the file is kept as given (key files are not read here)', () => {
    const key = join(tmp, 'private.pem');
    writeFileSync(key, PEM);
    chmodSync(key, 0o644);
    const file = writeTemp(`LIFELINE_SIGNING_KEY_FILE=${key}\n`);
    expect(loadConfig({}, { file }).signingKey).toEqual({ kind: 'file', path: key });
  });
});

describe('parseConfigText', () => {
  it('reads comments, export, quotes, escapes and inline comments', () => {
    const { values, problems: found } = parseConfigText(
      [
        '\uFEFF# comment',
        '   # indented comment',
        'A=1',
        'export B = two words  # comment',
        'C="double # not a comment" # comment',
        "D='single \\n literal'",
        'E="line\\nbreak \\"quoted\\" back\\\\slash"',
        'F=#channel',
        'G=',
        'H="multi',
        'line value"',
        "I='also",
        "multi'",
        'J=a#b',
      ].join('\r\n'),
    );
    expect(found).toEqual([]);
    expect(values).toEqual({
      A: '1',
      B: 'two words',
      C: 'double # not a comment',
      D: 'single \\n literal',
      E: 'line\nbreak "quoted" back\\slash',
      F: '#channel',
      G: '',
      H: 'multi\nline value',
      I: 'also\nmulti',
      J: 'a#b',
    });
  });

  it('reports broken lines by number', () => {
    expect(parseConfigText('A=1\n1BAD=2\nno equals\nB="x" y\nC="never closed\nD=4\n').problems).toEqual([
      'line 2: expected KEY=VALUE',
      'line 3: expected KEY=VALUE',
      'line 4: unexpected text after the closing quote of B',
      'line 5: the quoted value of C is never closed',
    ]);
  });

  it('readConfigFile prefixes problems with the path', () => {
    const file = writeTemp('oops\n');
    expect(readConfigFile(file)).toEqual({ values: {}, problems: [`${file} line 1: expected KEY=VALUE`] });
  });
});

describe('production', () => {
  it('a complete production configuration is accepted', () => {
    const config = ok(PRODUCTION);
    expect(config.env).toBe('production');
    expect(config.database).toEqual({ kind: 'postgres', url: PRODUCTION.DATABASE_URL });
    expect(config.mail.transport).toBe('smtp');
    expect(config.tracker.kind).toBe('gitlab');
    expect(config.chat.kind).toBe('slack');
    expect(config.tickets.kind).toBe('zendesk');
  });

  it('refuses the development key and every local delivery, each a problem', () => {
    expect(problems({ LIFELINE_ENV: 'production' })).toEqual([
      {
        variable: 'LIFELINE_SIGNING_KEY_FILE',
        message:
          'required in production (or LIFELINE_SIGNING_KEY): a development key is not accepted by real GitLab instances',
      },
      {
        variable: 'MAIL_TRANSPORT',
        message:
          'is outbox (the default) in production, so customer emails would only be written to files; set MAIL_TRANSPORT=smtp, or LIFELINE_ALLOW_LOCAL_DELIVERIES=true to allow it',
      },
      {
        variable: 'TRACKER',
        message:
          'is local (the default) in production, so the licensing team’s tracker would get no records; set TRACKER=gitlab, or LIFELINE_ALLOW_LOCAL_DELIVERIES=true to allow it',
      },
      {
        variable: 'CHAT',
        message:
          'is local (the default) in production, so the team would not be notified; set CHAT=slack, or LIFELINE_ALLOW_LOCAL_DELIVERIES=true to allow it',
      },
    ]);
    expect(problemOf({ ...PRODUCTION, CHAT: 'local' }, 'CHAT')).toMatch(/^is local in production/);
  });

  it('LIFELINE_ALLOW_LOCAL_DELIVERIES allows local deliveries but never a development key', () => {
    expect(problems({ LIFELINE_ENV: 'production', LIFELINE_ALLOW_LOCAL_DELIVERIES: 'true' })).toEqual([
      expect.objectContaining({ variable: 'LIFELINE_SIGNING_KEY_FILE' }),
    ]);
    const config = ok({
      LIFELINE_ENV: 'production',
      LIFELINE_ALLOW_LOCAL_DELIVERIES: 'true',
      LIFELINE_SIGNING_KEY: PEM,
    });
    expect(config.allowLocalDeliveries).toBe(true);
    expect(config.mail.transport).toBe('outbox');
  });

  it('SQLite and TICKETS=local are fine in production', () => {
    const config = ok({
      ...PRODUCTION,
      DATABASE_URL: 'sqlite:/var/lib/lifeline/lifeline.db',
      TICKETS: 'local',
    });
    expect(config.database.kind).toBe('sqlite');
    expect(config.tickets.kind).toBe('local');
  });

  it('pinned dates are refused in production and off by default (PRODUCT.md §12)', () => {
    expect(ok(PRODUCTION).allowPinnedDates).toBe(false);
    expect(
      problemOf({ ...PRODUCTION, LIFELINE_ALLOW_PINNED_DATES: 'true' }, 'LIFELINE_ALLOW_PINNED_DATES'),
    ).toBe('must not be true in production: decisions are dated by the clock');
    expect(ok({ LIFELINE_ALLOW_PINNED_DATES: 'true' }).allowPinnedDates).toBe(true);
  });

  it('LIFELINE_STAFF_DOMAINS is a list of domains, empty by default', () => {
    expect(ok({}).eligibility.staffDomains).toEqual([]);
    expect(ok({ LIFELINE_STAFF_DOMAINS: 'GitLab.com, @support.example' }).eligibility.staffDomains).toEqual([
      'gitlab.com',
      'support.example',
    ]);
    expect(problemOf({ LIFELINE_STAFF_DOMAINS: 'not a domain' }, 'LIFELINE_STAFF_DOMAINS')).toMatch(
      /not a domain/,
    );
  });

  it('development accepts everything local', () => {
    expect(ok({ LIFELINE_ENV: 'development' }).signingKey).toEqual({ kind: 'development' });
  });
});

describe('.env.example', () => {
  const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const VARIABLE_LINE = /^# ([A-Z][A-Z0-9_]*)=(.*)$/gm;
  const lines = [...text.matchAll(VARIABLE_LINE)].map((m) => ({ name: m[1] ?? '', value: m[2] ?? '' }));

  it('names every variable of CONFIG_VARIABLES, and nothing else, once each', () => {
    const names = lines.map((l) => l.name);
    expect([...names].sort()).toEqual(CONFIG_VARIABLES.map((v) => v.name).sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('every line is commented out, so the file itself sets nothing', () => {
    expect(readConfigFile(fileURLToPath(new URL('../.env.example', import.meta.url)))).toEqual({
      values: {},
      problems: [],
    });
  });

  it('its example values are valid (uncommented, apart from the placeholder key and the file)', () => {
    const uncommented = text
      .split('\n')
      .filter((line) => /^# [A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => line.slice(2))
      .filter(
        (line) => !line.startsWith('LIFELINE_SIGNING_KEY=') && !line.startsWith('LIFELINE_CONFIG_FILE='),
      )
      .join('\n');
    const parsed = parseConfigText(uncommented);
    expect(parsed.problems).toEqual([]);
    const config = ok({}, parsed.values);
    expect(config.holidays).toHaveLength(4);
    expect(config.verifyKeyFiles).toHaveLength(2);
  });

  it('every variable is documented', () => {
    for (const v of CONFIG_VARIABLES) {
      expect(v.description.length, v.name).toBeGreaterThan(20);
    }
  });
});
