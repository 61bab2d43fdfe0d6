/**
 * The license `lifeline issue` writes decodes, with `lifeline license decode` and with the openssl
 * command line alone, to exactly the JSON of PRODUCT.md §5 for the given date, seats and email.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/helpers.js';
import { childEnv, removeTempDirs, runCli, TEST_PUBLIC_KEY, tempDir, withStore } from './helpers.js';

const TODAY = '2026-11-28';
const SEATS = 137;
const EMAIL = 'cust@acme.example';

/** PRODUCT.md §5, literally (key order as the gem writes it). */
const EXPECTED = {
  version: 1,
  licensee: { Name: 'Emergency Trial', Company: 'Emergency Trial License', Email: EMAIL },
  issued_at: TODAY,
  expires_at: '2026-12-08',
  cloud_licensing_enabled: false,
  offline_cloud_licensing_enabled: false,
  auto_renew_enabled: false,
  seat_reconciliation_enabled: false,
  operational_metrics_enabled: false,
  generated_from_customers_dot: false,
  generated_from_cancellation: false,
  restrictions: { active_user_count: SEATS, plan: 'ultimate', trial: true },
};
const EXPECTED_TEXT =
  '{"version":1,"licensee":{"Name":"Emergency Trial","Company":"Emergency Trial License","Email":"cust@acme.example"},' +
  '"issued_at":"2026-11-28","expires_at":"2026-12-08","cloud_licensing_enabled":false,' +
  '"offline_cloud_licensing_enabled":false,"auto_renew_enabled":false,"seat_reconciliation_enabled":false,' +
  '"operational_metrics_enabled":false,"generated_from_customers_dot":false,"generated_from_cancellation":false,' +
  '"restrictions":{"active_user_count":137,"plan":"ultimate","trial":true}}';

interface IssuedRecord {
  id: string;
  status: string;
  existing: boolean;
  license: {
    text: string;
    fileName: string;
    issuedAt: string;
    expiresAt: string;
    seats: number;
    fingerprint: string;
  };
  deliveries: { channel: string; status: string }[];
}

let dir: string;
let databaseUrl: string;
let record: IssuedRecord;
let licenseFile: string;

function openssl(args: string[], input?: Buffer): Buffer {
  const result = spawnSync('openssl', args, { input: input ?? Buffer.alloc(0), cwd: dir });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir();
  databaseUrl = `sqlite:${join(dir, 'lifeline.db')}`;
  const result = await runCli(
    [
      'issue',
      '--ticket',
      '90210',
      '--email',
      EMAIL,
      '--seats',
      String(SEATS),
      '--plan',
      'premium',
      '--expires-at',
      '2026-11-14',
      '--previous-seats',
      '120',
      '--today',
      TODAY,
      '--json',
    ],
    childEnv(dir, databaseUrl),
  );
  expect(result.code, result.stderr).toBe(0);
  record = JSON.parse(result.stdout) as IssuedRecord;
  licenseFile = join(dir, record.license.fileName);
  writeFileSync(licenseFile, record.license.text);
}, 120_000);
afterAll(() => removeTempDirs());

describe('the license from lifeline issue', () => {
  it('is recorded as issued, named GitLab_Emergency_Trial_<date>.gitlab-license', async () => {
    expect(record.status).toBe('issued');
    expect(record.existing).toBe(false);
    expect(record.license.fileName).toBe(`GitLab_Emergency_Trial_${TODAY}.gitlab-license`);
    expect(record.license).toMatchObject({ issuedAt: TODAY, expiresAt: '2026-12-08', seats: SEATS });
    expect(record.deliveries.map((d) => d.channel).sort()).toEqual(['chat', 'email', 'ticket', 'tracker']);
    // The stored text is the text printed (and its fingerprint is what lookups match).
    await withStore(databaseUrl, async (store) => {
      const stored = await store.getLicenseForRequest(record.id);
      expect(stored?.text).toBe(record.license.text);
      expect(stored?.fingerprint).toBe(record.license.fingerprint);
    });
  });

  it('decodes with `lifeline license decode` to exactly the §5 JSON', async () => {
    const result = await runCli(
      ['license', 'decode', licenseFile, '--public-key', TEST_PUBLIC_KEY, '--today', TODAY, '--json'],
      childEnv(tempDir(), `sqlite:${join(dir, 'unused.db')}`),
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      attributes: unknown;
      plan: string;
      trial: boolean;
      activeUserCount: number;
      expired: boolean;
    };
    expect(report.valid).toBe(true);
    // Same keys, same values, same order.
    expect(JSON.stringify(report.attributes)).toBe(JSON.stringify(EXPECTED));
    expect(report).toMatchObject({ plan: 'ultimate', trial: true, activeUserCount: SEATS, expired: false });
  });

  it('decodes with the openssl command line alone to exactly the §5 JSON text', () => {
    expect(JSON.stringify(EXPECTED)).toBe(EXPECTED_TEXT);
    // The file: base64 (60-column lines) of the JSON envelope {"data","key","iv"}.
    expect(record.license.text.split('\n').every((l) => l.length <= 60)).toBe(true);
    const envelope = JSON.parse(
      openssl(['base64', '-d'], readFileSync(licenseFile)).toString('utf8'),
    ) as Record<string, string>;
    expect(Object.keys(envelope)).toEqual(['data', 'key', 'iv']);
    const field = (name: string): Buffer => openssl(['base64', '-d'], Buffer.from(envelope[name] ?? ''));
    const keyFile = join(dir, 'key.bin');
    writeFileSync(keyFile, field('key'));
    // The AES key, recovered with the PUBLIC key (the private key transformed it, PKCS#1 v1.5 type 1).
    const aesKey = openssl([
      'pkeyutl',
      '-verifyrecover',
      '-pubin',
      '-inkey',
      TEST_PUBLIC_KEY,
      '-pkeyopt',
      'rsa_padding_mode:pkcs1',
      '-in',
      keyFile,
    ]);
    expect(aesKey).toHaveLength(16);
    const iv = field('iv');
    expect(iv).toHaveLength(16);
    const plain = openssl(
      ['enc', '-d', '-aes-128-cbc', '-K', aesKey.toString('hex'), '-iv', iv.toString('hex')],
      field('data'),
    );
    expect(plain.toString('utf8')).toBe(EXPECTED_TEXT);
  });
});
