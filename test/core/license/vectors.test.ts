import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeLicense, licenseSeats, licenseStatus, licenseTrial } from '../../../src/core/license/index.js';
import { parseCalendarDate, type CalendarDate } from '../../../src/core/dates.js';
import { keyPath, loadVectors, otherPublicKey } from '../../helpers/vectors.js';

const IMPORT_CODES = ['MALFORMED_ENVELOPE', 'WRONG_KEY', 'DECRYPT_FAILED', 'NOT_JSON', 'UNSUPPORTED_VERSION'];

describe('gem reference vectors', () => {
  const vectors = loadVectors();

  it('finds the vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15);
  });

  for (const v of vectors) {
    it(`${v.name}: ${v.expected.expected_outcome}${v.expected.reject_stage ? ` at ${v.expected.reject_stage}` : ''}`, () => {
      const key = createPublicKey(readFileSync(keyPath(v.expected.public_key)));
      const result = decodeLicense(v.text, [key]);
      const gem = v.expected.gem_verify;
      if (v.expected.expected_outcome === 'accept') {
        if (!result.ok) throw new Error(`refused: ${result.error.code} ${result.error.message}`);
        // Same attributes, and in the same key order as the gem re-exports them.
        expect(result.value.json).toEqual(gem.attributes);
        expect(JSON.stringify(result.value.json)).toBe(JSON.stringify(gem.attributes));
        const today = parseCalendarDate(v.expected.reference_date) as CalendarDate;
        const status = licenseStatus(result.value.license, today);
        expect(status.expired).toBe(gem.expired);
        expect(status.notifyAdmins).toBe(gem.notify_admins);
        expect(status.notifyUsers).toBe(gem.notify_users);
        expect(status.blockChanges).toBe(gem.block_changes);
        expect(licenseTrial(result.value.license)).toBe(gem.trial);
        expect(licenseSeats(result.value.license)).toBe(gem.active_user_count);
        expect(result.value.license.restrictions?.['plan'] ?? null).toBe(gem.plan);
      } else {
        expect(result.ok).toBe(false);
        if (result.ok) return;
        if (v.expected.reject_stage === 'valid?') {
          expect(result.error.code).toBe('INVALID_ATTRIBUTES');
          expect(result.error.field).toBeTruthy();
          // Even refused, what was loaded matches what the gem loaded.
          expect(result.error.json).toEqual(gem.attributes);
        } else {
          expect(IMPORT_CODES).toContain(result.error.code);
        }
        expect(result.error.message.length).toBeGreaterThan(10);
      }
    });
  }

  it('gives the specific code for each damaged vector', () => {
    const byName = new Map(vectors.map((v) => [v.name, v]));
    const code = (name: string): string | undefined => {
      const v = byName.get(name);
      if (!v) return undefined;
      const r = decodeLicense(v.text, [createPublicKey(readFileSync(keyPath(v.expected.public_key)))]);
      return r.ok ? 'OK' : r.error.code;
    };
    expect(code('neg_tampered_data')).toBe('DECRYPT_FAILED');
    expect(code('neg_wrong_key')).toBe('WRONG_KEY');
    expect(code('neg_truncated_base64')).toBe('MALFORMED_ENVELOPE');
    expect(code('neg_version_2')).toBe('UNSUPPORTED_VERSION');
    expect(code('neg_missing_licensee')).toBe('INVALID_ATTRIBUTES');
    expect(code('neg_no_expires_at')).toBe('INVALID_ATTRIBUTES');
  });

  it('accepts neg_wrong_key with the key that signed it, and with several keys tries each', () => {
    const v = vectors.find((x) => x.name === 'neg_wrong_key');
    expect(v).toBeDefined();
    if (!v) return;
    const other = otherPublicKey();
    const right = createPublicKey(readFileSync(keyPath(v.expected.public_key)));
    expect(decodeLicense(v.text, [other]).ok).toBe(true);
    const both = decodeLicense(v.text, [right, other]);
    expect(both.ok && both.value.keyIndex).toBe(1);
  });
});
