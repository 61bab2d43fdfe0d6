/**
 * Access to the gem-made reference vectors in test/fixtures/vectors (see its README), or in
 * LIFELINE_VECTORS_DIR when set.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const VECTORS_DIR = resolve(
  process.env['LIFELINE_VECTORS_DIR'] || join(repoRoot, 'test', 'fixtures', 'vectors'),
);
export const KEYS_DIR = join(VECTORS_DIR, 'keys');

if (!existsSync(join(VECTORS_DIR, 'README.md'))) {
  throw new Error(
    `the reference vectors are missing: expected them in ${VECTORS_DIR} (set LIFELINE_VECTORS_DIR)`,
  );
}

export interface Vector {
  name: string;
  text: string;
  expected: {
    public_key: string;
    reference_date: string;
    expected_outcome: 'accept' | 'reject';
    reject_stage: 'import' | 'valid?' | null;
    input: { attributes?: Record<string, unknown>; raw_json?: string };
    gem_verify: {
      ok: boolean;
      attributes: Record<string, unknown> | null;
      expired: boolean | null;
      trial: boolean | null;
      plan: string | null;
      active_user_count: number | null;
      notify_admins: boolean | null;
      notify_users: boolean | null;
      block_changes: boolean | null;
    };
  };
}

/** Every vector in the folder, so that a vector added there is covered without code changes. */
export function loadVectors(): Vector[] {
  return readdirSync(VECTORS_DIR)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()
    .map((f) => {
      const expected = JSON.parse(readFileSync(join(VECTORS_DIR, f), 'utf8')) as Vector['expected'] & {
        license_file: string;
      };
      return {
        name: f.replace(/\.expected\.json$/, ''),
        text: readFileSync(join(VECTORS_DIR, expected.license_file), 'utf8'),
        expected,
      };
    });
}

export const keyPath = (name: string): string => join(VECTORS_DIR, name);
export const testPublicKey = (): KeyObject =>
  createPublicKey(readFileSync(join(KEYS_DIR, 'test_public.pem')));
export const otherPublicKey = (): KeyObject =>
  createPublicKey(readFileSync(join(KEYS_DIR, 'other_public.pem')));
export const testPrivateKey = (): KeyObject =>
  createPrivateKey(readFileSync(join(KEYS_DIR, 'test_private.pem')));
