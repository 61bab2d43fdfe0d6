/**
 * Reading and writing license files in the format of the `gitlab-license` gem (see
 * shared/vectors/README.md): AES-128-CBC under a fresh key and IV, the AES key transformed with the
 * RSA private key (PKCS#1 v1.5 type 1, "private_encrypt"), {data,key,iv} as base64 in JSON, all
 * base64 again. Pure computation: keys come in as KeyObjects, nothing touches files or the network.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  hash,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { err, ok, type Result } from '../result.js';
import {
  loadAttributes,
  toLicense,
  toLicenseJson,
  validateAttributes,
  type License,
  type LicenseJson,
} from './attributes.js';
import { decode64, encode64 } from './base64.js';
import { addBoundary, removeBoundary } from './boundary.js';
import { tooDeeplyNested, tooDeeplyNestedMessage } from './depth.js';
import type { LicenseError } from './errors.js';

/** Larger texts are refused outright; a real license is about 2 KB. */
export const MAX_LICENSE_TEXT_LENGTH = 1024 * 1024;

export interface DecodedLicense {
  license: License;
  /** The license JSON as the gem re-exports it (its key names and order). */
  json: LicenseJson;
  /** Which of the given public keys verified it (index into the list). */
  keyIndex: number;
}

export type DecodeError = LicenseError & {
  /** For INVALID_ATTRIBUTES: what the gem loaded, so the caller can still show it. */
  json?: LicenseJson;
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(bytes)) };
  } catch {
    return { ok: false };
  }
}

const malformed = (message: string): DecodeError => ({ code: 'MALFORMED_ENVELOPE', message });

/**
 * How Lifeline recognises its own licenses in any copy (the file, the email body between its
 * BEGIN/END lines, the tracker's code block): SHA-256, hex, of the base64 payload with the framing
 * lines and all whitespace removed (PRODUCT.md §5).
 */
export function licenseFingerprint(text: string): string {
  return hash('sha256', removeBoundary(text).replace(/\s+/g, ''), 'hex');
}

/** The fingerprint before 2026-12: SHA-256 of the text exactly as given (still found as an alias). */
export function legacyLicenseFingerprint(text: string): string {
  return hash('sha256', text, 'hex');
}

const FINGERPRINT = /^(?:sha256:)?([0-9a-f]{64})$/;

/** `sha256:<hex>` or bare hex (any case, surrounding spaces) → the hex; null when it is neither. */
export function parseFingerprint(text: string): string | null {
  return FINGERPRINT.exec(text.trim().toLowerCase())?.[1] ?? null;
}

/** How a fingerprint is printed. */
export const formatFingerprint = (hex: string): string => `sha256:${hex}`;

/**
 * Reads a license text with one or more public keys. Never throws: every failure is a coded error.
 * Accepts the text with or without marker lines, LF or CRLF, and base64 as leniently as the gem.
 */
export function decodeLicense(
  text: string,
  publicKeys: readonly KeyObject[],
): Result<DecodedLicense, DecodeError> {
  if (typeof text !== 'string' || text.trim() === '') return err(malformed('the license text is empty'));
  if (text.length > MAX_LICENSE_TEXT_LENGTH) {
    return err(
      malformed(`the license text is ${text.length} characters; at most ${MAX_LICENSE_TEXT_LENGTH} are read`),
    );
  }
  if (publicKeys.length === 0)
    return err({ code: 'WRONG_KEY', message: 'no public key was given to check the license with' });

  const envelopeJson = parseJson(decode64(removeBoundary(text)));
  if (!envelopeJson.ok) return err(malformed('the license text is not base64 of a JSON envelope'));
  const envelope = envelopeJson.value;
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return err(malformed('the license envelope is not a JSON object'));
  }
  const fields = envelope as Record<string, unknown>;
  for (const name of ['data', 'key', 'iv'] as const) {
    if (typeof fields[name] !== 'string' || fields[name] === '') {
      return err(malformed(`the license envelope has no "${name}" text`));
    }
  }
  const data = decode64(fields['data'] as string);
  const encryptedKey = decode64(fields['key'] as string);
  const iv = decode64(fields['iv'] as string);

  let failure: DecodeError | null = null;
  let plain: Buffer | null = null;
  let keyIndex = -1;
  for (let i = 0; i < publicKeys.length && plain === null; i++) {
    let aesKey: Buffer;
    try {
      aesKey = publicDecrypt(
        { key: publicKeys[i] as KeyObject, padding: constants.RSA_PKCS1_PADDING },
        encryptedKey,
      );
    } catch {
      continue; // this key did not sign it; try the next
    }
    if (aesKey.length !== 16) {
      failure = {
        code: 'DECRYPT_FAILED',
        message: `the recovered AES key is ${aesKey.length} bytes, not 16`,
      };
      continue;
    }
    if (iv.length !== 16) {
      failure = { code: 'DECRYPT_FAILED', message: `the license IV is ${iv.length} bytes, not 16` };
      continue;
    }
    try {
      const decipher = createDecipheriv('aes-128-cbc', aesKey, iv);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
      keyIndex = i;
    } catch {
      failure = { code: 'DECRYPT_FAILED', message: 'the license data does not decrypt (damaged or altered)' };
    }
  }
  if (plain === null) {
    return err(
      failure ?? {
        code: 'WRONG_KEY',
        message:
          publicKeys.length === 1
            ? 'the license was not signed by the private key of the given public key'
            : `the license was not signed by the private key of any of the ${publicKeys.length} given public keys`,
      },
    );
  }

  const parsed = parseJson(plain);
  if (!parsed.ok) return err({ code: 'NOT_JSON', message: 'the decrypted license data is not JSON' });
  // Checked before anything walks it (JSON.parse itself does not recurse).
  const deep = tooDeeplyNested(parsed.value);
  if (deep !== null)
    return err({ code: 'INVALID_ATTRIBUTES', field: deep, message: tooDeeplyNestedMessage(deep) });
  const loaded = loadAttributes(parsed.value);
  if (!loaded.ok) {
    return loaded.error.kind === 'version'
      ? err({
          code: 'UNSUPPORTED_VERSION',
          field: 'version',
          message: `license version ${JSON.stringify(loaded.error.version)} is not supported (only 1)`,
        })
      : err({
          code: 'INVALID_ATTRIBUTES',
          field: '(root)',
          message: 'the license data is not a JSON object',
        });
  }
  const json = toLicenseJson(loaded.value);
  const problem = validateAttributes(loaded.value);
  if (problem) {
    return err({
      code: 'INVALID_ATTRIBUTES',
      field: problem.field,
      message: `${problem.field} ${problem.rule}`,
      json,
    });
  }
  return ok({ license: toLicense(loaded.value), json, keyIndex });
}

/**
 * Fresh AES key and IV for each license, 32 bytes taken from a pool of CSPRNG output refilled 64
 * licenses at a time: one `randomBytes` call costs about as much as the AES encryption itself, and two
 * per license were the largest cost after the RSA operation (bench: 0.85× → 0.91× of openssl sign/s).
 * Bytes are wiped as soon as the license is written, so the pool holds only keys not yet handed out.
 * Each worker thread has its own pool.
 */
const RANDOM_POOL_BYTES = 32 * 64;
let randomPool = Buffer.alloc(0);
let randomOffset = RANDOM_POOL_BYTES;

function takeKeyAndIv(): { aesKey: Buffer; iv: Buffer; wipe: () => void } {
  if (randomOffset + 32 > RANDOM_POOL_BYTES) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const pool = randomPool;
  const at = randomOffset;
  randomOffset += 32;
  return {
    aesKey: pool.subarray(at, at + 16),
    iv: pool.subarray(at + 16, at + 32),
    wipe: () => void pool.fill(0, at, at + 32),
  };
}

export interface EncodeOptions {
  /** Product name for marker lines (e.g. "GitLab"); none when absent, as Lifeline's emails use. */
  boundary?: string;
  /** Source of the AES key and IV; defaults to the system CSPRNG. For tests only. */
  randomBytes?: (size: number) => Buffer;
}

export interface EncodedLicense {
  text: string;
  /** The JSON that was encrypted, exactly. */
  json: LicenseJson;
  license: License;
}

/**
 * Writes a license from attributes with the gem's key names (as `Gitlab::License.new(attrs)` then
 * `export`). Refuses, as the gem's `validate!` does, attributes that would not be valid.
 */
export function encodeLicense(
  attributes: unknown,
  privateKey: KeyObject,
  options: EncodeOptions = {},
): Result<EncodedLicense, LicenseError> {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    return err({ code: 'KEY_UNUSABLE', message: 'licenses are written with an RSA private key' });
  }
  // Never write what the reader would refuse; and nothing below recurses into a deep value.
  const deep = tooDeeplyNested(attributes);
  if (deep !== null)
    return err({ code: 'INVALID_ATTRIBUTES', field: deep, message: tooDeeplyNestedMessage(deep) });
  const loaded = loadAttributes(attributes);
  if (!loaded.ok) {
    return loaded.error.kind === 'version'
      ? err({
          code: 'UNSUPPORTED_VERSION',
          field: 'version',
          message: 'only license version 1 can be written',
        })
      : err({ code: 'INVALID_ATTRIBUTES', field: '(root)', message: 'the attributes must be a JSON object' });
  }
  const problem = validateAttributes(loaded.value);
  if (problem)
    return err({
      code: 'INVALID_ATTRIBUTES',
      field: problem.field,
      message: `${problem.field} ${problem.rule}`,
    });

  const json = toLicenseJson(loaded.value);
  let plaintext: string;
  try {
    plaintext = JSON.stringify(json);
  } catch {
    // The depth is bounded above: only a value built in code gets here (a cycle, a BigInt).
    return err({
      code: 'INVALID_ATTRIBUTES',
      field: '(root)',
      message: 'the attributes cannot be written as JSON',
    });
  }
  const { aesKey, iv, wipe } = options.randomBytes
    ? { aesKey: options.randomBytes(16), iv: options.randomBytes(16), wipe: () => undefined }
    : takeKeyAndIv();
  const cipher = createCipheriv('aes-128-cbc', aesKey, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const key = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, aesKey);
  const envelope = JSON.stringify({ data: encode64(data), key: encode64(key), iv: encode64(iv) });
  wipe();
  const body = encode64(Buffer.from(envelope, 'utf8'));
  const text = options.boundary ? addBoundary(body, options.boundary) : body;
  return ok({ text, json, license: toLicense(loaded.value) });
}
