/**
 * The Zendesk app package: the real app source passes every check; each rule, broken on purpose,
 * is reported with its field; the zip opens and holds the manifest, translations, logos, the
 * sidebar page and every file that page loads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPackageCommand } from '../../src/tools/package-zendesk.js';
import { assemblePackage, backendHost } from '../../src/tools/zendesk-package/assemble.js';
import { references, resolveReference, ZAF_SDK_URL } from '../../src/tools/zendesk-package/assets.js';
import { checkPackage } from '../../src/tools/zendesk-package/check.js';
import type { PackageFiles } from '../../src/tools/zendesk-package/problems.js';
import { unzipPackage } from '../../src/tools/zendesk-package/zip.js';
import { encodePng, readPngHeader } from '../../src/tools/png.js';
import { drawLogo } from '../../src/tools/zendesk-logos.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_DIR = join(ROOT, 'zendesk');
const REAL_SIDEBAR = join(ROOT, 'dist', 'web', 'sidebar');
const BACKEND = 'https://lifeline.example.com';

/** A small build shaped like Vite's flat sidebar output: page, entry chunk, shared chunk, css, font. */
function sidebarFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-sidebar-'));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>Lifeline</title>
<script src="${ZAF_SDK_URL}"></script>
<script type="module" crossorigin src="./index-AbC123.js"></script>
<link rel="stylesheet" crossorigin href="./index-Def456.css">
</head><body><div id="app"></div></body></html>`,
  );
  writeFileSync(join(dir, 'index-AbC123.js'), 'import{h as e}from"./vendor-Xyz.js";e("div");');
  writeFileSync(join(dir, 'vendor-Xyz.js'), 'export const h=()=>null;');
  writeFileSync(join(dir, 'index-Def456.css'), '@font-face{src:url(./inter-Q1.woff2)}body{margin:0}');
  writeFileSync(join(dir, 'inter-Q1.woff2'), Buffer.alloc(64, 1));
  return dir;
}

let fixture: string;
let good: PackageFiles;
beforeAll(() => {
  fixture = sidebarFixture();
  const { files, problems } = assemblePackage({ appDir: APP_DIR, sidebarDir: fixture, backendUrl: BACKEND });
  expect(problems).toEqual([]);
  good = files;
});

function copy(files: PackageFiles): PackageFiles {
  return new Map([...files].map(([k, v]) => [k, new Uint8Array(v)]));
}
function json(files: PackageFiles, path: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(files.get(path) ?? new Uint8Array()).toString('utf8')) as Record<
    string,
    unknown
  >;
}
function withJson(path: string, change: (value: Record<string, unknown>) => void): PackageFiles {
  const files = copy(good);
  const value = json(files, path);
  change(value);
  files.set(path, Buffer.from(JSON.stringify(value)));
  return files;
}
/** The fields named by the problems found in `file`. */
function fields(files: PackageFiles, file: string): string[] {
  return checkPackage(files)
    .filter((p) => p.file === file)
    .map((p) => p.field);
}
type Obj = Record<string, unknown>;
const sidebarOf = (m: Obj) => ((m['location'] as Obj)['support'] as Obj)['ticket_sidebar'] as Obj;
const param = (m: Obj, name: string) => (m['parameters'] as Obj[]).find((p) => p['name'] === name) as Obj;

describe('the real app source', () => {
  it('passes every check, with the backend host as the only whitelisted domain', () => {
    expect(checkPackage(good)).toEqual([]);
    const manifest = json(good, 'manifest.json');
    expect(manifest['domainWhitelist']).toEqual(['lifeline.example.com']);
    expect(manifest['frameworkVersion']).toBe('2.0');
    expect(sidebarOf(manifest)).toEqual({ url: 'assets/iframe.html', flexible: true });
    expect(param(manifest, 'shared_secret')).toMatchObject({ secure: true, required: true });
    expect(param(manifest, 'backend_url')).toMatchObject({ type: 'text', required: true });
    expect(param(manifest, 'backend_url')['secure']).toBeUndefined();
  });

  it('the committed logos are PNGs of 128×128 and 32×32', () => {
    expect(readPngHeader(readFileSync(join(APP_DIR, 'assets', 'logo.png')))).toMatchObject({
      width: 128,
      height: 128,
    });
    expect(readPngHeader(readFileSync(join(APP_DIR, 'assets', 'logo-small.png')))).toMatchObject({
      width: 32,
      height: 32,
    });
  });

  it('the sidebar page (index.html of the build) becomes assets/iframe.html', () => {
    expect(good.has('assets/iframe.html')).toBe(true);
    expect(good.has('assets/index.html')).toBe(false);
  });
});

describe('each manifest rule names its field', () => {
  const cases: [string, (m: Obj) => void, string][] = [
    ['name', (m) => delete m['name'], 'name'],
    ['version', (m) => delete m['version'], 'version'],
    ['author', (m) => delete m['author'], 'author'],
    ['author email', (m) => ((m['author'] as Obj)['email'] = 'nobody'), 'author.email'],
    ['author url', (m) => ((m['author'] as Obj)['url'] = 'ftp://x'), 'author.url'],
    ['default locale without its file', (m) => (m['defaultLocale'] = 'fr'), 'defaultLocale'],
    ['default locale shape', (m) => (m['defaultLocale'] = 'English'), 'defaultLocale'],
    ['framework version missing', (m) => delete m['frameworkVersion'], 'frameworkVersion'],
    ['framework version 1', (m) => (m['frameworkVersion'] = '1.0'), 'frameworkVersion'],
    ['private', (m) => (m['private'] = false), 'private'],
    ['boolean fields', (m) => (m['singleInstall'] = 'yes'), 'singleInstall'],
    ['location missing', (m) => delete m['location'], 'location'],
    ['location host', (m) => ((m['location'] as Obj)['chat'] = {}), 'location.chat'],
    [
      'location name',
      (m) => (((m['location'] as Obj)['support'] as Obj)['ticket_footer'] = { url: 'assets/iframe.html' }),
      'location.support.ticket_footer',
    ],
    [
      'location URL file',
      (m) => (sidebarOf(m)['url'] = 'assets/missing.html'),
      'location.support.ticket_sidebar.url',
    ],
    [
      'location URL https',
      (m) => (sidebarOf(m)['url'] = 'http://x.example/a'),
      'location.support.ticket_sidebar.url',
    ],
    [
      'location URL in assets',
      (m) => (sidebarOf(m)['url'] = 'iframe.html'),
      'location.support.ticket_sidebar.url',
    ],
    [
      'location flexible',
      (m) => (sidebarOf(m)['flexible'] = 'yes'),
      'location.support.ticket_sidebar.flexible',
    ],
    [
      'ticket sidebar required',
      (m) => (((m['location'] as Obj)['support'] as Obj) = { top_bar: { url: 'assets/iframe.html' } }),
      'location.support.ticket_sidebar',
    ],
    ['parameters array', (m) => (m['parameters'] = {}), 'parameters'],
    ['parameter type', (m) => (param(m, 'backend_url')['type'] = 'dropdown'), 'parameters[backend_url].type'],
    [
      'backend_url required',
      (m) => (param(m, 'backend_url')['required'] = false),
      'parameters[backend_url].required',
    ],
    [
      'backend_url not secure',
      (m) => (param(m, 'backend_url')['secure'] = true),
      'parameters[backend_url].secure',
    ],
    [
      'shared_secret secure',
      (m) => (param(m, 'shared_secret')['secure'] = false),
      'parameters[shared_secret].secure',
    ],
    [
      'shared_secret present',
      (m) => (m['parameters'] = (m['parameters'] as Obj[]).filter((p) => p['name'] !== 'shared_secret')),
      'parameters[shared_secret]',
    ],
    [
      'secure default',
      (m) => (param(m, 'shared_secret')['default'] = 'x'),
      'parameters[shared_secret].default',
    ],
    [
      'duplicate parameter',
      (m) => (m['parameters'] as Obj[]).push({ name: 'backend_url', type: 'text' }),
      'parameters[backend_url]',
    ],
    [
      'parameter called name',
      (m) => (m['parameters'] as Obj[]).push({ name: 'name', type: 'text' }),
      'parameters[name]',
    ],
    [
      'hidden and required',
      (m) => (m['parameters'] as Obj[]).push({ name: 'h', type: 'hidden', required: true }),
      'parameters[h].required',
    ],
    ['whitelist with secure settings', (m) => delete m['domainWhitelist'], 'domainWhitelist'],
    [
      'whitelist entries are hosts',
      (m) => (m['domainWhitelist'] = ['https://x.example/']),
      'domainWhitelist[0]',
    ],
    ['noTemplate', (m) => (m['noTemplate'] = true), 'noTemplate'],
  ];
  it.each(cases)('%s', (_name, change, field) => {
    const found = fields(
      withJson('manifest.json', (m) => change(m)),
      'manifest.json',
    );
    expect(found).toContain(field);
  });

  it('a manifest that is not JSON, or missing, is one clear problem', () => {
    const broken = copy(good);
    broken.set('manifest.json', Buffer.from('{"name": '));
    expect(checkPackage(broken)[0]).toMatchObject({ file: 'manifest.json', field: '(file)' });
    expect(checkPackage(broken)[0]?.rule).toMatch(/valid JSON/);
    broken.delete('manifest.json');
    expect(checkPackage(broken)[0]).toMatchObject({
      file: 'manifest.json',
      rule: expect.stringMatching(/required/),
    });
  });

  it('every problem is reported, not just the first', () => {
    const files = withJson('manifest.json', (m) => {
      delete m['author'];
      m['frameworkVersion'] = '1.0';
      param(m, 'shared_secret')['secure'] = false;
    });
    expect(fields(files, 'manifest.json')).toEqual([
      'author',
      'frameworkVersion',
      'parameters[shared_secret].secure',
    ]);
  });
});

describe('translations, logos, page references and files', () => {
  const en = 'translations/en.json';
  const app = (t: Obj) => t['app'] as Obj;

  it.each<[string, (t: Obj) => void, string]>([
    ['app object', (t) => delete t['app'], 'app'],
    ['name', (t) => delete app(t)['name'], 'app.name'],
    ['short description', (t) => delete app(t)['short_description'], 'app.short_description'],
    [
      'short description length',
      (t) => (app(t)['short_description'] = 'x'.repeat(81)),
      'app.short_description',
    ],
    ['long description', (t) => (app(t)['long_description'] = ' '), 'app.long_description'],
    [
      'installation instructions',
      (t) => delete app(t)['installation_instructions'],
      'app.installation_instructions',
    ],
    [
      'parameter label',
      (t) => delete (app(t)['parameters'] as Obj)['shared_secret'],
      'app.parameters.shared_secret.label',
    ],
  ])('translations: %s', (_name, change, field) => {
    expect(fields(withJson(en, change), en)).toContain(field);
  });

  it('translations: a file that is not a locale is refused', () => {
    const files = copy(good);
    files.set('translations/English.json', Buffer.from('{}'));
    expect(fields(files, 'translations/English.json')).toEqual(['(file)']);
  });

  it('logos: dimensions, type and presence are read from the file', () => {
    const files = copy(good);
    files.set('assets/logo.png', encodePng(64, 64, new Uint8Array(64 * 64 * 4)));
    files.set('assets/logo-small.png', Buffer.from('GIF89a not a png'));
    expect(checkPackage(files).filter((p) => p.file.startsWith('assets/logo'))).toEqual([
      { file: 'assets/logo.png', field: 'dimensions', rule: 'must be 128×128 pixels (is 64×64)' },
      { file: 'assets/logo-small.png', field: '(file)', rule: 'must be a PNG image' },
    ]);
    files.delete('assets/logo.png');
    expect(fields(files, 'assets/logo.png')).toEqual(['(file)']);
  });

  it('the page must load the ZAF SDK, only from Zendesk, and every local file it names must be packaged', () => {
    const files = copy(good);
    files.set(
      'assets/iframe.html',
      Buffer.from(
        '<script src="https://cdn.example.com/lib.js"></script><script src="./gone.js"></script><link href="/abs.css" rel="stylesheet">',
      ),
    );
    expect(fields(files, 'assets/iframe.html')).toEqual([
      'script',
      'https://cdn.example.com/lib.js',
      './gone.js',
      '/abs.css',
    ]);
    files.delete('assets/vendor-Xyz.js');
    expect(fields(files, 'assets/index-AbC123.js')).toEqual(['./vendor-Xyz.js']);
  });

  it('files: sizes, unsupported types and framework-v1 source', () => {
    const files = copy(good);
    files.set('assets/big.js', new Uint8Array(1024 * 1024 + 1));
    files.set('assets/docs.pdf', Buffer.from('%PDF'));
    files.set('app.js', Buffer.from('var x;'));
    const problems = checkPackage(files);
    expect(problems).toContainEqual(expect.objectContaining({ file: 'assets/big.js', field: 'size' }));
    expect(problems).toContainEqual(expect.objectContaining({ file: 'assets/docs.pdf', field: '(file)' }));
    expect(problems).toContainEqual(expect.objectContaining({ file: 'app.js', field: '(file)' }));
    files.set('assets/more.js', new Uint8Array(1024 * 1024));
    expect(problems.length).toBeLessThan(checkPackage(files).length); // the package total too
  });

  it('references are resolved against the referring file, and external ones are left alone', () => {
    expect(references('assets/a.html', Buffer.from(`<img src='x/y.png'><a href=#top>`))).toEqual([
      'x/y.png',
      '#top',
    ]);
    expect(resolveReference('assets/css/a.css', '../f.woff2?v=1')).toBe('assets/f.woff2');
    expect(resolveReference('assets/a.html', '#top')).toBeNull();
    expect(resolveReference('assets/a.html', 'data:image/png;base64,AA')).toBeNull();
  });

  it('the backend URL must be https with a host only', () => {
    expect(backendHost('https://lifeline.example.com')).toBe('lifeline.example.com');
    expect(backendHost('https://lifeline.example.com:8443/')).toBe('lifeline.example.com:8443');
    expect(backendHost('http://lifeline.example.com')).toBeNull();
    expect(backendHost('https://lifeline.example.com/api')).toBeNull();
    expect(backendHost('https://user:pw@lifeline.example.com')).toBeNull();
    expect(backendHost('lifeline.example.com')).toBeNull();
  });
});

describe('the PNG encoder', () => {
  it('writes a PNG whose header and pixels read back', () => {
    const pixels = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) % 256);
    const png = encodePng(3, 2, pixels);
    expect(readPngHeader(png)).toEqual({ width: 3, height: 2, bitDepth: 8, colorType: 6 });
    // IDAT is the chunk after IHDR: 8 (signature) + 25 (IHDR) → length, type, data.
    const length = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + length));
    expect(raw.length).toBe(2 * (1 + 3 * 4));
    expect([...raw.subarray(1, 13)]).toEqual([...pixels.subarray(0, 12)]);
    expect([...raw.subarray(14, 26)]).toEqual([...pixels.subarray(12, 24)]);
    const corrupt = Buffer.from(png);
    corrupt[20] = (corrupt[20] ?? 0) ^ 1; // the width changes: the IHDR CRC no longer matches
    expect(readPngHeader(corrupt)).toBeNull();
  });

  it('the logo drawing has the ring (orange and white) on the dark square', () => {
    const size = 128;
    const px = drawLogo(size);
    const at = (x: number, y: number) => [...px.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)];
    expect(at(2, 2)).toEqual([0x29, 0x29, 0x61, 255]); // corner: background
    expect(at(64, 64)).toEqual([0x29, 0x29, 0x61, 255]); // the hole
    expect(at(64 + 38, 64)).toEqual([0xfc, 0x6d, 0x26, 255]); // right band: orange
    expect(at(64, 64 + 38)).toEqual([255, 255, 255, 255]); // bottom band: white
  });
});

describe('package:zendesk (the command)', () => {
  it('writes a zip that opens, with the manifest, translations, logos, the page and all it loads', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lifeline-zip-')), 'app.zip');
    const result = runPackageCommand([
      '--backend-url',
      BACKEND,
      '--sidebar',
      fixture,
      '--app',
      APP_DIR,
      '--out',
      out,
    ]);
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout[0]).toMatch(
      /^wrote .*app\.zip: \d+ files, \d+ bytes, for https:\/\/lifeline\.example\.com$/,
    );
    const zip = readFileSync(out);
    const files = unzipPackage(zip);
    for (const path of [
      'manifest.json',
      'translations/en.json',
      'assets/logo.png',
      'assets/logo-small.png',
      'assets/iframe.html',
    ]) {
      expect(files.has(path), path).toBe(true);
    }
    // Everything the page loads, and what those load, is in the zip.
    const pending = ['assets/iframe.html'];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const path = pending.pop() ?? '';
      if (seen.has(path)) continue;
      seen.add(path);
      for (const ref of references(path, files.get(path) ?? new Uint8Array())) {
        const target = resolveReference(path, ref);
        if (target === null || ref === ZAF_SDK_URL) continue;
        expect(files.has(target), `${path} → ${ref}`).toBe(true);
        pending.push(target);
      }
    }
    expect([...seen].sort()).toEqual([
      'assets/iframe.html',
      'assets/index-AbC123.js',
      'assets/index-Def456.css',
      'assets/inter-Q1.woff2',
      'assets/vendor-Xyz.js',
    ]);
    expect(json(files, 'manifest.json')['domainWhitelist']).toEqual(['lifeline.example.com']);
    expect(checkPackage(files)).toEqual([]);
    // The same inputs make the same bytes.
    const again = join(mkdtempSync(join(tmpdir(), 'lifeline-zip-')), 'app.zip');
    runPackageCommand(['--backend-url', BACKEND, '--sidebar', fixture, '--app', APP_DIR, '--out', again]);
    expect(readFileSync(again).equals(zip)).toBe(true);
  });

  it('exit 2 on usage: no backend URL, a plain-http one, an unknown option', () => {
    const missing = runPackageCommand(['--sidebar', fixture]);
    expect(missing.code).toBe(2);
    expect(missing.stderr[0]).toMatch(/--backend-url is required.*domainWhitelist/);
    expect(runPackageCommand(['--backend-url', 'http://lifeline.example.com']).code).toBe(2);
    expect(runPackageCommand(['--backend-url', BACKEND, '--colour']).code).toBe(2);
  });

  it('exit 1 with one line per problem, and no zip written', () => {
    const appDir = mkdtempSync(join(tmpdir(), 'lifeline-app-'));
    mkdirSync(join(appDir, 'translations'));
    mkdirSync(join(appDir, 'assets'));
    const manifest = JSON.parse(readFileSync(join(APP_DIR, 'manifest.json'), 'utf8')) as Obj;
    manifest['frameworkVersion'] = '1.0';
    writeFileSync(join(appDir, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(
      join(appDir, 'translations', 'en.json'),
      readFileSync(join(APP_DIR, 'translations', 'en.json')),
    );
    writeFileSync(join(appDir, 'assets', 'logo.png'), readFileSync(join(APP_DIR, 'assets', 'logo.png')));
    const out = join(appDir, 'out.zip');
    const result = runPackageCommand([
      '--backend-url',
      BACKEND,
      '--sidebar',
      fixture,
      '--app',
      appDir,
      '--out',
      out,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      'the Zendesk package has 2 problems:',
      '- manifest.json: frameworkVersion: must be "2.0" (iframe apps, ZAF v2)',
      '- assets/logo-small.png: (file): required: a 32×32 PNG logo',
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing sidebar build is named', () => {
    const result = runPackageCommand([
      '--backend-url',
      BACKEND,
      '--sidebar',
      join(fixture, 'nope'),
      '--app',
      APP_DIR,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.join('\n')).toMatch(/--sidebar: the built sidebar is missing/);
  });
});

describe('the built command (dist/src/tools/package-zendesk.js)', () => {
  const tool = join(ROOT, 'dist', 'src', 'tools', 'package-zendesk.js');
  it.skipIf(!existsSync(tool))('runs as a program: exit 2 on usage, 0 with the zip written', () => {
    const usage = spawnSync(process.execPath, [tool], { cwd: ROOT, encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--backend-url is required/);
    const out = join(mkdtempSync(join(tmpdir(), 'lifeline-zip-')), 'app.zip');
    const ok = spawnSync(
      process.execPath,
      [tool, '--backend-url', BACKEND, '--sidebar', fixture, '--out', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(unzipPackage(readFileSync(out)).has('assets/iframe.html')).toBe(true);
  });
});

describe('with the real sidebar build', () => {
  const built = existsSync(join(REAL_SIDEBAR, 'index.html')) || existsSync(join(REAL_SIDEBAR, 'iframe.html'));
  it.skipIf(!built)(
    'dist/web/sidebar packages without a problem (skipped until the sidebar is built)',
    () => {
      const { files, problems } = assemblePackage({
        appDir: APP_DIR,
        sidebarDir: REAL_SIDEBAR,
        backendUrl: BACKEND,
      });
      expect(problems).toEqual([]);
      expect(checkPackage(files)).toEqual([]);
      expect(references('assets/iframe.html', files.get('assets/iframe.html') ?? new Uint8Array())).toContain(
        ZAF_SDK_URL,
      );
    },
  );
});
