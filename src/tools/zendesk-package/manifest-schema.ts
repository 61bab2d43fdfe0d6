/**
 * The rules Zendesk applies to manifest.json on upload (framework v2 iframe apps), and Lifeline's
 * own (a private ticket-sidebar app with backend_url and a secure shared_secret), as a zod schema.
 */
import { z } from 'zod';
import {
  isObject,
  issuesToProblems,
  parseJson,
  type Bracket,
  type Json,
  type PackageFiles,
  type PackageProblem,
} from './problems.js';

/** Zendesk's parameter types (zendesk_apps_support, Manifest::Parameter::TYPES). */
export const PARAMETER_TYPES = [
  'text',
  'password',
  'checkbox',
  'url',
  'number',
  'multiline',
  'hidden',
  'oauth',
];
/** Locations of the Support host that take an iframe URL. */
export const SUPPORT_LOCATIONS = [
  'ticket_sidebar',
  'new_ticket_sidebar',
  'user_sidebar',
  'organization_sidebar',
  'top_bar',
  'nav_bar',
  'background',
  'modal',
  'ticket_editor',
  'system_top_bar',
];
export const VALID_LOCALE = /^[a-z]{2}(-\w{2,3})?$/;
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const HOST =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$/i;
/** Runs a check even where other parts of the value broke their rules (every problem is reported). */
const always = { when: () => true };

const nonEmpty = (rule: string) =>
  z.string({ error: rule }).refine((s) => s.trim() !== '', { message: rule, abort: true });
const flag = z.boolean({ error: 'must be true or false' }).optional();
/** A flag that must not be set to true, because the app has a location. */
const notTrue = z
  .literal(false, {
    error: (issue) =>
      issue.input === true ? 'must not be true: the app has a location' : 'must be true or false',
  })
  .optional();

function isHttpUrl(value: string, protocols: string[]): boolean {
  try {
    const u = new URL(value);
    return protocols.includes(u.protocol) && u.hostname !== '';
  } catch {
    return false;
  }
}

const author = z.object(
  {
    name: nonEmpty('required: a non-empty string'),
    email: z
      .string({ error: 'required: the email address app users write to' })
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'required: the email address app users write to'),
    url: z
      .string({ error: 'must be an http:// or https:// URL' })
      .refine((url) => isHttpUrl(url, ['http:', 'https:']), 'must be an http:// or https:// URL')
      .optional(),
  },
  { error: 'required: an object with name and email' },
);

/** A location's page: an https:// URL, or a file of the package under assets/. */
function page(files: PackageFiles) {
  const absolute = (url: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(url);
  const url = nonEmpty('required: the page Zendesk frames, e.g. "assets/iframe.html"')
    .refine((u) => !absolute(u) || u.startsWith('https://'), {
      message: 'an absolute location URL must use https://',
      abort: true,
    })
    .refine((u) => absolute(u) || u.startsWith('assets/'), {
      message: 'a relative location URL must be inside assets/',
      abort: true,
    })
    .refine((u) => absolute(u) || files.has(u.split(/[?#]/)[0] ?? u), {
      error: (issue) => `refers to ${String(issue.input)}, which is not in the package`,
    });
  return z.object(
    { url, flexible: flag },
    { error: 'must be an object with a url (framework version 2 locations are URLs)' },
  );
}

/** An object's message for its unknown keys, and for anything else (the issue types leave unknown keys out). */
const unknownKeyOr =
  (unknownKey: string, otherwise: string) =>
  (issue: { code?: unknown }): string =>
    issue.code === 'unrecognized_keys' ? unknownKey : otherwise;

function location(files: PackageFiles) {
  const support = z
    .partialRecord(z.enum(SUPPORT_LOCATIONS), page(files), {
      error: unknownKeyOr(
        `is not a Support location (${SUPPORT_LOCATIONS.join(', ')})`,
        'must be an object of locations',
      ),
    })
    .refine((s: unknown) => isObject(s) && s['ticket_sidebar'] !== undefined, {
      ...always,
      path: ['ticket_sidebar'],
      message: 'required: Lifeline is a ticket sidebar app',
    });
  return z.strictObject(
    { support: support.prefault({}) },
    {
      error: unknownKeyOr(
        'is not a host this app supports (only "support")',
        'required: { "support": { "ticket_sidebar": { "url": … } } }',
      ),
    },
  );
}

/** A parameter: first an object with a name Zendesk accepts; only then the rest of its rules. */
const parameter = z
  .looseObject(
    {
      name: z
        .string({ error: 'required: letters, digits and underscores' })
        .regex(PARAMETER_NAME, 'required: letters, digits and underscores'),
    },
    { error: 'must be an object with name and type' },
  )
  .pipe(
    z
      .looseObject({
        name: z.string(),
        type: z.enum(PARAMETER_TYPES, { error: `must be one of ${PARAMETER_TYPES.join(', ')}` }).nullish(),
        required: flag,
        secure: flag,
        default: z.unknown().optional(),
      })
      .refine((p) => p.name !== 'name', { ...always, message: 'a parameter cannot be called "name"' })
      .refine((p) => !(p.type === 'hidden' && p.required === true), {
        ...always,
        path: ['required'],
        message: 'a hidden parameter cannot be required',
      })
      .refine((p) => !(p.type === 'oauth' && p.secure === true), {
        ...always,
        path: ['secure'],
        message: 'an oauth parameter cannot be secure',
      })
      .refine((p) => !(p.secure === true && p.default !== undefined), {
        ...always,
        path: ['default'],
        message: 'a secure parameter must not have a default (it would ship in the package)',
      }),
  );

/** The parameters Lifeline needs, with what each must be. */
const REQUIRED_PARAMETERS = {
  backend_url: {
    missing: 'required: the Lifeline URL the sidebar calls',
    schema: z.object({
      type: z.enum(['text', 'url'], { error: 'must be text or url' }).nullish(),
      required: z.literal(true, { error: 'must be true' }),
      secure: z
        .unknown()
        .refine((v) => v !== true, 'must not be secure: the sidebar reads it with client.metadata()')
        .optional(),
    }),
  },
  shared_secret: {
    missing: 'required: the secret Zendesk signs requests with',
    schema: z.object({
      secure: z.literal(true, { error: 'must be true: the secret must never reach the browser' }),
      required: z.literal(true, { error: 'must be true' }),
    }),
  },
};

/** A parameter object with a name Zendesk accepts. */
const isNamed = (p: unknown): p is Json & { name: string } =>
  isObject(p) && typeof p['name'] === 'string' && PARAMETER_NAME.test(p['name']);

/** The named parameter objects of a manifest's `parameters`, if it is a list. */
const namedParameters = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isNamed) : []);

const parameters = z
  .array(parameter, {
    error: (issue) =>
      issue.input === undefined ? 'required: backend_url and shared_secret' : 'must be an array',
  })
  .superRefine((list: unknown, ctx) => {
    if (!Array.isArray(list)) return;
    const named = namedParameters(list);
    named.forEach((p, i) => {
      if (named.findIndex((q) => q['name'] === p['name']) < i) {
        ctx.addIssue({ code: 'custom', path: [list.indexOf(p)], message: 'is defined twice' });
      }
    });
    for (const [name, { missing, schema }] of Object.entries(REQUIRED_PARAMETERS)) {
      // Given twice (reported above), the last one counts.
      const found = named.findLast((p) => p['name'] === name);
      if (!found) {
        ctx.addIssue({ code: 'custom', path: [name], message: missing });
        continue;
      }
      for (const issue of schema.safeParse(found).error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', path: [name, ...issue.path], message: issue.message });
      }
    }
  }, always);

export function manifestSchema(files: PackageFiles) {
  return z
    .object({
      name: nonEmpty('required: a non-empty string'),
      version: z
        .string({ error: 'required: a version such as "1.0.0"' })
        .regex(/^\d+(\.\d+){0,2}$/, 'required: a version such as "1.0.0"'),
      author,
      defaultLocale: nonEmpty('required: a locale such as "en"')
        .refine((l) => VALID_LOCALE.test(l), {
          error: (issue) =>
            `"${String(issue.input)}" is not a valid locale (two lower-case letters, optionally -XX)`,
          abort: true,
        })
        .refine((l) => files.has(`translations/${l}.json`), {
          error: (issue) => `needs the translation file translations/${String(issue.input)}.json`,
        }),
      frameworkVersion: z.literal('2.0', {
        error: (issue) =>
          issue.input === undefined ? 'required: "2.0"' : 'must be "2.0" (iframe apps, ZAF v2)',
      }),
      private: flag,
      singleInstall: flag,
      signedUrls: flag,
      requirementsOnly: notTrue,
      marketingOnly: notTrue,
      noTemplate: z
        .undefined({ error: 'is deprecated in framework version 2 and must not be set' })
        .optional(),
      location: location(files),
      parameters,
      domainWhitelist: z
        .custom<string[]>(
          (v) => Array.isArray(v) && v.every((d) => typeof d === 'string'),
          'must be an array of host names',
        )
        .pipe(
          z.array(
            z.string().regex(HOST, {
              error: (issue) => `"${String(issue.input)}" must be a host name (no scheme or path)`,
            }),
          ),
        )
        .optional(),
    })
    .refine((m: unknown) => isObject(m) && m['private'] === true, {
      ...always,
      path: ['private'],
      message: 'must be true: Lifeline is installed as a private app',
    })
    .refine(
      (m: unknown) => {
        const whitelist = isObject(m) ? m['domainWhitelist'] : undefined;
        const secure = namedParameters(isObject(m) ? m['parameters'] : undefined).some(
          (p) => p['secure'] === true,
        );
        return !secure || (Array.isArray(whitelist) ? whitelist.length > 0 : whitelist !== undefined);
      },
      {
        ...always,
        path: ['domainWhitelist'],
        message:
          'required with secure parameters: Zendesk sends a secure setting only to whitelisted hosts (build with --backend-url)',
      },
    );
}

/** A parameter is named by its name where it has one Zendesk accepts, else by its position. */
function parameterLabel(manifest: Json): Bracket {
  return (parent, segment) => {
    if (parent.length !== 1 || parent[0] !== 'parameters')
      return typeof segment === 'number' ? String(segment) : null;
    const entry = typeof segment === 'number' ? (manifest['parameters'] as unknown[])[segment] : undefined;
    return isNamed(entry) ? entry.name : String(segment);
  };
}

/** Checks manifest.json; returns it (as parsed) for the translation checks, or null when unreadable. */
export function checkManifest(files: PackageFiles, problems: PackageProblem[]): Json | null {
  const file = 'manifest.json';
  if (!files.has(file)) {
    problems.push({ file, field: '(file)', rule: 'required at the root of the package' });
    return null;
  }
  const manifest = parseJson(files, file, problems);
  if (!manifest) return null;
  const issues = manifestSchema(files).safeParse(manifest).error?.issues ?? [];
  problems.push(...issuesToProblems(file, issues, parameterLabel(manifest)));
  return manifest;
}
