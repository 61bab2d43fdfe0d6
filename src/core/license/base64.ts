/**
 * Base64 the way Ruby's `Base64.encode64` / `Base64.decode64` (pack/unpack "m") do it, which is how
 * the gitlab-license gem writes and reads every layer of a license.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const TABLE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) TABLE[ALPHABET.charCodeAt(i)] = i;
const EQ = '='.charCodeAt(0);

/** Standard base64 in lines of 60 characters, every line (the last included) ending in "\n". */
export function encode64(bytes: Uint8Array): string {
  const flat = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let out = '';
  for (let i = 0; i < flat.length; i += 60) out += flat.slice(i, i + 60) + '\n';
  return out;
}

/**
 * Lenient decoding, byte for byte what Ruby's unpack("m") does: characters outside the alphabet are
 * skipped, an "=" in the third or fourth place of a group ends the data, a trailing partial group
 * of two or three characters yields its whole bytes. Never throws. Works on UTF-16 code units:
 * anything that is not ASCII is outside the alphabet anyway.
 */
export function decode64(text: string): Buffer {
  const out = Buffer.allocUnsafe(Math.floor((text.length * 3) / 4) + 3);
  let o = 0;
  let i = 0;
  const n = text.length;
  const code = (k: number): number => {
    const c = text.charCodeAt(k);
    return c < 256 ? (TABLE[c] as number) : -1;
  };
  let a = -1;
  let b = -1;
  let c = -1;
  for (;;) {
    a = b = c = -1;
    let d = -1;
    while (i < n && (a = code(i)) === -1) i++;
    if (i >= n) break;
    i++;
    while (i < n && (b = code(i)) === -1) i++;
    if (i >= n) break;
    i++;
    while (i < n && (c = code(i)) === -1) {
      if (text.charCodeAt(i) === EQ) break;
      i++;
    }
    if (i >= n || text.charCodeAt(i) === EQ) break;
    i++;
    while (i < n && (d = code(i)) === -1) {
      if (text.charCodeAt(i) === EQ) break;
      i++;
    }
    if (i >= n || text.charCodeAt(i) === EQ) break;
    i++;
    out[o++] = ((a << 2) | (b >> 4)) & 0xff;
    out[o++] = ((b << 4) | (c >> 2)) & 0xff;
    out[o++] = ((c << 6) | d) & 0xff;
    a = -1;
  }
  if (a !== -1 && b !== -1) {
    out[o++] = ((a << 2) | (b >> 4)) & 0xff;
    if (c !== -1) out[o++] = ((b << 4) | (c >> 2)) & 0xff;
  }
  return out.subarray(0, o);
}
