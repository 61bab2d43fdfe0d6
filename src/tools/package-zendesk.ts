/**
 * Builds the Zendesk sidebar app package (PRODUCT.md §8): the app source in `zendesk/` (manifest,
 * translations, logos) plus the built sidebar (`dist/web/sidebar/`, copied into `assets/`, its page
 * becoming `assets/iframe.html`), checked against the rules Zendesk applies on upload, then zipped:
 *
 *   npm run package:zendesk -- --backend-url https://lifeline.example.com
 *     [--app zendesk] [--sidebar dist/web/sidebar] [--out dist/zendesk/lifeline-zendesk-app.zip]
 *
 * `--backend-url` is required because Zendesk inserts a secure setting (the shared secret) only into
 * requests to the hosts in the manifest's `domainWhitelist`, and the Lifeline host differs per
 * deployment: the package is made for one host. Exit 0 written, 1 problems (one line each, naming
 * the file, the field and the rule), 2 usage.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { readPngHeader } from './png.js';

export const ZAF_SDK_URL = 'https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js';
export const DEFAULT_OUT = 'dist/zendesk/lifeline-zendesk-app.zip';

/**
 * Size budgets. Zendesk publishes no exact upload limit that we could find; these are Lifeline's
 * own, far below anything an app host accepts, so a bloated build is caught here.
 */
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_TOTAL_BYTES = 2 * 1024 * 1024;
export const MAX_ZIP_BYTES = 2 * 1024 * 1024;

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
const VALID_LOCALE = /^[a-z]{2}(-\w{2,3})?$/;
/** Files Zendesk flags as unsupported inside an app package. */
const UNSUPPORTED_EXTENSIONS = new Set([
  'rar',
  'zip',
  'gz',
  'pdf',
  'doc',
  'docx',
  'avi',
  'bin',
  'bz',
  'bz2',
  'csh',
  'sh',
  'jar',
  'mp3',
  'mpeg',
  'odt',
  'pptx',
  'ppt',
  'xls',
  'xlsx',
  '7z',
]);
const LOGOS = [
  { path: 'assets/logo.png', size: 128 },
  { path: 'assets/logo-small.png', size: 32 },
] as const;
const REQUIRED_TRANSLATIONS = ['name', 'short_description', 'long_description', 'installation_instructions'];
const SHORT_DESCRIPTION_MAX = 80;

export interface PackageProblem {
  /** The package file the problem is in. */
  file: string;
  /** The field (JSON path) or file name concerned. */
  field: string;
  /** The rule it breaks, in words. */
  rule: string;
}

/** Package contents: path inside the zip (POSIX) → bytes. */
export type PackageFiles = Map<string, Uint8Array>;

export function formatProblem(p: PackageProblem): string {
  return `${p.file}: ${p.field}: ${p.rule}`;
}

// ───────────────────────────── assembling ─────────────────────────────

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out.sort();
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

export interface AssembleOptions {
  /** The app source: manifest.json, translations/, assets/ (logos). */
  appDir: string;
  /** The built sidebar: iframe.html (or index.html) and the files it loads. */
  sidebarDir: string;
  /** The Lifeline base URL the package is for (https://HOST); its host becomes the domainWhitelist. */
  backendUrl: string;
}

/**
 * Reads the package contents. Problems that stop assembling (a missing folder, a symlink, a file
 * given twice) are returned; the contents are then checked by `checkPackage`.
 */
export function assemblePackage(options: AssembleOptions): {
  files: PackageFiles;
  problems: PackageProblem[];
} {
  const files: PackageFiles = new Map();
  const problems: PackageProblem[] = [];
  const add = (path: string, full: string, origin: string): void => {
    if (lstatSync(full).isSymbolicLink()) {
      problems.push({ file: path, field: origin, rule: 'symlinks are not allowed in an app package' });
      return;
    }
    if (files.has(path)) {
      problems.push({
        file: path,
        field: origin,
        rule: 'given twice (by the app source and the sidebar build)',
      });
      return;
    }
    files.set(path, readFileSync(full));
  };

  if (!existsSync(options.appDir) || !statSync(options.appDir).isDirectory()) {
    problems.push({
      file: options.appDir,
      field: '--app',
      rule: 'must be the app source folder (manifest.json…)',
    });
  } else {
    for (const full of walk(options.appDir)) {
      const path = toPosix(relative(options.appDir, full));
      // Only what Zendesk reads: the manifest, translations and assets (not dev stand-ins or notes).
      if (path === 'manifest.json' || path.startsWith('translations/') || path.startsWith('assets/')) {
        add(path, full, 'app source');
      }
    }
  }

  if (!existsSync(options.sidebarDir) || !statSync(options.sidebarDir).isDirectory()) {
    problems.push({
      file: options.sidebarDir,
      field: '--sidebar',
      rule: 'the built sidebar is missing: run the sidebar build (vite --mode sidebar) first',
    });
  } else {
    const sidebarFiles = walk(options.sidebarDir).map((full) => ({
      full,
      path: toPosix(relative(options.sidebarDir, full)),
    }));
    const hasIframe = sidebarFiles.some((f) => f.path === 'iframe.html');
    for (const { full, path } of sidebarFiles) {
      const target = !hasIframe && path === 'index.html' ? 'iframe.html' : path;
      add(`assets/${target}`, full, 'sidebar build');
    }
  }

  const manifestBytes = files.get('manifest.json');
  if (manifestBytes) {
    const host = backendHost(options.backendUrl);
    try {
      const manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as unknown;
      if (host && manifest && typeof manifest === 'object' && !Array.isArray(manifest)) {
        (manifest as Record<string, unknown>)['domainWhitelist'] = [host];
        files.set('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
      }
    } catch {
      // Left as it is: checkPackage names the JSON problem.
    }
  }
  return { files, problems };
}

/** The host of an https:// base URL (no path, query or credentials), or null. */
export function backendHost(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' || parsed.hostname === '') return null;
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return null;
  if (parsed.pathname !== '/' && parsed.pathname !== '') return null;
  return parsed.host;
}

// ───────────────────────────── checking ─────────────────────────────

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function parseJson(files: PackageFiles, path: string, problems: PackageProblem[]): Json | null {
  const bytes = files.get(path);
  if (!bytes) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    problems.push({ file: path, field: '(file)', rule: `must be valid JSON (${(error as Error).message})` });
    return null;
  }
  if (!isObject(value)) {
    problems.push({ file: path, field: '(file)', rule: 'must be a JSON object' });
    return null;
  }
  return value;
}

function isHttpUrl(value: string, protocols: string[]): boolean {
  try {
    const u = new URL(value);
    return protocols.includes(u.protocol) && u.hostname !== '';
  } catch {
    return false;
  }
}

const HOST =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$/i;

function checkManifest(files: PackageFiles, problems: PackageProblem[]): Json | null {
  const file = 'manifest.json';
  if (!files.has(file)) {
    problems.push({ file, field: '(file)', rule: 'required at the root of the package' });
    return null;
  }
  const m = parseJson(files, file, problems);
  if (!m) return null;
  const problem = (field: string, rule: string): void => {
    problems.push({ file, field, rule });
  };

  if (!nonEmptyString(m['name'])) problem('name', 'required: a non-empty string');
  if (!nonEmptyString(m['version']) || !/^\d+(\.\d+){0,2}$/.test(m['version'] as string)) {
    problem('version', 'required: a version such as "1.0.0"');
  }

  const author = m['author'];
  if (!isObject(author)) {
    problem('author', 'required: an object with name and email');
  } else {
    if (!nonEmptyString(author['name'])) problem('author.name', 'required: a non-empty string');
    if (!nonEmptyString(author['email']) || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(author['email'] as string)) {
      problem('author.email', 'required: the email address app users write to');
    }
    if (
      author['url'] !== undefined &&
      !(typeof author['url'] === 'string' && isHttpUrl(author['url'], ['http:', 'https:']))
    ) {
      problem('author.url', 'must be an http:// or https:// URL');
    }
  }

  const locale = m['defaultLocale'];
  if (!nonEmptyString(locale)) {
    problem('defaultLocale', 'required: a locale such as "en"');
  } else if (!VALID_LOCALE.test(locale)) {
    problem('defaultLocale', `"${locale}" is not a valid locale (two lower-case letters, optionally -XX)`);
  } else if (!files.has(`translations/${locale}.json`)) {
    problem('defaultLocale', `needs the translation file translations/${locale}.json`);
  }

  if (m['frameworkVersion'] === undefined) problem('frameworkVersion', 'required: "2.0"');
  else if (m['frameworkVersion'] !== '2.0')
    problem('frameworkVersion', 'must be "2.0" (iframe apps, ZAF v2)');

  for (const key of ['private', 'singleInstall', 'signedUrls', 'requirementsOnly', 'marketingOnly']) {
    if (m[key] !== undefined && typeof m[key] !== 'boolean') problem(key, 'must be true or false');
  }
  if (m['private'] !== true) problem('private', 'must be true: Lifeline is installed as a private app');
  for (const key of ['requirementsOnly', 'marketingOnly']) {
    if (m[key] === true) problem(key, 'must not be true: the app has a location');
  }
  if (m['noTemplate'] !== undefined)
    problem('noTemplate', 'is deprecated in framework version 2 and must not be set');

  checkLocations(m['location'], files, problem);
  const parameters = checkParameters(m['parameters'], problem);

  const whitelist = m['domainWhitelist'];
  if (
    whitelist !== undefined &&
    !(Array.isArray(whitelist) && whitelist.every((d) => typeof d === 'string'))
  ) {
    problem('domainWhitelist', 'must be an array of host names');
  } else {
    const hosts = (whitelist ?? []) as string[];
    hosts.forEach((host, i) => {
      if (!HOST.test(host))
        problem(`domainWhitelist[${i}]`, `"${host}" must be a host name (no scheme or path)`);
    });
    if (parameters.some((p) => p['secure'] === true) && hosts.length === 0) {
      problem(
        'domainWhitelist',
        'required with secure parameters: Zendesk sends a secure setting only to whitelisted hosts (build with --backend-url)',
      );
    }
  }
  return m;
}

function checkLocations(
  location: unknown,
  files: PackageFiles,
  problem: (field: string, rule: string) => void,
): void {
  if (!isObject(location)) {
    problem('location', 'required: { "support": { "ticket_sidebar": { "url": … } } }');
    return;
  }
  for (const [host, locations] of Object.entries(location)) {
    if (host !== 'support') {
      problem(`location.${host}`, 'is not a host this app supports (only "support")');
      continue;
    }
    if (!isObject(locations)) {
      problem(`location.${host}`, 'must be an object of locations');
      continue;
    }
    for (const [name, options] of Object.entries(locations)) {
      const field = `location.${host}.${name}`;
      if (!SUPPORT_LOCATIONS.includes(name)) {
        problem(field, `is not a Support location (${SUPPORT_LOCATIONS.join(', ')})`);
        continue;
      }
      if (!isObject(options)) {
        problem(field, 'must be an object with a url (framework version 2 locations are URLs)');
        continue;
      }
      const url = options['url'];
      if (!nonEmptyString(url)) {
        problem(`${field}.url`, 'required: the page Zendesk frames, e.g. "assets/iframe.html"');
      } else if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
        if (!url.startsWith('https://'))
          problem(`${field}.url`, 'an absolute location URL must use https://');
      } else if (!url.startsWith('assets/')) {
        problem(`${field}.url`, 'a relative location URL must be inside assets/');
      } else if (!files.has(url.split(/[?#]/)[0] ?? url)) {
        problem(`${field}.url`, `refers to ${url}, which is not in the package`);
      }
      if (options['flexible'] !== undefined && typeof options['flexible'] !== 'boolean') {
        problem(`${field}.flexible`, 'must be true or false');
      }
    }
  }
  const support = location['support'];
  if (!isObject(support) || support['ticket_sidebar'] === undefined) {
    problem('location.support.ticket_sidebar', 'required: Lifeline is a ticket sidebar app');
  }
}

function checkParameters(value: unknown, problem: (field: string, rule: string) => void): Json[] {
  if (value === undefined) {
    problem('parameters', 'required: backend_url and shared_secret');
    return [];
  }
  if (!Array.isArray(value)) {
    problem('parameters', 'must be an array');
    return [];
  }
  const seen = new Set<string>();
  const parameters: Json[] = [];
  value.forEach((p: unknown, i) => {
    if (!isObject(p)) {
      problem(`parameters[${i}]`, 'must be an object with name and type');
      return;
    }
    const name = p['name'];
    if (!nonEmptyString(name) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      problem(`parameters[${i}].name`, 'required: letters, digits and underscores');
      return;
    }
    const field = `parameters[${name}]`;
    if (seen.has(name)) problem(field, 'is defined twice');
    seen.add(name);
    if (name === 'name') problem(field, 'a parameter cannot be called "name"');
    const type = p['type'] ?? 'text';
    if (typeof type !== 'string' || !PARAMETER_TYPES.includes(type)) {
      problem(`${field}.type`, `must be one of ${PARAMETER_TYPES.join(', ')}`);
    }
    for (const key of ['required', 'secure']) {
      if (p[key] !== undefined && typeof p[key] !== 'boolean')
        problem(`${field}.${key}`, 'must be true or false');
    }
    if (type === 'hidden' && p['required'] === true)
      problem(`${field}.required`, 'a hidden parameter cannot be required');
    if (type === 'oauth' && p['secure'] === true)
      problem(`${field}.secure`, 'an oauth parameter cannot be secure');
    if (p['secure'] === true && p['default'] !== undefined) {
      problem(
        `${field}.default`,
        'a secure parameter must not have a default (it would ship in the package)',
      );
    }
    parameters.push(p);
  });

  const byName = new Map(parameters.map((p) => [p['name'] as string, p]));
  const backend = byName.get('backend_url');
  if (!backend) problem('parameters[backend_url]', 'required: the Lifeline URL the sidebar calls');
  else {
    if (!['text', 'url'].includes((backend['type'] as string | undefined) ?? 'text')) {
      problem('parameters[backend_url].type', 'must be text or url');
    }
    if (backend['required'] !== true) problem('parameters[backend_url].required', 'must be true');
    if (backend['secure'] === true) {
      problem(
        'parameters[backend_url].secure',
        'must not be secure: the sidebar reads it with client.metadata()',
      );
    }
  }
  const secret = byName.get('shared_secret');
  if (!secret) problem('parameters[shared_secret]', 'required: the secret Zendesk signs requests with');
  else {
    if (secret['secure'] !== true) {
      problem('parameters[shared_secret].secure', 'must be true: the secret must never reach the browser');
    }
    if (secret['required'] !== true) problem('parameters[shared_secret].required', 'must be true');
  }
  return parameters;
}

function checkTranslations(files: PackageFiles, manifest: Json | null, problems: PackageProblem[]): void {
  const locale = manifest && typeof manifest['defaultLocale'] === 'string' ? manifest['defaultLocale'] : 'en';
  const parameterNames = Array.isArray(manifest?.['parameters'])
    ? (manifest['parameters'] as unknown[])
        .filter(isObject)
        .map((p) => p['name'])
        .filter(nonEmptyString)
    : [];
  for (const path of files.keys()) {
    const match = /^translations\/(.*)\.json$/.exec(path);
    if (!match) {
      if (path.startsWith('translations/')) {
        problems.push({ file: path, field: '(file)', rule: 'translations/ holds only LOCALE.json files' });
      }
      continue;
    }
    if (!VALID_LOCALE.test(match[1] ?? '')) {
      problems.push({ file: path, field: '(file)', rule: `"${match[1]}" is not a valid locale` });
      continue;
    }
    const json = parseJson(files, path, problems);
    if (!json || match[1] !== locale) continue;
    const problem = (field: string, rule: string): void => {
      problems.push({ file: path, field, rule });
    };
    const app = json['app'];
    if (!isObject(app)) {
      problem('app', 'required: the object with the app’s name, descriptions and parameter labels');
      continue;
    }
    for (const key of REQUIRED_TRANSLATIONS) {
      if (!nonEmptyString(app[key])) problem(`app.${key}`, 'required: a non-empty string');
    }
    const short = app['short_description'];
    if (typeof short === 'string' && short.length > SHORT_DESCRIPTION_MAX) {
      problem(
        'app.short_description',
        `must be at most ${SHORT_DESCRIPTION_MAX} characters (has ${short.length})`,
      );
    }
    const labels = app['parameters'];
    for (const name of parameterNames) {
      const entry = isObject(labels) ? labels[name] : undefined;
      if (!isObject(entry) || !nonEmptyString(entry['label'])) {
        problem(`app.parameters.${name}.label`, 'required: the label shown in the app’s settings');
      }
      if (isObject(entry) && entry['helpText'] !== undefined && typeof entry['helpText'] !== 'string') {
        problem(`app.parameters.${name}.helpText`, 'must be a string');
      }
    }
  }
}

/** Relative references of an HTML page (src, href) and of CSS (url()) and JS (import) files. */
export function references(path: string, bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes).toString('utf8');
  const refs: string[] = [];
  if (path.endsWith('.html')) {
    for (const m of text.matchAll(/\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
      refs.push(m[1] ?? m[2] ?? m[3] ?? '');
    }
  } else if (path.endsWith('.css')) {
    for (const m of text.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/gi))
      refs.push(m[1] ?? m[2] ?? m[3] ?? '');
  } else if (path.endsWith('.js')) {
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      refs.push(m[1] ?? '');
    }
  }
  return refs.filter((r) => r !== '');
}

/** The package path a reference from `from` points at, or null when it is not a local file. */
export function resolveReference(from: string, ref: string): string | null {
  if (/^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(ref)) return null;
  const clean = ref.split(/[?#]/)[0] ?? '';
  if (clean === '') return null;
  if (clean.startsWith('/')) return clean; // absolute paths are reported by the caller
  return posix.normalize(posix.join(posix.dirname(from), clean));
}

function checkAssets(files: PackageFiles, problems: PackageProblem[]): void {
  for (const { path, size } of LOGOS) {
    const bytes = files.get(path);
    if (!bytes) {
      problems.push({ file: path, field: '(file)', rule: `required: a ${size}×${size} PNG logo` });
      continue;
    }
    const header = readPngHeader(bytes);
    if (!header) problems.push({ file: path, field: '(file)', rule: 'must be a PNG image' });
    else if (header.width !== size || header.height !== size) {
      problems.push({
        file: path,
        field: 'dimensions',
        rule: `must be ${size}×${size} pixels (is ${header.width}×${header.height})`,
      });
    }
  }

  const page = files.get('assets/iframe.html');
  if (page) {
    const refs = references('assets/iframe.html', page);
    if (!refs.includes(ZAF_SDK_URL)) {
      problems.push({
        file: 'assets/iframe.html',
        field: 'script',
        rule: `must load the ZAF SDK from ${ZAF_SDK_URL}`,
      });
    }
  }
  for (const [path, bytes] of files) {
    if (!path.startsWith('assets/')) continue;
    for (const ref of references(path, bytes)) {
      if (/^(?:https?:)?\/\//i.test(ref)) {
        if (ref !== ZAF_SDK_URL && !/^https?:\/\/www\.w3\.org\//.test(ref)) {
          problems.push({
            file: path,
            field: ref,
            rule: 'loads from another host: only the ZAF SDK may (no CDN)',
          });
        }
        continue;
      }
      const target = resolveReference(path, ref);
      if (target === null) continue;
      if (target.startsWith('/')) {
        problems.push({
          file: path,
          field: ref,
          rule: 'absolute paths do not work on Zendesk’s app host: use ./',
        });
      } else if (!files.has(target)) {
        problems.push({ file: path, field: ref, rule: `refers to ${target}, which is not in the package` });
      }
    }
  }
}

function checkFiles(files: PackageFiles, problems: PackageProblem[]): void {
  let total = 0;
  for (const [path, bytes] of files) {
    total += bytes.length;
    if (bytes.length > MAX_FILE_BYTES) {
      problems.push({
        file: path,
        field: 'size',
        rule: `must be at most ${MAX_FILE_BYTES} bytes (is ${bytes.length})`,
      });
    }
    const extension = path.includes('.') ? (path.split('.').pop() ?? '').toLowerCase() : '';
    if (UNSUPPORTED_EXTENSIONS.has(extension)) {
      problems.push({
        file: path,
        field: '(file)',
        rule: `.${extension} files are not supported in an app package`,
      });
    }
    if (path === 'app.js' || path === 'app.css' || /^(lib\/.*\.js|templates\/.*)$/.test(path)) {
      problems.push({
        file: path,
        field: '(file)',
        rule: 'framework-v1 source is not allowed in an iframe app',
      });
    }
  }
  if (total > MAX_TOTAL_BYTES) {
    problems.push({
      file: '(package)',
      field: 'size',
      rule: `must be at most ${MAX_TOTAL_BYTES} bytes (is ${total})`,
    });
  }
}

/** Every problem of the package, in the order: manifest, translations, assets, files. */
export function checkPackage(files: PackageFiles): PackageProblem[] {
  const problems: PackageProblem[] = [];
  const manifest = checkManifest(files, problems);
  checkTranslations(files, manifest, problems);
  checkAssets(files, problems);
  checkFiles(files, problems);
  return problems;
}

// ───────────────────────────── zipping ─────────────────────────────

/** A stable zip (sorted entries, fixed dates), so the same inputs give the same bytes. */
export function zipPackage(files: PackageFiles): Uint8Array {
  const tree: Zippable = {};
  for (const path of [...files.keys()].sort()) {
    tree[path] = [files.get(path) ?? new Uint8Array(), { level: 9, mtime: new Date('2026-01-01T00:00:00Z') }];
  }
  return zipSync(tree);
}

export function unzipPackage(zip: Uint8Array): PackageFiles {
  return new Map(Object.entries(unzipSync(zip)));
}

// ───────────────────────────── command ─────────────────────────────

export interface CommandResult {
  code: 0 | 1 | 2;
  stdout: string[];
  stderr: string[];
}

const USAGE =
  'usage: package-zendesk --backend-url https://HOST [--app DIR] [--sidebar DIR] [--out FILE.zip]';

export function runPackageCommand(argv: string[], cwd: string = process.cwd()): CommandResult {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let values: { 'backend-url'?: string; app?: string; sidebar?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'backend-url': { type: 'string' },
        app: { type: 'string' },
        sidebar: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { code: 2, stdout, stderr: [(error as Error).message, USAGE] };
  }
  if (values.help) return { code: 0, stdout: [USAGE], stderr };
  if (values['backend-url'] === undefined) {
    return {
      code: 2,
      stdout,
      stderr: [
        '--backend-url is required: Zendesk sends the secure shared secret only to the hosts in the manifest’s domainWhitelist, so the package is built for one Lifeline host',
        USAGE,
      ],
    };
  }
  const backendUrl = values['backend-url'].replace(/\/+$/, '');
  const host = backendHost(backendUrl);
  if (!host) {
    return {
      code: 2,
      stdout,
      stderr: [
        '--backend-url must be an https:// URL with a host and no path, e.g. https://lifeline.example.com',
        USAGE,
      ],
    };
  }
  const appDir = resolve(cwd, values.app ?? 'zendesk');
  const sidebarDir = resolve(cwd, values.sidebar ?? 'dist/web/sidebar');
  const out = resolve(cwd, values.out ?? DEFAULT_OUT);

  const { files, problems } = assemblePackage({ appDir, sidebarDir, backendUrl });
  problems.push(...checkPackage(files));
  const zip = problems.length === 0 ? zipPackage(files) : null;
  if (zip && zip.length > MAX_ZIP_BYTES) {
    problems.push({
      file: '(zip)',
      field: 'size',
      rule: `must be at most ${MAX_ZIP_BYTES} bytes (is ${zip.length})`,
    });
  }
  if (problems.length > 0 || !zip) {
    return {
      code: 1,
      stdout,
      stderr: [
        `the Zendesk package has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`,
        ...problems.map((p) => `- ${formatProblem(p)}`),
      ],
    };
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zip);
  stdout.push(
    `wrote ${relative(cwd, out) || out}: ${files.size} files, ${zip.length} bytes, for https://${host}`,
  );
  return { code: 0, stdout, stderr };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = runPackageCommand(process.argv.slice(2));
  for (const line of result.stdout) console.log(line);
  for (const line of result.stderr) console.error(line);
  process.exitCode = result.code;
}
