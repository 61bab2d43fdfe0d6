/**
 * Why a license text was refused. Every damaged input ends in one of these codes; the reader never
 * throws. The code → HTTP status / CLI exit table lives in `src/core/errors.ts`.
 */
export type LicenseErrorCode =
  /** The text is empty, too large, not base64 of a JSON envelope, or the envelope lacks data/key/iv. */
  | 'MALFORMED_ENVELOPE'
  /** None of the public keys recovers the AES key: the license was signed by another private key. */
  | 'WRONG_KEY'
  /** The AES key was recovered but the data does not decrypt (tampered, truncated, bad IV or key size). */
  | 'DECRYPT_FAILED'
  /** The decrypted data is not JSON (or not UTF-8). */
  | 'NOT_JSON'
  /** `version` is present and not 1. */
  | 'UNSUPPORTED_VERSION'
  /** Decrypted and loaded, but the gem's `valid?` is false; `field` names the attribute. */
  | 'INVALID_ATTRIBUTES'
  /** The key given to write with is not an RSA private key. */
  | 'KEY_UNUSABLE';

export interface LicenseError {
  code: LicenseErrorCode;
  message: string;
  /** The attribute at fault, for INVALID_ATTRIBUTES (and `version` for UNSUPPORTED_VERSION). */
  field?: string;
}
