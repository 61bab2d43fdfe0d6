/**
 * Bundle sizes of the web console and the Zendesk sidebar app as built into dist/web (run
 * `npm run build` first; `npm run bench` does): bytes and gzip bytes (node:zlib, level 9) of their
 * JS, CSS and HTML, with the sidebar's target of 150 KB gzip beside it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { target, type BenchSection, type SectionResult } from './report.js';

/** This file runs as dist/bench/bundle.js: the build is dist/web. */
export const WEB_DIST = fileURLToPath(new URL('../web/', import.meta.url));
export const SIDEBAR_TARGET_GZIP_BYTES = 150 * 1024;
const COUNTED = new Set(['.js', '.css', '.html']);

export interface BundleSize {
  name: string;
  files: { path: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Sizes of one built app (`console` or `sidebar`) under `webDist`. */
export function bundleSize(name: string, webDist: string = WEB_DIST): BundleSize {
  const dir = join(webDist, name);
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(`${dir} is not built: run \`npm run build\` (vite build into dist/web)`);
  const files = filesUnder(dir)
    .filter((f) => COUNTED.has(extname(f)))
    .sort()
    .map((f) => {
      const data = readFileSync(f);
      return { path: relative(dir, f), bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
    });
  return {
    name,
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
  };
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

export async function runBundleBench(webDist: string = WEB_DIST): Promise<SectionResult> {
  const apps = ['sidebar', 'console'].map((name) => bundleSize(name, webDist));
  const sidebar = apps[0]!;
  return {
    columns: ['app', 'files', 'bytes', 'KiB', 'gzip bytes', 'gzip KiB', 'target gzip KiB'],
    rows: apps.map((a) => [
      a.name,
      String(a.files.length),
      a.bytes.toLocaleString('en-US'),
      kb(a.bytes),
      a.gzipBytes.toLocaleString('en-US'),
      kb(a.gzipBytes),
      a.name === 'sidebar' ? kb(SIDEBAR_TARGET_GZIP_BYTES) : '',
    ]),
    // Met when the sidebar is at most 150 KB gzip: the ratio target / size must be at least 1.
    targets: [target('sidebar gzip within 150 KB', SIDEBAR_TARGET_GZIP_BYTES / sidebar.gzipBytes, 1)],
    notes: apps.flatMap((a) =>
      a.files.map(
        (f) =>
          `${a.name}/${f.path}: ${f.bytes.toLocaleString('en-US')} B, gzip ${f.gzipBytes.toLocaleString('en-US')} B`,
      ),
    ),
    json: { apps, sidebarTargetGzipBytes: SIDEBAR_TARGET_GZIP_BYTES },
  };
}

export const bundleBench: BenchSection = {
  name: 'bundle',
  title: 'Web bundle sizes (JS + CSS + HTML, gzip level 9)',
  run: () => runBundleBench(),
};
