import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  generateKeyPair,
  loadPrivateKeyFile,
  loadPublicKeyFiles,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  publicKeyFingerprint,
} from '../../src/adapters/keys/key-files.js';
import { LifelineError } from '../../src/core/errors.js';
import { KEYS_DIR } from '../helpers/vectors.js';
import {
  ensureBuilt,
  makeTempDir,
  parseJsonOutput,
  removeTempDirs,
  runCli,
  securePrivateKeyCopy,
  writeJson,
} from './helpers.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

/** The LifelineError `fn` throws (fails when it throws nothing or something else). */
function thrown(fn: () => unknown): LifelineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LifelineError);
    return error as LifelineError;
  }
  throw new Error('expected a LifelineError, nothing was thrown');
}

const testPrivatePem = (): string => readFileSync(join(KEYS_DIR, 'test_private.pem'), 'utf8');
const BASE64_RUN = /[A-Za-z0-9+/]{40,}/;

const ATTRIBUTES = {
  licensee: { Name: 'Gene Rated', Company: 'Keys Inc.', Email: 'gene@keys.example' },
  issued_at: '2026-01-10',
  expires_at: '2026-01-20',
  restrictions: { plan: 'premium', active_user_count: 40, trial: false },
};

// Each test spawns the CLI, sometimes several times; a busy machine can make that slow.
vi.setConfig({ testTimeout: 120_000 });

beforeAll(() => ensureBuilt(), 180_000);
afterAll(() => removeTempDirs());

describe.concurrent('lifeline keys generate', () => {
  it('writes private.pem (0600, PKCS#8) and public.pem (0644, SPKI), creating the directory 0700', async () => {
    const dir = join(makeTempDir(), 'nested', 'keys');
    const r = await runCli(['keys', 'generate', '--out', dir]);
    expect(r.code).toBe(0);
    const privatePath = join(dir, 'private.pem');
    const publicPath = join(dir, 'public.pem');
    expect(mode(privatePath)).toBe(0o600);
    expect(mode(publicPath)).toBe(0o644);
    expect(mode(dir)).toBe(0o700);

    const privatePem = readFileSync(privatePath, 'utf8');
    const publicPem = readFileSync(publicPath, 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const priv = createPrivateKey(privatePem);
    expect(priv.asymmetricKeyType).toBe('rsa');
    expect(priv.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // The two files are halves of the same pair.
    expect(createPublicKey(priv).export({ type: 'spki', format: 'pem' })).toBe(publicPem);

    // Human output: where the files are and that the private key stays secret, no key material.
    expect(r.stdout).toContain(privatePath);
    expect(r.stdout).toContain(publicPath);
    expect(r.stdout).toMatch(/secret/i);
    for (const line of privatePem.split('\n').slice(1, -2)) expect(r.stdout).not.toContain(line);
    expect(r.stderr).toBe('');
  });

  it('--json prints the paths and the public key fingerprint', async () => {
    const dir = makeTempDir();
    const r = await runCli(['keys', 'generate', '--out', dir, '--json']);
    expect(r.code).toBe(0);
    const out = parseJsonOutput(r);
    expect(out).toEqual({
      privateKeyPath: join(dir, 'private.pem'),
      publicKeyPath: join(dir, 'public.pem'),
      publicKeyFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const pub = createPublicKey(readFileSync(join(dir, 'public.pem')));
    expect(out['publicKeyFingerprint']).toBe(publicKeyFingerprint(pub));
  });

  it('refuses to overwrite an existing key pair and leaves it unchanged (exit 2)', async () => {
    const dir = makeTempDir();
    expect((await runCli(['keys', 'generate', '--out', dir])).code).toBe(0);
    const before = [readFileSync(join(dir, 'private.pem')), readFileSync(join(dir, 'public.pem'))];

    const again = await runCli(['keys', 'generate', '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error \[USAGE\]: .*private\.pem already exists/);
    expect(again.stdout).toBe('');
    expect(readFileSync(join(dir, 'private.pem'))).toEqual(before[0]);
    expect(readFileSync(join(dir, 'public.pem'))).toEqual(before[1]);

    const json = await runCli(['keys', 'generate', '--out', dir, '--json']);
    expect(json.code).toBe(2);
    expect(parseJsonOutput(json)).toEqual({ error: { code: 'USAGE', message: expect.any(String) } });
  });

  it('refuses when only public.pem exists, and then writes no private key either', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'public.pem'), 'placeholder');
    const r = await runCli(['keys', 'generate', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('public.pem already exists');
    expect(existsSync(join(dir, 'private.pem'))).toBe(false);
    expect(readFileSync(join(dir, 'public.pem'), 'utf8')).toBe('placeholder');
  });

  it('without --out is a usage error (exit 2)', async () => {
    const r = await runCli(['keys', 'generate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out');
  });

  it('--help exits 0', async () => {
    const r = await runCli(['keys', 'generate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--out <dir>');
  });

  it('a generated pair writes a license with encode that decode verifies with the public key', async () => {
    const dir = makeTempDir();
    expect((await runCli(['keys', 'generate', '--out', dir])).code).toBe(0);
    const attrs = writeJson(dir, 'attrs.json', ATTRIBUTES);
    const encoded = await runCli(['license', 'encode', '--private-key', join(dir, 'private.pem'), attrs]);
    expect(encoded.code).toBe(0);
    const licensePath = join(dir, 'new.gitlab-license');
    writeFileSync(licensePath, encoded.stdout);

    const decoded = await runCli([
      'license',
      'decode',
      licensePath,
      '--public-key',
      join(dir, 'public.pem'),
      '--today',
      '2026-01-15',
      '--json',
    ]);
    expect(decoded.code).toBe(0);
    const out = parseJsonOutput(decoded);
    expect(out['valid']).toBe(true);
    expect(out['plan']).toBe('premium');
    expect(out['activeUserCount']).toBe(40);
    expect((out['attributes'] as Record<string, unknown>)['licensee']).toEqual(ATTRIBUTES.licensee);

    // …and the vectors' test public key does not verify it.
    const wrong = await runCli([
      'license',
      'decode',
      licensePath,
      '--public-key',
      join(KEYS_DIR, 'test_public.pem'),
      '--json',
    ]);
    expect(wrong.code).toBe(1);
    expect(parseJsonOutput(wrong)['code']).toBe('WRONG_KEY');
  });
});

describe('key files adapter', () => {
  it('generateKeyPair honours 0600/0644 whatever the umask, and never overwrites', () => {
    const dir = makeTempDir();
    const previous = process.umask(0o000);
    let pair;
    try {
      pair = generateKeyPair(join(dir, 'k'));
    } finally {
      process.umask(previous);
    }
    expect(mode(pair.privatePath)).toBe(0o600);
    expect(mode(pair.publicPath)).toBe(0o644);
    const error = thrown(() => generateKeyPair(join(dir, 'k')));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain(pair.privatePath);
  });

  it('loadPrivateKeyFile refuses a key file group or others may read, naming the path and chmod 600', () => {
    const dir = makeTempDir();
    for (const bits of [0o644, 0o640, 0o604, 0o620, 0o660]) {
      const path = securePrivateKeyCopy(dir, bits);
      const error = thrown(() => loadPrivateKeyFile(path));
      expect(error.code).toBe('KEY_FILE_INSECURE');
      expect(error.message).toContain(path);
      expect(error.message).toContain(`chmod 600 ${path}`);
      expect(error.message).toContain(`0${bits.toString(8)}`);
    }
    for (const bits of [0o600, 0o400]) {
      const key = loadPrivateKeyFile(securePrivateKeyCopy(dir, bits));
      expect(key.type).toBe('private');
      expect(key.asymmetricKeyType).toBe('rsa');
    }
  });

  it('loadPrivateKeyFile refuses a missing file, a directory and a public key with CONFIG_INVALID', () => {
    const dir = makeTempDir();
    const missing = thrown(() => loadPrivateKeyFile(join(dir, 'nope.pem')));
    expect(missing.code).toBe('CONFIG_INVALID');
    expect(missing.message).toMatch(/does not exist/);
    expect(thrown(() => loadPrivateKeyFile(dir)).code).toBe('CONFIG_INVALID');

    const pub = join(dir, 'pub.pem');
    writeFileSync(pub, readFileSync(join(KEYS_DIR, 'test_public.pem')));
    chmodSync(pub, 0o600);
    const error = thrown(() => loadPrivateKeyFile(pub));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/not a PEM private key.*public key/);
  });

  it('parsePrivateKeyPem accepts PKCS#8, PKCS#1 and one-line "\\n"-escaped PEM (environment variables)', () => {
    const pkcs8 = testPrivatePem();
    const reference = createPrivateKey(pkcs8).export({ type: 'pkcs8', format: 'der' });
    const pkcs1 = createPrivateKey(pkcs8).export({ type: 'pkcs1', format: 'pem' }) as string;
    for (const pem of [pkcs8, pkcs1, pkcs8.replace(/\n/g, '\\n'), `\uFEFF${pkcs8}\n\n`]) {
      expect(parsePrivateKeyPem(pem, 'LIFELINE_KEY').export({ type: 'pkcs8', format: 'der' })).toEqual(
        reference,
      );
    }
  });

  it('parsePrivateKeyPem refuses non-RSA, short, encrypted, damaged keys, and never quotes the key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const encrypted = createPrivateKey(testPrivatePem()).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    }) as string;
    const damaged = testPrivatePem().replace(
      /^(-----BEGIN PRIVATE KEY-----\n)(.{20})/,
      '$1AAAAAAAAAAAAAAAAAAAA',
    );
    const cases: [string, RegExp][] = [
      [ec, /is a ec key; GitLab licenses are written with an RSA key/],
      [short, /1024 bits; at least 2048/],
      [encrypted, /passphrase/],
      [damaged, /cannot be read as a PEM private key/],
      ['', /is not a PEM private key/],
      ['hello', /is not a PEM private key/],
    ];
    for (const [pem, message] of cases) {
      const error = thrown(() => parsePrivateKeyPem(pem, 'LIFELINE_KEY'));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/^LIFELINE_KEY /);
      expect(error.message).not.toMatch(BASE64_RUN);
    }
  });

  it('loadPublicKeyFiles reads public keys and certificates in order, refusing private keys and other files', () => {
    const dir = makeTempDir();
    const keys = loadPublicKeyFiles([join(KEYS_DIR, 'test_public.pem'), join(KEYS_DIR, 'other_public.pem')]);
    expect(keys.map((k) => k.type)).toEqual(['public', 'public']);
    expect(publicKeyFingerprint(keys[0]!)).toBe(publicKeyFingerprint(createPrivateKey(testPrivatePem())));
    expect(publicKeyFingerprint(keys[0]!)).not.toBe(publicKeyFingerprint(keys[1]!));

    const pkcs1 = createPublicKey(readFileSync(join(KEYS_DIR, 'test_public.pem'))).export({
      type: 'pkcs1',
      format: 'pem',
    }) as string;
    expect(publicKeyFingerprint(parsePublicKeyPem(pkcs1))).toBe(publicKeyFingerprint(keys[0]!));

    const privatePath = join(dir, 'private.pem');
    writeFileSync(privatePath, testPrivatePem(), { mode: 0o600 });
    const priv = thrown(() => loadPublicKeyFiles([privatePath]));
    expect(priv.code).toBe('CONFIG_INVALID');
    expect(priv.message).toMatch(/holds a private key/);
    expect(priv.message).not.toMatch(BASE64_RUN);

    const readme = thrown(() => loadPublicKeyFiles([join(KEYS_DIR, 'README.md')]));
    expect(readme.code).toBe('CONFIG_INVALID');
    expect(readme.message).toContain('README.md');
    expect(thrown(() => loadPublicKeyFiles([join(dir, 'missing.pem')])).code).toBe('CONFIG_INVALID');
    expect(thrown(() => loadPublicKeyFiles([])).code).toBe('USAGE');
  });

  it('parsePublicKeyPem takes the key of an X.509 certificate', () => {
    const dir = makeTempDir();
    const keyPath = join(dir, 'k.pem');
    writeFileSync(keyPath, testPrivatePem(), { mode: 0o600 });
    const certPath = join(dir, 'cert.pem');
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-new', '-key', keyPath, '-subj', '/CN=lifeline-test', '-days', '1', '-out', certPath],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    const key = loadPublicKeyFiles([certPath])[0]!;
    expect(publicKeyFingerprint(key)).toBe(publicKeyFingerprint(createPrivateKey(testPrivatePem())));
  });
});
