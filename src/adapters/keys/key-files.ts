/**
 * Key files: reading the RSA private key licenses are written with, the public keys they are checked
 * with, and making a new key pair. The only place Lifeline touches key material on disk.
 *
 * Every refusal is a LifelineError naming the file and the fix; no message ever contains key
 * material (nor OpenSSL's own error text, which could quote it).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { LifelineError } from '../../core/errors.js';

/** RSA keys shorter than this are refused for writing licenses (GitLab's own key is 2048 bits). */
export const MIN_PRIVATE_KEY_BITS = 2048;
/** A PEM key file is a few KB; anything larger is not a key file. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

const PRIVATE_PEM = /-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/;
const CERTIFICATE_PEM = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----/;

interface Errno {
  code?: string;
}
const errnoCode = (error: unknown): string => (error as Errno | null)?.code ?? 'unknown error';

function describeFsError(error: unknown): string {
  switch (errnoCode(error)) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return `it cannot be read (${errnoCode(error)})`;
  }
}

/**
 * Reads a small regular file through one file descriptor (so the mode checked is the mode of the
 * file read). `checkMode` runs on its stat before anything is read.
 */
function readKeyFile(path: string, what: string, checkMode?: (mode: number) => void): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new LifelineError(
      'CONFIG_INVALID',
      `cannot open the ${what} file ${path}: ${describeFsError(error)}.`,
      {
        cause: error,
      },
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new LifelineError('CONFIG_INVALID', `the ${what} file ${path} is not a regular file.`);
    }
    if (stat.size > MAX_KEY_FILE_BYTES) {
      throw new LifelineError(
        'CONFIG_INVALID',
        `the ${what} file ${path} is ${stat.size} bytes; a PEM key file is a few KB, so this is not one.`,
      );
    }
    checkMode?.(stat.mode);
    try {
      return readFileSync(fd, 'utf8');
    } catch (error) {
      throw new LifelineError(
        'CONFIG_INVALID',
        `cannot read the ${what} file ${path}: ${describeFsError(error)}.`,
        {
          cause: error,
        },
      );
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A PEM given as text, e.g. in an environment variable. Where a platform stored it on one line with
 * literal "\n" sequences, those are turned back into line breaks.
 */
function normalisePem(pem: string): string {
  const text = pem.replace(/^\uFEFF/, '').trim();
  return !text.includes('\n') && text.includes('\\n') ? text.replace(/(?:\\r)?\\n/g, '\n') : text;
}

/**
 * An RSA private key from PEM text (PKCS#8 "BEGIN PRIVATE KEY" or PKCS#1 "BEGIN RSA PRIVATE KEY"),
 * unencrypted, at least 2048 bits. `source` names where it came from, for messages (e.g. an
 * environment variable's name); the key itself is never quoted.
 */
export function parsePrivateKeyPem(pem: string, source = 'the private key'): KeyObject {
  const text = normalisePem(pem);
  if (!PRIVATE_PEM.test(text)) {
    const hint = /-----BEGIN (?:RSA )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text)
      ? ' (it holds a public key or certificate; licenses are written with the private key)'
      : '';
    throw new LifelineError('CONFIG_INVALID', `${source} is not a PEM private key${hint}.`);
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new LifelineError(
      'CONFIG_INVALID',
      `${source} is protected by a passphrase; give an unencrypted PKCS#8 key ` +
        `(openssl pkcs8 -topk8 -nocrypt -in KEY -out private.pem) kept in a file of mode 0600.`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    throw new LifelineError('CONFIG_INVALID', `${source} cannot be read as a PEM private key (damaged?).`, {
      cause: errnoCode(error),
    });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new LifelineError(
      'CONFIG_INVALID',
      `${source} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; GitLab licenses are written with an RSA key.`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_PRIVATE_KEY_BITS) {
    throw new LifelineError(
      'CONFIG_INVALID',
      `${source} is an RSA key of ${bits} bits; at least ${MIN_PRIVATE_KEY_BITS} are required.`,
    );
  }
  return key;
}

/** POSIX permission bits for group and others. */
const GROUP_OTHER_BITS = 0o077;

/**
 * The RSA private key in the PEM file at `path`. Refuses a file that group or others may read or
 * write (KEY_FILE_INSECURE), and anything that is not an unencrypted RSA private key (CONFIG_INVALID).
 */
export function loadPrivateKeyFile(path: string): KeyObject {
  const pem = readKeyFile(path, 'private key', (mode) => {
    if (process.platform !== 'win32' && (mode & GROUP_OTHER_BITS) !== 0) {
      const octal = (mode & 0o777).toString(8).padStart(4, '0');
      throw new LifelineError(
        'KEY_FILE_INSECURE',
        `the private key file ${path} has mode ${octal}, so other users of this machine may read it; ` +
          `restrict it to its owner with: chmod 600 ${path}`,
      );
    }
  });
  return parsePrivateKeyPem(pem, `the private key file ${path}`);
}

/** An RSA public key from PEM text: "BEGIN PUBLIC KEY", "BEGIN RSA PUBLIC KEY" or a certificate. */
export function parsePublicKeyPem(pem: string, source = 'the public key'): KeyObject {
  const text = normalisePem(pem);
  if (PRIVATE_PEM.test(text)) {
    // createPublicKey would quietly derive the public half; a private key does not belong here.
    throw new LifelineError(
      'CONFIG_INVALID',
      `${source} holds a private key; give its public key instead ` +
        `(openssl pkey -in PRIVATE.pem -pubout -out public.pem).`,
    );
  }
  const notPublic = (cause?: unknown): LifelineError =>
    new LifelineError(
      'CONFIG_INVALID',
      `${source} is not a PEM public key or certificate (expected a "BEGIN PUBLIC KEY" block).`,
      { cause },
    );
  const isCertificate = CERTIFICATE_PEM.test(text);
  if (!isCertificate && !/-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(text)) throw notPublic();
  let key: KeyObject;
  try {
    key = isCertificate ? new X509Certificate(text).publicKey : createPublicKey({ key: text, format: 'pem' });
  } catch (error) {
    throw notPublic(errnoCode(error));
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new LifelineError(
      'CONFIG_INVALID',
      `${source} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; GitLab licenses are checked with an RSA key.`,
    );
  }
  return key;
}

/** The RSA public keys in the PEM files at `paths`, in the same order. */
export function loadPublicKeyFiles(paths: readonly string[]): KeyObject[] {
  if (paths.length === 0) {
    throw new LifelineError('USAGE', 'no public key file was given to check licenses with.');
  }
  return paths.map((path) =>
    parsePublicKeyPem(readKeyFile(path, 'public key'), `the public key file ${path}`),
  );
}

/** SHA-256 of a public key's DER (SubjectPublicKeyInfo), hex: a short way to tell keys apart. */
export function publicKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export interface GeneratedKeyPair {
  privatePath: string;
  publicPath: string;
  /** `publicKeyFingerprint` of the new public key. */
  publicKeyFingerprint: string;
}

export const PRIVATE_KEY_FILE = 'private.pem';
export const PUBLIC_KEY_FILE = 'public.pem';

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw new LifelineError('CONFIG_INVALID', `cannot inspect ${path}: ${describeFsError(error)}.`, {
      cause: error,
    });
  }
}

function refuseOverwrite(path: string): LifelineError {
  return new LifelineError(
    'USAGE',
    `${path} already exists; Lifeline never overwrites a key file. Choose another --out directory ` +
      `or move the existing keys away first.`,
  );
}

/** Creates `path` (failing if it exists), writes `text` and sets `mode` regardless of the umask. */
function writeNewFile(path: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', mode);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') throw refuseOverwrite(path);
    throw new LifelineError('CONFIG_INVALID', `cannot create ${path}: ${describeFsError(error)}.`, {
      cause: error,
    });
  }
  try {
    fchmodSync(fd, mode);
    writeSync(fd, text);
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    throw new LifelineError('CONFIG_INVALID', `cannot write ${path}: ${describeFsError(error)}.`, {
      cause: error,
    });
  }
  closeSync(fd);
}

/**
 * A new RSA-2048 key pair in `dir`: `private.pem` (PKCS#8, mode 0600, created exclusively so it is
 * never readable by others, not even for a moment) and `public.pem` (SPKI, mode 0644). Creates the
 * directory (mode 0700) when missing. Never overwrites: if either file exists nothing is written.
 */
export function generateKeyPair(dir: string): GeneratedKeyPair {
  const root = resolve(dir);
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LifelineError(
      'CONFIG_INVALID',
      `cannot create the directory ${root}: ${describeFsError(error)}.`,
      {
        cause: error,
      },
    );
  }
  const privatePath = join(root, PRIVATE_KEY_FILE);
  const publicPath = join(root, PUBLIC_KEY_FILE);
  for (const path of [privatePath, publicPath]) if (exists(path)) throw refuseOverwrite(path);

  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeNewFile(privatePath, pair.privateKey, 0o600);
  try {
    writeNewFile(publicPath, pair.publicKey, 0o644);
  } catch (error) {
    unlinkSync(privatePath); // all or nothing: a private key without its public half is useless
    throw error;
  }
  return {
    privatePath,
    publicPath,
    publicKeyFingerprint: publicKeyFingerprint(createPublicKey(pair.publicKey)),
  };
}
