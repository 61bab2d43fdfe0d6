/** The package as a zip: stable (sorted entries, fixed dates), so the same inputs give the same bytes. */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { PackageFiles } from './problems.js';

/** Lifeline's own budget for the zip (Zendesk publishes no exact upload limit). */
export const MAX_ZIP_BYTES = 2 * 1024 * 1024;

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
