/**
 * A license around ANY plaintext, validly signed with the given private key: what a hostile or
 * broken license file can hold that `encodeLicense` would never write (deep nesting, odd JSON).
 */
import { constants, createCipheriv, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { encode64 } from '../../src/core/license/index.js';

export function craftLicense(
  plaintext: string | Buffer,
  privateKey: KeyObject,
  overrides: { key?: Buffer; iv?: Buffer; data?: Buffer; aesKey?: Buffer } = {},
): string {
  const aesKey = overrides.aesKey ?? randomBytes(16);
  const iv = overrides.iv ?? randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', aesKey, iv);
  const data = overrides.data ?? Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const key =
    overrides.key ?? privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, aesKey);
  return encode64(
    Buffer.from(JSON.stringify({ data: encode64(data), key: encode64(key), iv: encode64(iv) })),
  );
}

/** Signed license JSON whose restrictions nest `levels` objects deep (the root is one level more). */
export function deepLicenseJson(levels: number): string {
  return (
    '{"licensee":{"Name":"N","Email":"deep@nest.example"},"issued_at":"2026-01-01","expires_at":"2026-01-11",' +
    `"restrictions":${'{"k":'.repeat(levels)}1${'}'.repeat(levels)}}`
  );
}
