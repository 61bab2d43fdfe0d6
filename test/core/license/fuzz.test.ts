/**
 * Robustness of the license reader and writer under random and damaged input: every result is a
 * value (ok, or an error with a code from a closed list), nothing throws, and nothing hangs.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decode64,
  decodeLicense,
  encode64,
  encodeLicense,
  removeBoundary,
  type DecodeError,
} from '../../../src/core/license/index.js';
import type { Result } from '../../../src/core/result.js';
import { craftLicense } from '../../helpers/crafted-license.js';
import {
  loadVectors,
  otherPublicKey,
  testPrivateKey,
  testPublicKey,
  type Vector,
} from '../../helpers/vectors.js';

const DECODE_CODES = [
  'MALFORMED_ENVELOPE',
  'WRONG_KEY',
  'DECRYPT_FAILED',
  'NOT_JSON',
  'UNSUPPORTED_VERSION',
  'INVALID_ATTRIBUTES',
] as const;
/** Generous: the point is "no hang", not speed (a real license decodes in well under a millisecond). */
const MAX_MS = 500;

const privateKey = testPrivateKey();
const publicKey = testPublicKey();
const vectors = loadVectors();
const accepted = vectors.filter((v) => v.expected.expected_outcome === 'accept');

type Decoded = ReturnType<typeof decodeLicense>;

/** decodeLicense, checked: no throw, under MAX_MS, and a coded error from the closed list when not ok. */
function decodeChecked(text: string, keys: readonly KeyObject[] = [publicKey]): Decoded {
  const started = performance.now();
  let result: Decoded;
  try {
    result = decodeLicense(text, keys);
  } catch (error) {
    throw new Error(`decodeLicense threw on ${JSON.stringify(text.slice(0, 200))}…: ${String(error)}`);
  }
  const elapsed = performance.now() - started;
  expect(elapsed, `decodeLicense took ${elapsed.toFixed(1)} ms`).toBeLessThan(MAX_MS);
  if (!result.ok) {
    expect(DECODE_CODES).toContain(result.error.code);
    expect(typeof result.error.message).toBe('string');
    expect(result.error.message.length).toBeGreaterThan(0);
    if (result.error.code === 'INVALID_ATTRIBUTES') expect(typeof result.error.field).toBe('string');
  }
  return result;
}

const codeOf = (r: Result<unknown, DecodeError>): string => (r.ok ? 'OK' : r.error.code);

/** A license around any plaintext, signed with the test key, with optional raw member overrides. */
const craft = (plaintext: string | Buffer, overrides: Parameters<typeof craftLicense>[2] = {}): string =>
  craftLicense(plaintext, privateKey, overrides);

/** The envelope of a vector: its three members as bytes. */
function envelopeOf(v: Vector): { data: Buffer; key: Buffer; iv: Buffer } {
  const e = JSON.parse(decode64(removeBoundary(v.text)).toString('utf8')) as Record<string, string>;
  return { data: decode64(e['data'] ?? ''), key: decode64(e['key'] ?? ''), iv: decode64(e['iv'] ?? '') };
}

function rebuild(members: { data: Buffer; key: Buffer; iv: Buffer }): string {
  const { data, key, iv } = members;
  return encode64(
    Buffer.from(JSON.stringify({ data: encode64(data), key: encode64(key), iv: encode64(iv) })),
  );
}

const flipBit = (bytes: Buffer, index: number, bit: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[index % copy.length] = (copy[index % copy.length] ?? 0) ^ (1 << bit);
  return copy;
};

const vectorArb = fc.constantFrom(...vectors);
const acceptedArb = fc.constantFrom(...accepted);
const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r -';

describe('decodeLicense never throws and always answers with a known code', () => {
  it('has vectors to mutate', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15);
    expect(accepted.length).toBeGreaterThanOrEqual(9);
  });

  it('random strings of any characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (text) => {
        expect(decodeChecked(text).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('random strings over the base64 alphabet, newlines, dashes and markers', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...BASE64_CHARS), maxLength: 4000 }),
        fc.boolean(),
        (text, framed) => {
          decodeChecked(
            framed ? `-----BEGIN GITLAB LICENSE-----\n${text}\n-----END GITLAB LICENSE-----` : text,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('random bytes, base64-encoded (the outer layer decodes, the envelope does not parse)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        const r = decodeChecked(encode64(bytes));
        expect(r.ok).toBe(false);
        decodeChecked(Buffer.from(bytes).toString('latin1'));
      }),
      { numRuns: 1000 },
    );
  });

  it('random JSON envelopes', () => {
    const member = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map((b) => encode64(b)),
      fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => encode64(b)),
      fc.uint8Array({ minLength: 256, maxLength: 256 }).map((b) => encode64(b)),
      fc.string(),
      fc.jsonValue(),
    );
    const envelope = fc.oneof(
      fc.jsonValue(),
      fc.record({ data: member, key: member, iv: member }, { requiredKeys: [] }),
      fc.record({ data: member, key: member, iv: member, extra: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(envelope, (value) => {
        const r = decodeChecked(encode64(Buffer.from(JSON.stringify(value) ?? 'null')));
        expect(r.ok).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });

  it('every truncation of every vector', () => {
    for (const v of vectors) {
      // Past the last data character of the body only padding, newlines and the END marker are cut.
      const body = removeBoundary(v.text);
      const bodyEnd = v.text.indexOf(body) + body.search(/[A-Za-z0-9+/][=\s]*$/) + 1;
      expect(bodyEnd).toBeGreaterThan(100);
      const codes = new Set<string>();
      for (let length = 0; length < v.text.length; length++) {
        const r = decodeChecked(v.text.slice(0, length));
        if (length < bodyEnd) expect(r.ok, `${v.name} cut to ${length}`).toBe(false);
        codes.add(codeOf(r));
      }
      expect(codes.has('MALFORMED_ENVELOPE')).toBe(true);
    }
  });

  it('single bit flips and character substitutions in the license text', () => {
    fc.assert(
      fc.property(
        vectorArb,
        fc.nat(),
        fc.integer({ min: 0, max: 15 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        fc.boolean(),
        (v, at, bit, replacement, substitute) => {
          const i = at % v.text.length;
          const ch = substitute ? replacement : String.fromCharCode(v.text.charCodeAt(i) ^ (1 << bit));
          decodeChecked(v.text.slice(0, i) + ch + v.text.slice(i + 1));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('single bit flips and byte substitutions inside data, key and iv (envelope re-encoded)', () => {
    fc.assert(
      fc.property(
        acceptedArb,
        fc.constantFrom('data', 'key', 'iv') as fc.Arbitrary<'data' | 'key' | 'iv'>,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
        (v, name, at, bit, byte) => {
          const members = envelopeOf(v);
          const original = members[name];
          const i = at % original.length;
          let mutated: Buffer;
          if (byte === undefined) mutated = flipBit(original, i, bit);
          else {
            mutated = Buffer.from(original);
            mutated[i] = byte;
          }
          const changed = !mutated.equals(original);
          const r = decodeChecked(rebuild({ ...members, [name]: mutated }));
          // Any change to the signed key breaks its PKCS#1 padding: the key is not the signer's.
          if (name === 'key' && changed) expect(codeOf(r)).toBe('WRONG_KEY');
          if (!changed) expect(r.ok).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('members of the wrong length: truncated or extended data, key and iv', () => {
    fc.assert(
      fc.property(
        acceptedArb,
        fc.constantFrom('data', 'key', 'iv') as fc.Arbitrary<'data' | 'key' | 'iv'>,
        fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0),
        (v, name, delta) => {
          const members = envelopeOf(v);
          const original = members[name];
          const resized =
            delta < 0
              ? original.subarray(0, Math.max(0, original.length + delta))
              : Buffer.concat([original, randomBytes(delta)]);
          const r = decodeChecked(rebuild({ ...members, [name]: resized }));
          if (name === 'iv')
            expect(codeOf(r)).toBe(resized.length === 0 ? 'MALFORMED_ENVELOPE' : 'DECRYPT_FAILED');
          if (name === 'key') expect(['WRONG_KEY', 'MALFORMED_ENVELOPE']).toContain(codeOf(r));
          if (name === 'data' && resized.length % 16 !== 0) {
            expect(['DECRYPT_FAILED', 'MALFORMED_ENVELOPE']).toContain(codeOf(r));
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  it('random plaintext properly encrypted and signed (not JSON, not an object, odd versions…)', () => {
    const plaintext = fc.oneof(
      fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b)),
      fc.string({ unit: 'binary', maxLength: 500 }),
      fc.jsonValue().map((j) => JSON.stringify(j) ?? 'null'),
      fc
        .record({
          version: fc.oneof(
            fc.constant(1),
            fc.constant(2),
            fc.constant('1'),
            fc.constant(null),
            fc.jsonValue(),
          ),
          licensee: fc.jsonValue(),
          issued_at: fc.oneof(fc.constant('2026-01-01'), fc.string(), fc.jsonValue()),
          expires_at: fc.oneof(fc.constant('2026-01-11'), fc.string(), fc.jsonValue()),
          restrictions: fc.jsonValue(),
        })
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(plaintext, (p) => {
        const r = decodeChecked(craft(p));
        expect(['OK', 'NOT_JSON', 'UNSUPPORTED_VERSION', 'INVALID_ATTRIBUTES']).toContain(codeOf(r));
      }),
      { numRuns: 800 },
    );
  });

  it('wrong keys: other RSA keys of any size, several at once, a non-RSA key, no key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const rsa3072 = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey;
    const other = otherPublicKey();
    for (const v of accepted) {
      for (const keys of [[other], [rsa1024], [rsa3072], [ec], [other, rsa1024, rsa3072, ec]]) {
        expect(codeOf(decodeChecked(v.text, keys))).toBe('WRONG_KEY');
      }
      expect(codeOf(decodeChecked(v.text, []))).toBe('WRONG_KEY');
      // The right key anywhere in the list is found.
      const found = decodeChecked(v.text, [ec, other, rsa1024, publicKey]);
      expect(found.ok && found.value.keyIndex).toBe(3);
    }
  });

  it('a 10 MB input, and large texts just under the size limit', () => {
    const big = 'A'.repeat(10 * 1024 * 1024);
    expect(codeOf(decodeChecked(big))).toBe('MALFORMED_ENVELOPE');
    const licence = accepted[0]?.text ?? '';
    expect(codeOf(decodeChecked(licence + '\n'.repeat(10 * 1024 * 1024)))).toBe('MALFORMED_ENVELOPE');
    const nearLimit = 1024 * 1024 - 16;
    for (const text of [
      'A'.repeat(nearLimit),
      encode64(randomBytes(Math.floor((nearLimit * 45) / 61 / 4) * 4 - 64)),
      '\n'.padEnd(nearLimit, '-'),
      'BEGIN '.repeat(nearLimit / 8),
      `BEGIN X${' LICENSE-'.repeat(nearLimit / 10)}`,
      `\n${'-BEGIN X LICENSE-\n'.repeat(nearLimit / 20)}`,
      `\n-END X${' LICENSE-x'.repeat(nearLimit / 11)}`,
      '\r\n'.repeat(nearLimit / 2),
      `{"data":"${'Q'.repeat(nearLimit - 40)}","key":"","iv":""}`,
    ]) {
      expect(text.length).toBeLessThanOrEqual(1024 * 1024);
      expect(decodeChecked(text).ok).toBe(false);
    }
  });

  it('deeply nested JSON, as the envelope and inside the encrypted data', () => {
    const depth = 100_000;
    const deepArray = '['.repeat(depth) + ']'.repeat(depth);
    const deepObject = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    expect(codeOf(decodeChecked(encode64(Buffer.from(deepArray))))).toBe('MALFORMED_ENVELOPE');
    expect(codeOf(decodeChecked(encode64(Buffer.from(deepObject))))).toBe('MALFORMED_ENVELOPE');
    // Inside the data, as deep as fits in a license text of at most 1 MiB (and deeper than
    // JSON.stringify can go, about 8000 levels).
    const inner = 20_000;
    const innerArray = '['.repeat(inner) + ']'.repeat(inner);
    const innerObject = '{"a":'.repeat(inner) + '1' + '}'.repeat(inner);
    expect(codeOf(decodeChecked(craft(innerArray)))).toBe('INVALID_ATTRIBUTES');
    expect(codeOf(decodeChecked(craft(innerObject)))).toBe('INVALID_ATTRIBUTES');
    const deepRestrictions =
      '{"licensee":{"Name":"N"},"issued_at":"2026-01-01","expires_at":"2026-01-11","restrictions":' +
      innerObject +
      '}';
    const r = decodeChecked(craft(deepRestrictions));
    expect(!r.ok && r.error).toMatchObject({ code: 'INVALID_ATTRIBUTES', field: 'restrictions' });
  });

  it('any nesting deeper than 64 levels, under any attribute, is refused as INVALID_ATTRIBUTES naming it; 64 is read', () => {
    const attributes = '"licensee":{"Name":"N"},"issued_at":"2026-01-01","expires_at":"2026-01-11"';
    const seen = { deep: 0, within: 0 };
    fc.assert(
      fc.property(
        // How many levels below the root object (often near the bound), arrays and objects in a
        // repeating pattern, under one attribute.
        fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 5000 })),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('restrictions', 'licensee', 'extra'),
        (levels, pattern, field) => {
          const kinds = Array.from({ length: levels }, (_, i) => pattern[i % pattern.length] === true);
          const open = kinds.map((isArray) => (isArray ? '[' : '{"k":')).join('');
          const close = [...kinds]
            .reverse()
            .map((isArray) => (isArray ? ']' : '}'))
            .join('');
          const nested = `${open}1${close}`;
          const json =
            field === 'licensee'
              ? `{"licensee":${nested},"issued_at":"2026-01-01","expires_at":"2026-01-11"}`
              : `{${attributes},"${field}":${nested}}`;
          const r = decodeChecked(craft(json));
          const depth = 1 + kinds.length; // the root object is level 1
          seen[depth > 64 ? 'deep' : 'within']++;
          if (depth > 64) {
            expect(!r.ok && r.error).toMatchObject({ code: 'INVALID_ATTRIBUTES', field });
            expect(!r.ok && r.error.message).toMatch(/nested more than 64 levels/);
          } else if (!r.ok) {
            // Within the bound: refused, if at all, for what the gem refuses (a licensee list…).
            expect(r.error.message).not.toMatch(/nested/);
          }
        },
      ),
      { numRuns: 200, seed: 20261217 },
    );
    // The generator reaches both sides of the bound.
    expect(seen.deep).toBeGreaterThan(20);
    expect(seen.within).toBeGreaterThan(20);
    // Exactly at the bound: 64 levels are read, 65 are not.
    const levels = (n: number) => `${'{"k":'.repeat(n)}1${'}'.repeat(n)}`;
    expect(decodeChecked(craft(`{${attributes},"restrictions":${levels(63)}}`)).ok).toBe(true);
    expect(codeOf(decodeChecked(craft(`{${attributes},"restrictions":${levels(64)}}`)))).toBe(
      'INVALID_ATTRIBUTES',
    );
    // The root itself as a deep array.
    const root = decodeChecked(craft(`${'['.repeat(5000)}${']'.repeat(5000)}`));
    expect(!root.ok && root.error).toMatchObject({ code: 'INVALID_ATTRIBUTES', field: '(root)' });
  });

  it('CRLF, any dashes, any product name, surrounding whitespace: the same attributes as the gem', () => {
    fc.assert(
      fc.property(
        acceptedArb,
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 0, max: 80 }),
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,19}$/),
        fc.boolean(),
        fc.constantFrom('', '\n', '\r\n', '\n\n'),
        (v, eol, left, right, name, framed, trailing) => {
          const body = removeBoundary(v.text).trim().split(/\r?\n/).join(eol);
          const product = name.toUpperCase();
          const text = framed
            ? `${'-'.repeat(left)}BEGIN ${product} LICENSE${'-'.repeat(right)}${eol}${body}${eol}` +
              `${'-'.repeat(right)}END ${product} LICENSE${'-'.repeat(left)}${trailing}`
            : `${body}${trailing}`;
          const r = decodeChecked(text);
          if (!r.ok) throw new Error(`refused ${JSON.stringify(text.slice(0, 80))}: ${r.error.message}`);
          expect(r.value.json).toEqual(v.expected.gem_verify.attributes);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('encodeLicense never throws on random attributes', () => {
  const dateLike = fc.oneof(
    fc
      .date({
        min: new Date('0001-01-01T00:00:00Z'),
        max: new Date('9999-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10)),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2026-02-30', '2026-1-5', '2026/01/10', '20260110', 'soon', '', '2026-01-10T25:00:00Z'),
    fc.string(),
    fc.jsonValue(),
  );
  const licensee = fc.oneof(
    fc.record(
      { Name: fc.string(), Company: fc.oneof(fc.string(), fc.constant('GitLab Inc.')), Email: fc.string() },
      { requiredKeys: [] },
    ),
    fc.record({ Company: fc.constant('GitLab'), Email: fc.constantFrom('a@gitlab.com', 'b@jihulab.com') }),
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc.jsonValue(),
  );
  const flag = fc.oneof(fc.boolean(), fc.jsonValue());
  const attributes = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          version: fc.oneof(
            fc.constant(1),
            fc.constant(1.0),
            fc.constant(2),
            fc.constant('1'),
            fc.constant(null),
            fc.constant(false),
          ),
          licensee,
          issued_at: dateLike,
          expires_at: dateLike,
          notify_admins_at: dateLike,
          notify_users_at: dateLike,
          block_changes_at: dateLike,
          next_sync_at: dateLike,
          last_synced_at: dateLike,
          activated_at: dateLike,
          cloud_licensing_enabled: flag,
          offline_cloud_licensing_enabled: flag,
          auto_renew_enabled: flag,
          generated_from_cancellation: flag,
          restrictions: fc.oneof(
            fc.record(
              {
                plan: fc.constantFrom('premium', 'ultimate', 'starter', 'free'),
                active_user_count: fc.integer(),
                trial: fc.boolean(),
              },
              { requiredKeys: [] },
            ),
            fc.jsonValue(),
          ),
          unknown_key: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue() },
  );

  it('is either ok (and then decodes back to the same JSON) or INVALID_ATTRIBUTES / UNSUPPORTED_VERSION', () => {
    let written = 0;
    fc.assert(
      fc.property(attributes, (attrs) => {
        let result: ReturnType<typeof encodeLicense>;
        try {
          result = encodeLicense(attrs, privateKey);
        } catch (error) {
          throw new Error(`encodeLicense threw on ${JSON.stringify(attrs)}: ${String(error)}`);
        }
        if (result.ok) {
          written++;
          const back = decodeChecked(result.value.text);
          if (!back.ok) throw new Error(`wrote a license it cannot read: ${back.error.message}`);
          expect(JSON.stringify(back.value.json)).toBe(JSON.stringify(result.value.json));
        } else {
          expect(['INVALID_ATTRIBUTES', 'UNSUPPORTED_VERSION']).toContain(result.error.code);
          expect(typeof result.error.field).toBe('string');
        }
      }),
      // A fixed seed: how many random attribute sets happen to be valid varies by seed (14–40 of 1500),
      // and the count below checks the generator reaches the writing path at all.
      { numRuns: 1500, seed: 20261128 },
    );
    expect(written).toBeGreaterThan(20); // the generator does reach valid licenses
  });

  it('on deeply nested restrictions (as JSON.parse of an attributes file gives them) refuses instead of throwing', () => {
    const depth = 20_000;
    const restrictions = JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown;
    const attrs = {
      licensee: { Name: 'Deep', Company: 'Nest', Email: 'deep@nest.example' },
      issued_at: '2026-01-01',
      expires_at: '2026-01-11',
      restrictions,
    };
    let result: ReturnType<typeof encodeLicense> | undefined;
    let thrown: unknown;
    try {
      result = encodeLicense(attrs, privateKey);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `threw ${String(thrown)}`).toBeUndefined();
    expect(result && (result.ok ? 'OK' : result.error.code)).toBe('INVALID_ATTRIBUTES');
  });
});
