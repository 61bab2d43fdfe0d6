/**
 * Independent cross-check of the format with the openssl command line alone: what Lifeline writes,
 * openssl reads (base64, RSA verify-recover with PKCS#1 type 1, AES-128-CBC), and the other way round.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeLicense, encodeLicense } from '../../../src/core/license/index.js';
import { KEYS_DIR, loadVectors, testPrivateKey, testPublicKey } from '../../helpers/vectors.js';

const hasOpenssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
const PUBLIC_PEM = join(KEYS_DIR, 'test_public.pem');
const PRIVATE_PEM = join(KEYS_DIR, 'test_private.pem');

const work = mkdtempSync(join(tmpdir(), 'lifeline-openssl-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
const file = (name: string): string => join(work, `${++counter}-${name}`);

/** Runs openssl; fails the test with its stderr when it does not exit 0. Returns stdout as bytes. */
function openssl(args: string[], input?: Buffer | string): Buffer {
  const r = spawnSync('openssl', args, { input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** `openssl base64 -d` of text (MIME lines of at most 64 characters, as the format uses 60). */
function base64Decode(text: string): Buffer {
  const path = file('b64.txt');
  writeFileSync(path, text);
  return openssl(['base64', '-d', '-in', path]);
}

/**
 * Reads a license text with openssl only: strip the marker lines, base64 -d the body, take the three
 * members of the envelope, recover the AES key with the public key, decrypt the data.
 */
function opensslDecrypt(text: string): { plaintext: Buffer; aesKey: Buffer; iv: Buffer } {
  const body = text
    .split(/\r?\n/)
    .filter((line) => !/^-*(BEGIN|END) .+ LICENSE-*$/.test(line))
    .map((line) => `${line}\n`)
    .join('');
  const envelope = JSON.parse(base64Decode(body).toString('utf8')) as Record<string, unknown>;
  expect(Object.keys(envelope)).toEqual(['data', 'key', 'iv']);
  const member = (name: string): Buffer => {
    const value = envelope[name];
    expect(typeof value).toBe('string');
    return base64Decode(value as string);
  };
  const keyPath = file('key.bin');
  writeFileSync(keyPath, member('key'));
  const aesKey = openssl([
    'pkeyutl',
    '-verifyrecover',
    '-pubin',
    '-inkey',
    PUBLIC_PEM,
    '-pkeyopt',
    'rsa_padding_mode:pkcs1',
    '-in',
    keyPath,
  ]);
  const iv = member('iv');
  const dataPath = file('data.bin');
  writeFileSync(dataPath, member('data'));
  const plaintext = openssl([
    'enc',
    '-d',
    '-aes-128-cbc',
    '-K',
    aesKey.toString('hex'),
    '-iv',
    iv.toString('hex'),
    '-in',
    dataPath,
  ]);
  return { plaintext, aesKey, iv };
}

const GEM_DEFAULTS = {
  version: 1,
  cloud_licensing_enabled: false,
  offline_cloud_licensing_enabled: false,
  auto_renew_enabled: false,
  seat_reconciliation_enabled: false,
  operational_metrics_enabled: false,
  generated_from_customers_dot: false,
  generated_from_cancellation: false,
};

const CASES: [string, Record<string, unknown>, string | undefined][] = [
  [
    'a 10-day emergency license',
    {
      licensee: { Name: 'Eve Mergency', Company: 'Lapsed Ltd', Email: 'eve@lapsed.example' },
      issued_at: '2026-01-17',
      expires_at: '2026-01-27',
      restrictions: { plan: 'premium', active_user_count: 120, trial: false },
    },
    undefined,
  ],
  [
    'unicode licensee, framed by GitLab markers',
    {
      licensee: { Name: 'Zoë Ångström', Company: 'Ünïcødé — 株式会社テスト 🚀', Email: 'zoe@ü.example' },
      issued_at: '2026-01-01',
      expires_at: '2027-01-01',
      restrictions: {
        plan: 'ultimate',
        active_user_count: 7,
        note: 'line\nbreak "quoted" \\ back\u0001slash',
      },
    },
    'GitLab',
  ],
  [
    'every date, date-time and flag, large restrictions, other markers',
    {
      licensee: { Name: 'Max', Company: 'Full House', Email: 'max@full.example', Extra: 'kept' },
      issued_at: '2026-01-01',
      expires_at: '2027-01-01',
      notify_admins_at: '2026-12-01',
      notify_users_at: '2026-12-15',
      block_changes_at: '2027-01-15',
      next_sync_at: '2026-02-10T12:00:00Z',
      last_synced_at: '2026-01-10T12:00:00Z',
      activated_at: '2026-01-10T12:00:00Z',
      cloud_licensing_enabled: true,
      offline_cloud_licensing_enabled: true,
      auto_renew_enabled: true,
      seat_reconciliation_enabled: true,
      operational_metrics_enabled: true,
      generated_from_customers_dot: true,
      generated_from_cancellation: true,
      restrictions: {
        plan: 'ultimate',
        active_user_count: 5000,
        add_ons: { duo_pro: 100, duo_enterprise: 0 },
        history: Array.from({ length: 200 }, (_, i) => ({ i, seats: i * 3 })),
      },
    },
    'JiHu',
  ],
];

describe.runIf(hasOpenssl)('licenses written by Lifeline read with the openssl command line alone', () => {
  for (const [label, attributes, boundary] of CASES) {
    it(label, () => {
      const encoded = encodeLicense(attributes, testPrivateKey(), boundary ? { boundary } : {});
      if (!encoded.ok) throw new Error(encoded.error.message);
      const { plaintext, aesKey, iv } = opensslDecrypt(encoded.value.text);
      expect(aesKey).toHaveLength(16);
      expect(iv).toHaveLength(16);
      // Exactly the JSON Lifeline says it wrote…
      expect(plaintext.equals(Buffer.from(JSON.stringify(encoded.value.json), 'utf8'))).toBe(true);
      // …which is the input plus the gem's defaults (date-times normalised as the gem does).
      const parsed = JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
      const normalised = JSON.parse(
        JSON.stringify(attributes).replace(/T12:00:00Z/g, 'T12:00:00+00:00'),
      ) as object;
      expect(parsed).toEqual({ ...GEM_DEFAULTS, ...normalised });
    });
  }

  it('every accepted gem vector too (checks this reader against the reference)', () => {
    const accepted = loadVectors().filter((v) => v.expected.expected_outcome === 'accept');
    expect(accepted.length).toBeGreaterThanOrEqual(9);
    for (const v of accepted) {
      const { plaintext } = opensslDecrypt(v.text);
      expect(JSON.parse(plaintext.toString('utf8'))).toEqual(v.expected.gem_verify.attributes);
    }
  });

  it('a license made with openssl alone (pkeyutl -sign, enc -aes-128-cbc) is read by decodeLicense', () => {
    const json = JSON.stringify({
      licensee: { Name: 'Otto', Company: 'OpenSSL Made', Email: 'otto@ssl.example' },
      issued_at: '2026-01-01',
      expires_at: '2026-01-11',
      restrictions: { plan: 'premium', active_user_count: 3 },
    });
    const aesKey = randomBytes(16);
    const iv = randomBytes(16);
    const aesPath = file('aes.bin');
    writeFileSync(aesPath, aesKey);
    const signedKey = openssl([
      'pkeyutl',
      '-sign',
      '-inkey',
      PRIVATE_PEM,
      '-pkeyopt',
      'rsa_padding_mode:pkcs1',
      '-in',
      aesPath,
    ]);
    const data = openssl(
      ['enc', '-aes-128-cbc', '-K', aesKey.toString('hex'), '-iv', iv.toString('hex')],
      json,
    );
    const b64 = (bytes: Buffer): string => openssl(['base64'], bytes).toString('utf8');
    const envelope = JSON.stringify({ data: b64(data), key: b64(signedKey), iv: b64(iv) });
    const text = b64(Buffer.from(envelope));
    const decoded = decodeLicense(text, [testPublicKey()]);
    if (!decoded.ok) throw new Error(`${decoded.error.code}: ${decoded.error.message}`);
    expect(decoded.value.json).toMatchObject({ ...GEM_DEFAULTS, ...(JSON.parse(json) as object) });
  });
});

describe.skipIf(hasOpenssl)('openssl cross-check', () => {
  it('is skipped: the openssl command is not on PATH', () => {
    expect(hasOpenssl).toBe(false);
  });
});
