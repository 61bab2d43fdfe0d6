/**
 * Every package `npm ci` installs supports every Node version the project declares (package.json
 * `engines`), so the install prints no EBADENGINE warning and nothing relies on a newer Node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

interface LockEntry {
  version?: string;
  engines?: Record<string, string> | string[];
  optional?: boolean;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** The packages of the lockfile whose declared Node range leaves out some of the project's. */
function unsupported(projectRange: string, packages: Record<string, LockEntry>): string[] {
  return Object.entries(packages)
    .filter(([path]) => path !== '')
    .flatMap(([path, entry]) => {
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.['node'];
      if (node === undefined || semver.subset(projectRange, node, { includePrerelease: false })) return [];
      return [`${path.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'} wants node ${node}`];
    });
}

describe('engines', () => {
  it('the project declares Node 20 from 20.20, and this Node is one of them', () => {
    expect(pkg.engines.node).toBe('>=20.20.0 <21');
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });

  it('every locked package supports every Node version the project declares', () => {
    expect(unsupported(pkg.engines.node, lock.packages)).toEqual([]);
  });

  it('the check sees a package that wants a newer Node (cookie 2 wants >=22)', () => {
    const entries = {
      'node_modules/cookie': { version: '2.0.2', engines: { node: '>=22' } },
      'node_modules/ok': { version: '1.0.0', engines: { node: '>=18' } },
    };
    expect(unsupported(pkg.engines.node, entries)).toEqual(['cookie@2.0.2 wants node >=22']);
  });
});
