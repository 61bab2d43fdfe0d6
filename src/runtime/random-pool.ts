/**
 * Random hex strings from OpenSSL's CSPRNG, drawn from a pool refilled 4 KiB at a time: one call into
 * OpenSSL per few hundred values instead of one per value (record ids, request ids and audit salts
 * are made several times per license; a `randomBytes` call each cost about 3% of the event loop in
 * bench http). Bytes are never handed out twice.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let at = POOL_BYTES;

/** `bytes` random bytes (1 to 64) as lower-case hex. */
export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 64)
    throw new RangeError('randomHex takes 1 to 64 bytes');
  if (at + bytes > POOL_BYTES) {
    randomFillSync(pool);
    at = 0;
  }
  const hex = pool.toString('hex', at, at + bytes);
  // Spent bytes are overwritten, so a value cannot be read back from the pool later.
  pool.fill(0, at, at + bytes);
  at += bytes;
  return hex;
}
