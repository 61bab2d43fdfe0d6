/**
 * Reads the package contents: the app source (manifest, translations, logos) and the built sidebar,
 * copied into assets/ (its index.html becoming assets/iframe.html), for one Lifeline host.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { PackageFiles, PackageProblem } from './problems.js';

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

  const isFolder = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();
  if (!isFolder(options.appDir)) {
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

  if (!isFolder(options.sidebarDir)) {
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
