/**
 * The package's files: the logos (PNG, exact sizes), the sidebar page and what it loads (the ZAF SDK
 * from Zendesk, everything else packaged), sizes, and file types Zendesk refuses.
 */
import { posix } from 'node:path';
import { readPngHeader } from '../png.js';
import type { PackageFiles, PackageProblem } from './problems.js';

export const ZAF_SDK_URL = 'https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js';

/**
 * Size budgets. Zendesk publishes no exact upload limit that we could find; these are Lifeline's
 * own, far below anything an app host accepts, so a bloated build is caught here.
 */
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_TOTAL_BYTES = 2 * 1024 * 1024;

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

export function checkAssets(files: PackageFiles, problems: PackageProblem[]): void {
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

export function checkFiles(files: PackageFiles, problems: PackageProblem[]): void {
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
