/**
 * `npm run package:zendesk`: the Zendesk sidebar app package (PRODUCT.md §8), assembled, checked
 * against the rules Zendesk applies on upload, and zipped for one Lifeline host:
 *
 *   npm run package:zendesk -- --backend-url https://lifeline.example.com
 *     [--app zendesk] [--sidebar dist/web/sidebar] [--out dist/zendesk/lifeline-zendesk-app.zip]
 *
 * `--backend-url` is required because Zendesk sends the secure shared secret only to the hosts in the
 * manifest's `domainWhitelist`. Exit 0 written, 1 problems (one line each: file, field, rule), 2 usage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { assemblePackage, backendHost } from './zendesk-package/assemble.js';
import { checkPackage } from './zendesk-package/check.js';
import { formatProblem } from './zendesk-package/problems.js';
import { MAX_ZIP_BYTES, zipPackage } from './zendesk-package/zip.js';

export const DEFAULT_OUT = 'dist/zendesk/lifeline-zendesk-app.zip';

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
