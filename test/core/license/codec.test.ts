import { constants, createDecipheriv, createHash, publicDecrypt, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../../../src/core/dates.js';
import {
  addBoundary,
  decode64,
  decodeLicense,
  encode64,
  encodeLicense,
  formatFingerprint,
  graceEndsOn,
  isValidBoundaryName,
  legacyLicenseFingerprint,
  licenseFingerprint,
  parseFingerprint,
  licenseStatus,
  loadAttributes,
  MAX_LICENSE_JSON_DEPTH,
  removeBoundary,
  toLicense,
  type License,
} from '../../../src/core/license/index.js';
import { craftLicense, deepLicenseJson } from '../../helpers/crafted-license.js';
import { loadVectors, testPrivateKey, testPublicKey, type Vector } from '../../helpers/vectors.js';

const vectors = loadVectors();
const privateKey = testPrivateKey();
const publicKey = testPublicKey();
const accepted = vectors.filter(
  (v) => v.expected.expected_outcome === 'accept' && v.expected.input.attributes,
);

/**
 * The plaintext the gem encrypted in a license, recovered with node:crypto alone (independently of
 * decodeLicense): base64 → envelope → RSA public "decrypt" of the key → AES-128-CBC.
 */
function gemPlaintext(text: string, key: KeyObject): Buffer {
  const body = text.replace(/^-*BEGIN .* LICENSE-*\r?\n/m, '').replace(/\r?\n-*END .* LICENSE-*\s*$/, '');
  const envelope = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as Record<string, string>;
  const member = (name: string): Buffer => Buffer.from(envelope[name] ?? '', 'base64');
  const aesKey = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, member('key'));
  const decipher = createDecipheriv('aes-128-cbc', aesKey, member('iv'));
  return Buffer.concat([decipher.update(member('data')), decipher.final()]);
}

function encodeOk(attributes: unknown, options: Parameters<typeof encodeLicense>[2] = {}) {
  const result = encodeLicense(attributes, privateKey, options);
  if (!result.ok) throw new Error(`refused: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function licenseOf(attributes: Record<string, unknown>): License {
  const loaded = loadAttributes({
    licensee: { Name: 'A', Company: 'B', Email: 'a@b.example' },
    issued_at: '2025-01-01',
    ...attributes,
  });
  if (!loaded.ok) throw new Error('not loadable');
  return toLicense(loaded.value);
}

const day = (text: string): CalendarDate => text as CalendarDate;

describe('encodeLicense ↔ the gem', () => {
  it('has accepted vectors with input attributes to compare with', () => {
    expect(accepted.length).toBeGreaterThanOrEqual(9);
  });

  describe.each(accepted.map((v) => [v.name, v] as const))('%s', (_name, v: Vector) => {
    const attributes = v.expected.input.attributes;

    it('round-trips the input attributes to exactly what the gem reports', () => {
      const encoded = encodeOk(attributes);
      expect(encoded.json).toEqual(v.expected.gem_verify.attributes);
      const decoded = decodeLicense(encoded.text, [publicKey]);
      if (!decoded.ok) throw new Error(decoded.error.message);
      expect(decoded.value.json).toEqual(v.expected.gem_verify.attributes);
      expect(JSON.stringify(decoded.value.json)).toBe(JSON.stringify(v.expected.gem_verify.attributes));
      expect(decoded.value.keyIndex).toBe(0);
    });

    it('encrypts byte for byte the JSON the gem encrypted', () => {
      const gem = gemPlaintext(v.text, publicKey);
      const ours = encodeOk(attributes);
      expect(Buffer.from(JSON.stringify(ours.json), 'utf8').equals(gem)).toBe(true);
      // …and what Lifeline encrypted reads back identically with the same independent steps.
      expect(gemPlaintext(ours.text, publicKey).equals(gem)).toBe(true);
    });

    it('writes a text of the same shape and length as the gem (markers, line lengths, envelope)', () => {
      const boundary = (v.expected as { boundary?: string | null }).boundary ?? undefined;
      const ours = encodeOk(attributes, boundary ? { boundary } : {});
      const shape = (t: string): string => t.replace(/[A-Za-z0-9+/=]/g, 'x');
      expect(shape(ours.text)).toBe(shape(v.text));
      const envelope = (t: string): Record<string, string> =>
        JSON.parse(decode64(removeBoundary(t)).toString('utf8')) as Record<string, string>;
      const [mine, gems] = [envelope(ours.text), envelope(v.text)];
      expect(Object.keys(mine)).toEqual(['data', 'key', 'iv']);
      expect(Object.keys(gems)).toEqual(['data', 'key', 'iv']);
      for (const member of ['data', 'key', 'iv'])
        expect(shape(mine[member] ?? '')).toBe(shape(gems[member] ?? ''));
      if (boundary) {
        expect(ours.text.split('\n')[0]).toBe(v.text.split('\n')[0]);
        expect(ours.text.split('\n').at(-1)).toBe(v.text.split('\n').at(-1));
      }
    });
  });

  it('recovers the raw JSON of the crafted vectors with the same steps (checks the test itself)', () => {
    const crafted = vectors.filter((v) => v.expected.input.raw_json);
    expect(crafted.length).toBeGreaterThanOrEqual(3);
    for (const v of crafted) {
      expect(gemPlaintext(v.text, publicKey).toString('utf8')).toBe(v.expected.input.raw_json);
    }
  });

  it('two encodings of the same attributes differ in text but decode equal', () => {
    const attributes = accepted[0]?.expected.input.attributes;
    const a = encodeOk(attributes);
    const b = encodeOk(attributes);
    expect(a.text).not.toBe(b.text);
    const da = decodeLicense(a.text, [publicKey]);
    const db = decodeLicense(b.text, [publicKey]);
    expect(da.ok && db.ok).toBe(true);
    if (!da.ok || !db.ok) return;
    expect(da.value.json).toEqual(db.value.json);
    expect(da.value.license).toEqual(db.value.license);
    expect(licenseFingerprint(a.text)).not.toBe(licenseFingerprint(b.text));
  });

  it('with a fixed random source the text is fully determined (PKCS#1 type 1 has no randomness)', () => {
    const attributes = accepted[0]?.expected.input.attributes;
    const fixed = (size: number): Buffer => Buffer.alloc(size, 7);
    expect(encodeOk(attributes, { randomBytes: fixed }).text).toBe(
      encodeOk(attributes, { randomBytes: fixed }).text,
    );
  });

  it('licenseFingerprint is the SHA-256 of the payload without framing or whitespace, so every copy matches', () => {
    const text = encodeOk(accepted[0]?.expected.input.attributes).text;
    const payload = text.replace(/\s+/g, '');
    const fingerprint = licenseFingerprint(text);
    expect(fingerprint).toBe(createHash('sha256').update(payload).digest('hex'));
    // The file, CRLF, the email body's BEGIN/END framing, and the tracker's copy without a final newline.
    for (const copy of [
      text.replace(/\n/g, '\r\n'),
      `Hello,\n\n${addBoundary(text, 'GitLab')}\n\nGitLab Support\n`,
      text.trimEnd(),
      `  ${payload}  `,
    ]) {
      expect(licenseFingerprint(copy)).toBe(fingerprint);
    }
    expect(legacyLicenseFingerprint(text)).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('parseFingerprint accepts sha256:<hex> and bare hex, and nothing else', () => {
    const hex = 'ab'.repeat(32);
    expect(parseFingerprint(`sha256:${hex}`)).toBe(hex);
    expect(parseFingerprint(` SHA256:${hex.toUpperCase()} `)).toBe(hex);
    expect(parseFingerprint(hex)).toBe(hex);
    for (const bad of ['', 'sha256:', hex.slice(1), `${hex}0`, `md5:${hex}`, `sha256:${'g'.repeat(64)}`]) {
      expect(parseFingerprint(bad)).toBeNull();
    }
    expect(formatFingerprint(hex)).toBe(`sha256:${hex}`);
  });
});

describe('encodeLicense refuses what the gem would not accept', () => {
  const base = {
    licensee: { Name: 'Eve', Company: 'Lapsed Ltd', Email: 'eve@lapsed.example' },
    issued_at: '2026-01-17',
    expires_at: '2026-01-27',
  };

  it.each([
    ['missing licensee', { ...base, licensee: undefined }, 'INVALID_ATTRIBUTES', 'licensee'],
    ['empty licensee', { ...base, licensee: {} }, 'INVALID_ATTRIBUTES', 'licensee'],
    ['licensee not an object', { ...base, licensee: 'Eve' }, 'INVALID_ATTRIBUTES', 'licensee'],
    ['version 2', { ...base, version: 2 }, 'UNSUPPORTED_VERSION', 'version'],
    ['version "1"', { ...base, version: '1' }, 'UNSUPPORTED_VERSION', 'version'],
    [
      'offline cloud without cloud',
      { ...base, offline_cloud_licensing_enabled: true },
      'INVALID_ATTRIBUTES',
      'offline_cloud_licensing_enabled',
    ],
    ['no issued_at', { ...base, issued_at: undefined }, 'INVALID_ATTRIBUTES', 'issued_at'],
    ['unparseable issued_at (dropped)', { ...base, issued_at: 'soon' }, 'INVALID_ATTRIBUTES', 'issued_at'],
    ['no expires_at', { ...base, expires_at: undefined }, 'INVALID_ATTRIBUTES', 'expires_at'],
    ['a number as a date', { ...base, notify_users_at: 20260101 }, 'INVALID_ATTRIBUTES', 'notify_users_at'],
    ['a date as a date-time', { ...base, activated_at: 5 }, 'INVALID_ATTRIBUTES', 'activated_at'],
    ['not an object', [base], 'INVALID_ATTRIBUTES', '(root)'],
    ['null', null, 'INVALID_ATTRIBUTES', '(root)'],
  ])('%s', (_label, attributes, code, field) => {
    const result = encodeLicense(attributes, privateKey);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.field).toBe(field);
    expect(result.error.message.length).toBeGreaterThan(5);
  });

  it('accepts a GitLab team license without expires_at, and offline cloud with cloud', () => {
    expect(
      encodeLicense(
        { ...base, expires_at: undefined, licensee: { Company: 'GitLab Inc.', Email: 'x@gitlab.com' } },
        privateKey,
      ).ok,
    ).toBe(true);
    expect(
      encodeLicense(
        { ...base, cloud_licensing_enabled: true, offline_cloud_licensing_enabled: true },
        privateKey,
      ).ok,
    ).toBe(true);
  });

  it('refuses a public key as the writing key with KEY_UNUSABLE', () => {
    const result = encodeLicense(base, publicKey);
    expect(!result.ok && result.error.code).toBe('KEY_UNUSABLE');
  });

  it('never writes a restrictions member when restrictions are empty or not an object', () => {
    for (const restrictions of [{}, [], 'premium', null]) {
      const encoded = encodeOk({ ...base, restrictions });
      expect(encoded.json).not.toHaveProperty('restrictions');
    }
  });
});

describe('nesting is bounded at 64 levels (a signed license 5,000 deep must not overflow a stack)', () => {
  it('decodeLicense refuses a validly signed license nested deeper, as INVALID_ATTRIBUTES naming the attribute', () => {
    for (const levels of [64, 5_000, 50_000]) {
      const result = decodeLicense(craftLicense(deepLicenseJson(levels), privateKey), [publicKey]);
      expect(!result.ok && result.error, `${levels}`).toEqual({
        code: 'INVALID_ATTRIBUTES',
        field: 'restrictions',
        message: `restrictions is nested more than ${MAX_LICENSE_JSON_DEPTH} levels deep (a license's JSON has three)`,
      });
    }
    // Restrictions 63 levels deep: 64 with the root.
    const within = decodeLicense(craftLicense(deepLicenseJson(63), privateKey), [publicKey]);
    expect(within.ok).toBe(true);
  });

  it('encodeLicense refuses to write attributes nested deeper, naming the attribute, before walking them', () => {
    const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
    const base = {
      licensee: { Name: 'Deep', Company: 'Nest', Email: 'deep@nest.example' },
      issued_at: '2026-01-01',
      expires_at: '2026-01-11',
    };
    for (const [attributes, field] of [
      [{ ...base, restrictions: { plan: 'premium', deep: nested(63) } }, 'restrictions'],
      [{ ...base, licensee: { ...base.licensee, Extra: nested(5_000) } }, 'licensee'],
      [[nested(100)], '(root)'],
    ] as const) {
      const result = encodeLicense(attributes, privateKey);
      expect(!result.ok && result.error).toMatchObject({ code: 'INVALID_ATTRIBUTES', field });
    }
    expect(
      encodeLicense({ ...base, restrictions: { plan: 'premium', deep: nested(62) } }, privateKey).ok,
    ).toBe(true);
  });
});

describe('boundary markers', () => {
  const body = encode64(Buffer.from('{"data":"x","key":"y","iv":"z"}'));

  it('addBoundary centres the markers in 60 columns (extra dash on the left), no final newline', () => {
    const framed = addBoundary(body, 'GitLab');
    const lines = framed.split('\n');
    expect(lines[0]).toBe(`${'-'.repeat(20)}BEGIN GITLAB LICENSE${'-'.repeat(20)}`);
    expect(lines.at(-1)).toBe(`${'-'.repeat(21)}END GITLAB LICENSE${'-'.repeat(21)}`);
    expect(framed.endsWith('\n')).toBe(false);
    expect(lines.slice(1, -1).join('\n')).toBe(body.trim());
    const odd = addBoundary(body, 'AcmeX').split('\n');
    expect(odd[0]).toBe(`${'-'.repeat(21)}BEGIN ACMEX LICENSE${'-'.repeat(20)}`);
    expect(odd.at(-1)).toBe(`${'-'.repeat(22)}END ACMEX LICENSE${'-'.repeat(21)}`);
  });

  it('removeBoundary undoes addBoundary, and addBoundary does not nest markers', () => {
    const framed = addBoundary(body, 'GitLab');
    expect(removeBoundary(framed)).toBe(body.trim());
    expect(addBoundary(framed, 'GitLab')).toBe(framed);
    expect(removeBoundary(body)).toBe(body);
  });

  it('removeBoundary accepts CRLF, any number of dashes and any product name', () => {
    const inner = 'QUJD\nREVG\n';
    for (const dashes of ['', '-', '-----', '-'.repeat(60)]) {
      for (const name of ['GITLAB', 'GitLab', 'JIHU', 'SOME PRODUCT']) {
        for (const eol of ['\n', '\r\n']) {
          const text = `${dashes}BEGIN ${name} LICENSE${dashes}${eol}${inner.replace(/\n/g, eol)}${dashes}END ${name} LICENSE${dashes}`;
          expect(decode64(removeBoundary(text)).toString()).toBe('ABCDEF');
          expect(decode64(removeBoundary(text + eol)).toString()).toBe('ABCDEF');
        }
      }
    }
  });

  it('takes what follows the last BEGIN line up to the next END line', () => {
    const text =
      'BEGIN A LICENSE\nQUJD\nEND A LICENSE\nnoise\n--BEGIN B LICENSE--\nREVG\n--END B LICENSE--\nR0hJ\n';
    expect(removeBoundary(text)).toBe('REVG');
    expect(removeBoundary('---BEGIN X LICENSE---\nQUJD\n')).toBe('QUJD\n'); // no END: the rest
  });

  it('isValidBoundaryName', () => {
    for (const ok of ['GitLab', 'GITLAB', 'JiHu', 'Acme 2', 'a.b_c-d', 'X'.repeat(40)]) {
      expect(isValidBoundaryName(ok), ok).toBe(true);
    }
    for (const bad of ['', ' GitLab', '-GitLab', 'Git\nLab', 'GitLab LICENSE', 'X'.repeat(41), 'Gït']) {
      expect(isValidBoundaryName(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('base64 (Ruby pack/unpack "m")', () => {
  it('encode64 writes 60-column lines, each ending in a newline, like Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const text = encode64(bytes);
        const lines = text.split('\n');
        expect(lines.pop()).toBe('');
        expect(lines.every((l) => l.length <= 60 && l.length > 0)).toBe(true);
        expect(lines.slice(0, -1).every((l) => l.length === 60)).toBe(true);
        expect(lines.join('')).toBe(Buffer.from(bytes).toString('base64'));
      }),
      { numRuns: 300 },
    );
    expect(encode64(new Uint8Array())).toBe('');
  });

  it('decode64 agrees with Buffer on canonical base64, with or without line breaks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const flat = Buffer.from(bytes).toString('base64');
        expect(decode64(flat).equals(Buffer.from(bytes))).toBe(true);
        expect(decode64(encode64(bytes)).equals(Buffer.from(flat, 'base64'))).toBe(true);
        expect(decode64(encode64(bytes).replace(/\n/g, '\r\n')).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('decode64 agrees with Buffer when unpadded or sprinkled with characters outside the alphabet', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(' ', '\t', '\n', '*', '!', 'é', '€', '\u0000')), {
          maxLength: 10,
        }),
        (bytes, noise) => {
          let text = Buffer.from(bytes).toString('base64').replace(/=+$/, '');
          for (const [at, ch] of noise) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + ch + text.slice(i);
          }
          expect(decode64(text).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['QUJD', 'ABC'],
    ['QUJ', 'AB'], // trailing partial group of three: its whole bytes
    ['QU', 'A'],
    ['Q', ''], // a single character makes no byte
    ['QQ==', 'A'],
    ['QUI=', 'AB'],
    ['QQ==QUJD', 'A'], // "=" in the third place ends the data
    ['QUI=QUJD', 'AB'], // "=" in the fourth place too
    ['=QUJD', 'ABC'], // "=" in the first place is skipped like any other character
    ['Q=UJD', 'ABC'], // …and in the second
    ['QUJD=QUJD', 'ABCABC'], // after a whole group, the next "=" is in first place: skipped
    ['Q U\nJ\r\nD', 'ABC'],
    ['Q✓UJD', 'ABC'],
    ['', ''],
    ['!!!!', ''],
  ])('decode64(%j) is %j as in Ruby', (text, bytes) => {
    expect(decode64(text).toString('latin1')).toBe(bytes);
  });
});

describe('licenseStatus', () => {
  const premium = { plan: 'premium', active_user_count: 10, trial: false };

  it('is expired from the expiry day on, not the day before', () => {
    const license = licenseOf({ expires_at: '2026-01-10', restrictions: premium });
    expect(licenseStatus(license, day('2026-01-09')).expired).toBe(false);
    expect(licenseStatus(license, day('2026-01-10')).expired).toBe(true);
    expect(licenseStatus(license, day('2026-01-11')).expired).toBe(true);
  });

  it('ends the grace period 14 days after expiry for paid plans, a missing plan counting as starter', () => {
    for (const restrictions of [
      premium,
      { plan: 'ultimate' },
      { plan: 'starter', trial: false },
      {},
      undefined,
    ]) {
      const license = licenseOf({ expires_at: '2026-01-10', restrictions });
      expect(graceEndsOn(license)).toBe('2026-01-24');
      const status = licenseStatus(license, day('2026-01-24'));
      expect(status.paid).toBe(true);
      expect(status.graceEndsOn).toBe('2026-01-24');
      expect(status.daysSinceGraceEnd).toBe(0);
      expect(licenseStatus(license, day('2026-01-20')).daysSinceGraceEnd).toBe(-4);
      expect(licenseStatus(license, day('2026-02-03')).daysSinceGraceEnd).toBe(10);
    }
  });

  it('a trial or an unpaid plan has no grace: it ends on the expiry day', () => {
    for (const restrictions of [
      { plan: 'ultimate', trial: true },
      { plan: 'free' },
      { plan: 'opensource' },
    ]) {
      const status = licenseStatus(licenseOf({ expires_at: '2026-01-10', restrictions }), day('2026-01-12'));
      expect(status.paid).toBe(false);
      expect(status.graceEndsOn).toBe('2026-01-10');
      expect(status.daysSinceGraceEnd).toBe(2);
    }
  });

  it('block_changes_at wins over expiry + grace, for paid plans and trials alike', () => {
    for (const restrictions of [premium, { plan: 'ultimate', trial: true }]) {
      const license = licenseOf({ expires_at: '2026-01-10', block_changes_at: '2026-02-01', restrictions });
      const status = licenseStatus(license, day('2026-02-01'));
      expect(status.graceEndsOn).toBe('2026-02-01');
      expect(status.daysSinceGraceEnd).toBe(0);
      expect(status.blockChanges).toBe(true);
      expect(licenseStatus(license, day('2026-01-31')).blockChanges).toBe(false);
    }
  });

  it('notify dates switch on from their day; without an expiry there is no grace end', () => {
    const license = licenseOf({
      expires_at: '2026-03-01',
      notify_admins_at: '2026-02-01',
      notify_users_at: '2026-02-15',
      restrictions: premium,
    });
    expect(licenseStatus(license, day('2026-02-01'))).toMatchObject({
      notifyAdmins: true,
      notifyUsers: false,
    });
    expect(licenseStatus(license, day('2026-02-15'))).toMatchObject({
      notifyAdmins: true,
      notifyUsers: true,
    });
    const team = licenseOf({ licensee: { Company: 'GitLab', Email: 'a@gitlab.com' }, restrictions: premium });
    expect(licenseStatus(team, day('2030-01-01'))).toMatchObject({
      expired: false,
      graceEndsOn: null,
      daysSinceGraceEnd: null,
    });
  });

  it('counts days across month, year and leap-day boundaries', () => {
    const license = licenseOf({ expires_at: '2028-02-20', restrictions: premium });
    expect(graceEndsOn(license)).toBe('2028-03-05'); // 2028 is a leap year
    const december = licenseOf({ expires_at: '2025-12-25', restrictions: premium });
    expect(graceEndsOn(december)).toBe('2026-01-08');
    expect(licenseStatus(december, day('2026-01-15')).daysSinceGraceEnd).toBe(7);
  });
});

describe('fresh AES key and IV per license', () => {
  it('never repeats a key or IV across pool refills, and every license still decodes', () => {
    const attributes = vectors.find((v) => v.name === 'ultimate_trial_10d')?.expected.input.attributes;
    const keys = new Set<string>();
    const ivs = new Set<string>();
    for (let i = 0; i < 150; i++) {
      const text = encodeOk(attributes).text;
      const envelope = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Record<string, string>;
      const aesKey = publicDecrypt(
        { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(envelope['key'] ?? '', 'base64'),
      );
      keys.add(aesKey.toString('hex'));
      ivs.add(envelope['iv'] ?? '');
      expect(aesKey.equals(Buffer.alloc(16))).toBe(false);
      expect(gemPlaintext(text, publicKey).toString('utf8')).toContain('"trial":true');
    }
    expect(keys.size).toBe(150);
    expect(ivs.size).toBe(150);
  });
});
