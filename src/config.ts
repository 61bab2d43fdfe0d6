/**
 * Lifeline's configuration (PRODUCT.md §9 "Configuration contract"): one table of variables, each with
 * its zod schema, default and description, grouped by integration in src/config/*.ts, read from the
 * environment and an optional dotenv-style file. Every problem is collected and reported in one
 * message; a secret's value never appears in a message or in `redactedConfig`.
 *
 * This module reads only what it is given: the env object and, in `loadConfig`, the config file. It
 * does not read key files (key loading checks them) and does not resolve paths against the working
 * directory (the composition root does).
 */
import { readConfigFile } from './config-file.js';
import { LifelineError } from './core/errors.js';
import { err, ok, type Result } from './core/result.js';
import { retentionTooShort } from './core/retention.js';
import { CHAT, chatConfig, chatRules, type ChatConfig } from './config/chat.js';
import { tryUrl, type ConfigVariable, type RuleContext, type Spec, type ValuesOf } from './config/fields.js';
import { GENERAL, generalConfig, type GeneralConfig } from './config/general.js';
import { HTTP, httpConfig, type HttpConfig } from './config/http.js';
import { KEYS, keysConfig, keysRules, type KeysConfig } from './config/keys.js';
import { MAIL, mailConfig, mailRules, type MailGroupConfig } from './config/mail.js';
import { OIDC, oidcConfig, oidcRules, type OidcGroupConfig } from './config/oidc.js';
import { OPERATIONS, operationsConfig, type OperationsConfig } from './config/operations.js';
import { RULES, rulesConfig, rulesRules, type RulesConfig } from './config/rules.js';
import { TICKETS, ticketsConfig, ticketsRules, type TicketsGroupConfig } from './config/tickets.js';
import { TRACKER, trackerConfig, trackerRules, type TrackerConfig } from './config/tracker.js';

export type { ConfigGroup, ConfigVariable } from './config/fields.js';
export { DEFAULT_SLACK_API_URL, DEFAULT_SLACK_CHANNEL, type ChatConfig } from './config/chat.js';
export type { DatabaseConfig, LifelineEnvironment } from './config/general.js';
export type { OidcConfig } from './config/oidc.js';
export type { SigningKeyConfig } from './config/keys.js';
export { DEFAULT_MAIL_FROM, type MailConfig } from './config/mail.js';
export { DEFAULT_PUBLIC_EMAIL_DOMAINS, type EligibilityTunables } from './config/rules.js';
export type { TicketsConfig } from './config/tickets.js';
export type { TrackerConfig } from './config/tracker.js';

/** The whole configuration: each group's part (src/config/*.ts). */
export type Config = GeneralConfig &
  KeysConfig &
  RulesConfig &
  HttpConfig &
  MailGroupConfig & { tracker: TrackerConfig } & { chat: ChatConfig } & TicketsGroupConfig &
  OidcGroupConfig &
  OperationsConfig;

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** The configuration, or every problem found in it. */
export type ParseConfigResult = Result<Config, ConfigProblem[]>;

/** The table, in documentation order: every variable once, grouped by integration. */
const SPECS = {
  ...GENERAL,
  ...KEYS,
  ...RULES,
  ...HTTP,
  ...MAIL,
  ...TRACKER,
  ...CHAT,
  ...TICKETS,
  ...OIDC,
  ...OPERATIONS,
};

type VariableName = keyof typeof SPECS;
type Values = ValuesOf<typeof SPECS>;

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

  // 2. The rules between variables, each group's own, then those across groups.
  const production = v.LIFELINE_ENV === 'production';
  const context: RuleContext<VariableName> = {
    production,
    allowLocal: v.LIFELINE_ALLOW_LOCAL_DELIVERIES === true,
    missing: (name) => raw[name] === undefined,
    problem: (variable, message) => problems.push({ variable, message }),
    requireFor(setting, names) {
      for (const name of names) if (this.missing(name)) this.problem(name, `required when ${setting}`);
    },
    localRefusal(name, value, what, fix) {
      if (!production || this.allowLocal) return;
      const shown = this.missing(name) ? `${String(value)} (the default)` : String(value);
      this.problem(
        name,
        `is ${shown} in production, so ${what}; set ${fix}, or LIFELINE_ALLOW_LOCAL_DELIVERIES=true to allow it`,
      );
    },
  };
  keysRules(v, context);
  rulesRules(v, context);
  mailRules(v, context);
  trackerRules(v, context);
  chatRules(v, context);
  ticketsRules(v, context);
  oidcRules(v, context);
  if (v.LIFELINE_RETENTION_DAYS !== undefined && v.LIFELINE_REPEAT_WINDOW_DAYS !== undefined) {
    const tooShort = retentionTooShort(v.LIFELINE_RETENTION_DAYS, v.LIFELINE_REPEAT_WINDOW_DAYS);
    if (tooShort) context.problem('LIFELINE_RETENTION_DAYS', tooShort);
  }

  if (problems.length > 0) return err(sortProblems(problems));
  const all = v as Values;
  return ok({
    ...generalConfig(all),
    ...keysConfig(all),
    ...rulesConfig(all),
    ...httpConfig(all),
    ...mailConfig(all),
    ...trackerConfig(all),
    ...chatConfig(all),
    ...ticketsConfig(all),
    ...oidcConfig(all),
    ...operationsConfig(all),
  });
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
  const problems = sortProblems([...fileProblems, ...(result.ok ? [] : result.error)]);
  if (problems.length > 0 || !result.ok) {
    throw new LifelineError('CONFIG_INVALID', formatConfigProblems(problems));
  }
  return result.value;
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
  const { database, signingKey, mail, tracker, chat, tickets, zendeskAppSecret, oidc, ...rest } = config;
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
    ...(oidc !== undefined ? { oidc: { ...structuredClone(oidc), clientSecret: REDACTED } } : {}),
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
