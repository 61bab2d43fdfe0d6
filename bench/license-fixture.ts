/**
 * What the license bench writes and reads: the emergency license of the product spec, and the
 * operations on it. Shared by the main thread and the worker threads so both measure the same call.
 */
import type { KeyObject } from 'node:crypto';
import { decodeLicense, encodeLicense } from '../src/core/license/index.js';

/** The emergency license JSON (the seven booleans are left out: they default to false). */
export const EMERGENCY_ATTRIBUTES = {
  version: 1,
  licensee: {
    Name: 'Emergency Trial',
    Company: 'Emergency Trial License',
    Email: 'customer@example.com',
  },
  issued_at: '2026-11-28',
  expires_at: '2026-12-08',
  restrictions: { active_user_count: 250, plan: 'ultimate', trial: true },
} as const;

export type LicenseOp = 'write' | 'read';

/** One license write; throws if the core refuses it (the bench must never count failures). */
export function writeOnce(privateKey: KeyObject): string {
  const r = encodeLicense(EMERGENCY_ATTRIBUTES, privateKey);
  if (!r.ok) throw new Error(`encodeLicense failed: ${r.error.code} ${r.error.message}`);
  return r.value.text;
}

/** One license read; throws unless the license decodes. */
export function readOnce(text: string, publicKeys: readonly KeyObject[]): void {
  const r = decodeLicense(text, publicKeys);
  if (!r.ok) throw new Error(`decodeLicense failed: ${r.error.code} ${r.error.message}`);
}

/**
 * The operation to time, with its inputs bound once (the KeyObject is reused for every call, as a
 * long-running issuer would).
 */
export function licenseOperation(op: LicenseOp, key: KeyObject, licenseText: string): () => void {
  if (op === 'write') return () => void writeOnce(key);
  const keys = [key] as const;
  return () => readOnce(licenseText, keys);
}
