/**
 * EXPERIMENT, not used by Lifeline: `encodeLicense` of src/core/license/codec.ts with the change
 * proposed from the license bench, to measure it (`BENCH_LICENSE_ENCODER=proposed npm run bench`).
 * The bench owner may not edit the core; delete this file once the change is made there (or refused).
 *
 * The change: the AES key and IV come from a pooled block of CSPRNG output, 32 bytes per license,
 * instead of two `randomBytes(16)` calls. Each `randomBytes` call costs several microseconds of Node
 * job set-up and OpenSSL RAND locking, about as much as the AES encryption itself; one 2 KiB call
 * serves 64 licenses. Used bytes are wiped once the license is written, so the pool only ever holds
 * keys not handed out yet. An injected `options.randomBytes` (tests, vectors) is still called twice
 * with 16, exactly as before, so every test vector stays byte-identical.
 *
 * Everything else is the current code, line for line.
 */
import { constants, createCipheriv, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import {
  addBoundary,
  encode64,
  loadAttributes,
  toLicense,
  toLicenseJson,
  validateAttributes,
  type EncodedLicense,
  type EncodeOptions,
  type LicenseError,
} from '../../src/core/license/index.js';
import { err, ok, type Result } from '../../src/core/result.js';

/** 64 licenses' worth of AES key + IV. */
const RANDOM_POOL_BYTES = 32 * 64;
let randomPool = Buffer.alloc(0);
let randomOffset = RANDOM_POOL_BYTES;

/** The next unused 32 bytes of the pool (refilled from the CSPRNG when used up), and where they are. */
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

export function encodeLicenseProposed(
  attributes: unknown,
  privateKey: KeyObject,
  options: EncodeOptions = {},
): Result<EncodedLicense, LicenseError> {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    return err({ code: 'KEY_UNUSABLE', message: 'licenses are written with an RSA private key' });
  }
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
  // CHANGED: was `const random = options.randomBytes ?? randomBytes; aesKey = random(16); iv = random(16);`
  const { aesKey, iv, wipe } = options.randomBytes
    ? { aesKey: options.randomBytes(16), iv: options.randomBytes(16), wipe: () => undefined }
    : takeKeyAndIv();
  const cipher = createCipheriv('aes-128-cbc', aesKey, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(json), 'utf8'), cipher.final()]);
  const key = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, aesKey);
  const envelope = JSON.stringify({ data: encode64(data), key: encode64(key), iv: encode64(iv) });
  wipe(); // CHANGED: the key and IV are in the cipher and the envelope now
  const body = encode64(Buffer.from(envelope, 'utf8'));
  const text = options.boundary ? addBoundary(body, options.boundary) : body;
  return ok({ text, json, license: toLicense(loaded.value) });
}
