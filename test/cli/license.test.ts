import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerLicenseCommands } from '../../src/cli/register/license.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { decodeLicense } from '../../src/core/license/index.js';
import { craftLicense, deepLicenseJson } from '../helpers/crafted-license.js';
import { keyPath, loadVectors, testPrivateKey, testPublicKey, type Vector } from '../helpers/vectors.js';
import {
  OTHER_PUBLIC_KEY,
  TEST_PUBLIC_KEY,
  ensureBuilt,
  makeTempDir,
  parseJsonOutput,
  removeTempDirs,
  runCli,
  securePrivateKeyCopy,
  writeJson,
  type CliResult,
} from './helpers.js';

const vectors = loadVectors();
const vector = (name: string): Vector => {
  const v = vectors.find((x) => x.name === name);
  if (!v) throw new Error(`vector ${name} is missing`);
  return v;
};
/** The license file of a vector (its expected.json names it). */
const licensePathOf = (v: Vector): string =>
  keyPath((v.expected as Vector['expected'] & { license_file: string }).license_file);
const vectorFile = (name: string): string => licensePathOf(vector(name));
/** The fingerprint of PRODUCT.md §5: SHA-256 of the base64 payload without framing lines or whitespace. */
const sha256 = (text: string): string =>
  createHash('sha256')
    .update(text.replace(/^-+(BEGIN|END) [^\n]+ LICENSE-+$/gm, '').replace(/\s+/g, ''), 'utf8')
    .digest('hex');

/** The keys every decode report carries. */
const REPORT_KEYS = [
  'valid',
  'code',
  'message',
  'field',
  'attributes',
  'today',
  'plan',
  'trial',
  'activeUserCount',
  'licensee',
  'issuedAt',
  'expiresAt',
  'expired',
  'graceEndsOn',
  'daysSinceGraceEnd',
  'notifyAdminsAt',
  'notifyUsersAt',
  'blockChangesAt',
  'notifyAdmins',
  'notifyUsers',
  'blockChanges',
  'fingerprint',
  'verifiedBy',
  'issuedBy',
].sort();

const decode = (args: string[], input?: string): Promise<CliResult> =>
  runCli(['license', 'decode', ...args], input === undefined ? {} : { input });

const ATTRIBUTES = {
  licensee: { Name: 'Eve Mergency', Company: 'Lapsed Ltd', Email: 'eve@lapsed.example' },
  issued_at: '2026-01-17',
  expires_at: '2026-01-27',
  restrictions: { plan: 'premium', active_user_count: 120, trial: false },
};

let dir: string;
let privateKey: string;

// Each test spawns the CLI, sometimes several times; a busy machine can make that slow.
vi.setConfig({ testTimeout: 120_000 });

beforeAll(() => {
  ensureBuilt();
  dir = makeTempDir();
  privateKey = securePrivateKeyCopy(dir);
}, 180_000);
afterAll(() => removeTempDirs());

describe('lifeline license decode: every gem vector', () => {
  it('finds the vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15);
  });

  describe.concurrent.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const file = licensePathOf(v);
    const key = keyPath(v.expected.public_key);
    const today = v.expected.reference_date;
    const gem = v.expected.gem_verify;
    const accept = v.expected.expected_outcome === 'accept';

    it(`--json: ${v.expected.expected_outcome}, reported like the gem`, async () => {
      const r = await decode([file, '--public-key', key, '--today', today, '--json']);
      expect(r.code).toBe(accept ? 0 : 1);
      const out = parseJsonOutput(r);
      expect(Object.keys(out).sort()).toEqual(REPORT_KEYS);
      expect(out['valid']).toBe(accept);
      expect(out['today']).toBe(today);
      expect(out['fingerprint']).toBe(sha256(v.text));
      expect(out['issuedBy']).toBeNull();
      if (accept) {
        expect(out['code']).toBeNull();
        expect(out['attributes']).toEqual(gem.attributes);
        expect(JSON.stringify(out['attributes'])).toBe(JSON.stringify(gem.attributes)); // same key order
        expect(out['expired']).toBe(gem.expired);
        expect(out['trial']).toBe(gem.trial);
        expect(out['activeUserCount']).toBe(gem.active_user_count);
        expect(out['plan']).toBe(gem.plan ?? 'starter');
        expect(out['notifyAdmins']).toBe(gem.notify_admins);
        expect(out['notifyUsers']).toBe(gem.notify_users);
        expect(out['blockChanges']).toBe(gem.block_changes);
        expect(out['verifiedBy']).toEqual({ index: 0, path: key });
        expect(out['issuedAt']).toBe(gem.attributes?.['issued_at']);
        expect(out['expiresAt']).toBe(gem.attributes?.['expires_at'] ?? null);
      } else {
        expect(out['code']).toMatch(
          /^(MALFORMED_ENVELOPE|WRONG_KEY|DECRYPT_FAILED|NOT_JSON|UNSUPPORTED_VERSION|INVALID_ATTRIBUTES)$/,
        );
        expect(String(out['message']).length).toBeGreaterThan(10);
        expect(out['verifiedBy']).toBeNull();
        if (v.expected.reject_stage === 'valid?') {
          expect(out['code']).toBe('INVALID_ATTRIBUTES');
          expect(out['field']).toEqual(expect.any(String));
          expect(out['attributes']).toEqual(gem.attributes); // still what was loaded
        } else {
          expect(out['attributes']).toBeNull();
        }
      }
      expect(r.stderr).toBe('');
    });
  });
});

describe.concurrent('lifeline license decode', () => {
  it('shows plan, seats, trial, licensee, dates, grace and key for premium_expired', async () => {
    const r = await decode([
      vectorFile('premium_expired'),
      '--public-key',
      TEST_PUBLIC_KEY,
      '--today',
      '2026-01-15',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Valid license',
        '  Plan:                 premium',
        '  Seats:                100 (active_user_count)',
        '  Trial:                no',
        '  Licensee name:        Paula Paid',
        '  Licensee company:     Expired Corp',
        '  Licensee email:       paula@expired.example',
        '  Issued:               2025-01-05',
        '  Expires:              2026-01-05',
        '  Expired:              yes (as of 2026-01-15)',
        '  Grace ends on:        2026-01-19',
        '  Days since grace end: -4 (grace period ends in 4 days)',
        `  Fingerprint:          sha256:${sha256(vector('premium_expired').text)}`,
        `  Verified by:          ${TEST_PUBLIC_KEY}`,
        '',
      ].join('\n'),
    );
  });

  it('--json for premium_expired: grace ends 14 days after expiry, counted from --today', async () => {
    const r = await decode([
      vectorFile('premium_expired'),
      '--public-key',
      TEST_PUBLIC_KEY,
      '--today',
      '2026-01-25',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(parseJsonOutput(r)).toMatchObject({
      valid: true,
      code: null,
      message: null,
      field: null,
      plan: 'premium',
      trial: false,
      activeUserCount: 100,
      licensee: { name: 'Paula Paid', company: 'Expired Corp', email: 'paula@expired.example' },
      issuedAt: '2025-01-05',
      expiresAt: '2026-01-05',
      expired: true,
      graceEndsOn: '2026-01-19',
      daysSinceGraceEnd: 6,
    });
  });

  it('shows notify and block dates when the license has them', async () => {
    const r = await decode([
      vectorFile('notify_dates'),
      '--public-key',
      TEST_PUBLIC_KEY,
      '--today',
      '2026-01-15',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Notify admins from:   2026-01-04');
    expect(r.stdout).toContain('Notify users from:    2026-01-25');
    expect(r.stdout).toContain('Block changes from:   2026-02-15');
    expect(r.stdout).toContain('Grace ends on:        2026-02-15'); // block_changes_at wins
    const json = parseJsonOutput(
      await decode([
        vectorFile('notify_dates'),
        '--public-key',
        TEST_PUBLIC_KEY,
        '--today',
        '2026-01-15',
        '--json',
      ]),
    );
    expect(json).toMatchObject({
      notifyAdminsAt: '2026-01-04',
      notifyUsersAt: '2026-01-25',
      blockChangesAt: '2026-02-15',
      notifyAdmins: true,
      notifyUsers: false,
      blockChanges: false,
      graceEndsOn: '2026-02-15',
      daysSinceGraceEnd: -31,
    });
  });

  it('a trial has no grace period: it ends on the expiry day', async () => {
    const out = parseJsonOutput(
      await decode([
        vectorFile('ultimate_trial_10d'),
        '--public-key',
        TEST_PUBLIC_KEY,
        '--today',
        '2026-01-22',
        '--json',
      ]),
    );
    expect(out).toMatchObject({
      trial: true,
      expired: true,
      graceEndsOn: '2026-01-20',
      daysSinceGraceEnd: 2,
    });
  });

  it('reads standard input for "-" and when no FILE is given', async () => {
    const v = vector('boundary_gitlab');
    for (const args of [['-'], []]) {
      const r = await decode(
        [...args, '--public-key', TEST_PUBLIC_KEY, '--today', '2026-01-15', '--json'],
        v.text,
      );
      expect(r.code).toBe(0);
      const out = parseJsonOutput(r);
      expect(out['valid']).toBe(true);
      expect(out['attributes']).toEqual(v.expected.gem_verify.attributes);
      expect(out['fingerprint']).toBe(sha256(v.text));
    }
    const empty = await decode(['-', '--public-key', TEST_PUBLIC_KEY, '--json'], '');
    expect(empty.code).toBe(1);
    expect(parseJsonOutput(empty)['code']).toBe('MALFORMED_ENVELOPE');
  });

  it('accepts CRLF line ends, with and without markers, from a file and from stdin', async () => {
    await Promise.all(
      ['boundary_gitlab', 'no_boundary'].map(async (name) => {
        const v = vector(name);
        const crlf = v.text.replace(/\r?\n/g, '\r\n');
        expect(crlf).toContain('\r\n');
        const path = join(dir, `${name}.crlf`);
        writeFileSync(path, crlf);
        const results = await Promise.all([
          decode([path, '--public-key', TEST_PUBLIC_KEY, '--today', '2026-01-15', '--json']),
          decode(['-', '--public-key', TEST_PUBLIC_KEY, '--today', '2026-01-15', '--json'], crlf),
        ]);
        for (const r of results) {
          expect(r.code).toBe(0);
          expect(parseJsonOutput(r)['attributes']).toEqual(v.expected.gem_verify.attributes);
        }
      }),
    );
  });

  it('prints non-ASCII licensee fields as UTF-8', async () => {
    const v = vector('unicode_licensee');
    const r = await decode([licensePathOf(v), '--public-key', TEST_PUBLIC_KEY]);
    expect(r.code).toBe(0);
    const licensee = v.expected.gem_verify.attributes?.['licensee'] as Record<string, string>;
    expect(r.stdout).toContain(`Licensee name:        ${licensee['Name']}\n`);
    expect(r.stdout).toContain(`Licensee company:     ${licensee['Company']}\n`);
  });

  it('ignores a UTF-8 byte order mark in front of the license', async () => {
    const v = vector('boundary_gitlab');
    const path = join(dir, 'bom.gitlab-license');
    writeFileSync(path, `\uFEFF${v.text}`);
    const r = await decode([path, '--public-key', TEST_PUBLIC_KEY, '--json']);
    expect(r.code).toBe(0);
    expect(parseJsonOutput(r)['fingerprint']).toBe(sha256(v.text));
  });

  it('tries every --public-key and says which one verified the license', async () => {
    const file = vectorFile('neg_wrong_key');
    const r = await decode([
      file,
      '--public-key',
      TEST_PUBLIC_KEY,
      '--public-key',
      OTHER_PUBLIC_KEY,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(parseJsonOutput(r)['verifiedBy']).toEqual({ index: 1, path: OTHER_PUBLIC_KEY });
    const human = await decode([file, '--public-key', TEST_PUBLIC_KEY, '--public-key', OTHER_PUBLIC_KEY]);
    expect(human.stdout).toContain(`Verified by:          ${OTHER_PUBLIC_KEY} (key 2 of 2)`);
  });

  it('defaults --today to the current date in UTC', async () => {
    const before = new Date().toISOString().slice(0, 10);
    const r = await decode([vectorFile('premium_expired'), '--public-key', TEST_PUBLIC_KEY, '--json']);
    const after = new Date().toISOString().slice(0, 10);
    expect(r.code).toBe(0);
    expect([before, after]).toContain(parseJsonOutput(r)['today']);
  });

  it('an invalid license exits 1 with the code and a sentence; with --json one object on stdout', async () => {
    const human = await decode([vectorFile('neg_missing_licensee'), '--public-key', TEST_PUBLIC_KEY]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toBe(
      'error [INVALID_ATTRIBUTES]: the license is not valid: licensee must be a non-empty object (field: licensee)\n',
    );
    const json = await decode([vectorFile('neg_tampered_data'), '--public-key', TEST_PUBLIC_KEY, '--json']);
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    expect(parseJsonOutput(json)).toMatchObject({
      valid: false,
      code: 'DECRYPT_FAILED',
      message: expect.stringMatching(/.{10,}/),
      field: null,
      attributes: null,
      expired: null,
    });
  });

  it('a validly signed license nested 5,000 levels deep exits 1 with INVALID_ATTRIBUTES and a sentence, no stack overflow', async () => {
    const deep = join(dir, 'deep.gitlab-license');
    writeFileSync(deep, craftLicense(deepLicenseJson(5_000), testPrivateKey()));
    const human = await decode([deep, '--public-key', TEST_PUBLIC_KEY]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toBe(
      "error [INVALID_ATTRIBUTES]: the license is not valid: restrictions is nested more than 64 levels deep (a license's JSON has three) (field: restrictions)\n",
    );
    const json = await decode([deep, '--public-key', TEST_PUBLIC_KEY, '--json']);
    expect(json.code).toBe(1);
    expect(parseJsonOutput(json)).toMatchObject({
      valid: false,
      code: 'INVALID_ATTRIBUTES',
      field: 'restrictions',
      attributes: null,
    });
  });

  it('refuses a huge file as MALFORMED_ENVELOPE without reading it', async () => {
    const huge = join(dir, 'huge.gitlab-license');
    writeFileSync(huge, Buffer.alloc(5 * 1024 * 1024, 0x41));
    const r = await decode([huge, '--public-key', TEST_PUBLIC_KEY, '--json']);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r)).toMatchObject({ valid: false, code: 'MALFORMED_ENVELOPE', fingerprint: null });
  });

  describe('usage errors exit 2 with a sentence', () => {
    it.each([
      ['no --public-key', [], /--public-key/],
      [
        '--today not a date',
        ['--public-key', TEST_PUBLIC_KEY, '--today', 'tomorrow'],
        /--today must be .*"tomorrow"/,
      ],
      ['--today not a real day', ['--public-key', TEST_PUBLIC_KEY, '--today', '2026-02-30'], /2026-02-30/],
      ['--today in another format', ['--public-key', TEST_PUBLIC_KEY, '--today', '15/01/2026'], /YYYY-MM-DD/],
    ])('%s', async (_label, args, message) => {
      const r = await decode([vectorFile('premium_expired'), ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error \[USAGE\]: /);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });

    it('an unreadable license file (missing, a directory)', async () => {
      const missing = join(dir, 'missing.gitlab-license');
      const [human, json, directory] = await Promise.all([
        decode([missing, '--public-key', TEST_PUBLIC_KEY]),
        decode([missing, '--public-key', TEST_PUBLIC_KEY, '--json']),
        decode([dir, '--public-key', TEST_PUBLIC_KEY]),
      ]);
      expect(human.code).toBe(2);
      expect(human.stderr).toBe(`error [USAGE]: cannot read the license file ${missing}: no such file.\n`);
      expect(json.code).toBe(2);
      expect(parseJsonOutput(json)).toEqual({
        error: { code: 'USAGE', message: expect.stringContaining(missing) },
      });
      expect(directory.code).toBe(2);
      expect(directory.stderr).toContain(`the license file ${dir} is not a file`);
    });

    it('an unknown option (commander) also exits 2, and --help exits 0', async () => {
      const bad = await decode(['--public-key', TEST_PUBLIC_KEY, '--no-such-option']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("unknown option '--no-such-option'");
      const help = await decode(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--public-key <pem>');
      expect(help.stdout).toContain('--today <date>');
    });
  });

  describe('configuration errors exit 3', () => {
    it('a public key file that is not a key', async () => {
      const notKey = keyPath('README.md');
      const r = await decode([vectorFile('premium_expired'), '--public-key', notKey]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /^error \[CONFIG_INVALID\]: the public key file .*README\.md is not a PEM public key/,
      );
    });

    it('a private key given as --public-key, and a missing key file', async () => {
      const priv = await decode([vectorFile('premium_expired'), '--public-key', privateKey, '--json']);
      expect(priv.code).toBe(3);
      expect(parseJsonOutput(priv)).toEqual({
        error: { code: 'CONFIG_INVALID', message: expect.stringMatching(/holds a private key/) },
      });
      const missing = await decode([vectorFile('premium_expired'), '--public-key', join(dir, 'nope.pem')]);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain('nope.pem');
    });
  });
});

describe.concurrent('lifeline license encode', () => {
  const encode = (args: string[], input?: string): Promise<CliResult> =>
    runCli(['license', 'encode', ...args], input === undefined ? {} : { input });

  it('prints the license text exactly, which decode reads back with the public key', async () => {
    const attrs = writeJson(dir, 'attrs.json', ATTRIBUTES);
    const r = await encode(['--private-key', privateKey, attrs]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // A bare body: 60-column base64 lines, each ending in "\n", and nothing after the last one.
    expect(r.stdout).toMatch(/^(?:[A-Za-z0-9+/=]{1,60}\n)+$/);
    const decoded = decodeLicense(r.stdout, [testPublicKey()]);
    expect(decoded.ok).toBe(true);

    const path = join(dir, 'encoded.gitlab-license');
    writeFileSync(path, r.stdout);
    const back = await decode([path, '--public-key', TEST_PUBLIC_KEY, '--today', '2026-01-18', '--json']);
    expect(back.code).toBe(0);
    expect(parseJsonOutput(back)).toMatchObject({
      valid: true,
      plan: 'premium',
      activeUserCount: 120,
      trial: false,
      issuedAt: '2026-01-17',
      expiresAt: '2026-01-27',
      expired: false,
      graceEndsOn: '2026-02-10',
      fingerprint: sha256(r.stdout),
      attributes: {
        version: 1,
        ...ATTRIBUTES,
        cloud_licensing_enabled: false,
        offline_cloud_licensing_enabled: false,
        auto_renew_enabled: false,
        seat_reconciliation_enabled: false,
        operational_metrics_enabled: false,
        generated_from_customers_dot: false,
        generated_from_cancellation: false,
      },
    });
  });

  it('gem vector attributes (unicode, date-times, rich restrictions) encode to what the gem reports', async () => {
    // Every vector is checked in-process in test/core/license/codec.test.ts; here the CLI path.
    const accepted = ['unicode_licensee', 'cloud_offline', 'restrictions_extended'].map(vector);
    await Promise.all(
      accepted.map(async (v) => {
        const attrs = writeJson(dir, `${v.name}.attrs.json`, v.expected.input.attributes);
        const r = await encode(['--private-key', privateKey, attrs, '--json']);
        expect(r.code).toBe(0);
        const out = parseJsonOutput(r);
        expect(out['attributes']).toEqual(v.expected.gem_verify.attributes);
        const decoded = decodeLicense(String(out['text']), [testPublicKey()]);
        expect(decoded.ok && decoded.value.json).toEqual(v.expected.gem_verify.attributes);
      }),
    );
  });

  it('--json prints {text, fingerprint, attributes}', async () => {
    const attrs = writeJson(dir, 'attrs-json.json', ATTRIBUTES);
    const r = await encode(['--private-key', privateKey, attrs, '--json']);
    expect(r.code).toBe(0);
    const out = parseJsonOutput(r);
    expect(Object.keys(out).sort()).toEqual(['attributes', 'fingerprint', 'text']);
    expect(out['fingerprint']).toBe(sha256(String(out['text'])));
    expect(out['attributes']).toMatchObject({ version: 1, ...ATTRIBUTES });
    const decoded = decodeLicense(String(out['text']), [testPublicKey()]);
    expect(decoded.ok && decoded.value.json).toEqual(out['attributes']);
  });

  it('--boundary frames the license with the gem markers: centred in 60 columns, no final newline', async () => {
    const attrs = writeJson(dir, 'attrs-boundary.json', ATTRIBUTES);
    const r = await encode(['--private-key', privateKey, '--boundary', 'GitLab', attrs]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('--------------------BEGIN GITLAB LICENSE--------------------');
    expect(lines.at(-1)).toBe('---------------------END GITLAB LICENSE---------------------');
    expect(lines[0]).toHaveLength(60);
    expect(lines.at(-1)).toHaveLength(60);
    expect(r.stdout.endsWith('\n')).toBe(false);
    expect(lines.slice(1, -1).every((l) => /^[A-Za-z0-9+/=]{1,60}$/.test(l))).toBe(true);
    expect(decodeLicense(r.stdout, [testPublicKey()]).ok).toBe(true);

    // An odd padding puts the extra dash on the left.
    const odd = await encode(['--private-key', privateKey, '--boundary', 'AcmeX', attrs]);
    expect(odd.code).toBe(0);
    const oddLines = odd.stdout.split('\n');
    expect(oddLines[0]).toBe(`${'-'.repeat(21)}BEGIN ACMEX LICENSE${'-'.repeat(20)}`);
    expect(oddLines.at(-1)).toBe(`${'-'.repeat(22)}END ACMEX LICENSE${'-'.repeat(21)}`);
    expect(decodeLicense(odd.stdout, [testPublicKey()]).ok).toBe(true);
  });

  it('refuses an invalid --boundary (exit 2)', async () => {
    const attrs = writeJson(dir, 'attrs-bad-boundary.json', ATTRIBUTES);
    const results = await Promise.all(
      ['Git\nLab', 'X LICENSE'].map((name) =>
        encode(['--private-key', privateKey, '--boundary', name, attrs]),
      ),
    );
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error \[USAGE\]: --boundary must be/);
      expect(r.stdout).toBe('');
    }
  });

  it('reads the attributes from standard input with "-"', async () => {
    const r = await encode(['--private-key', privateKey, '-', '--json'], JSON.stringify(ATTRIBUTES));
    expect(r.code).toBe(0);
    expect(parseJsonOutput(r)['attributes']).toMatchObject(ATTRIBUTES);
  });

  it('invalid attributes exit 1 with the code and the field', async () => {
    const cases: [string, unknown, string, string][] = [
      ['missing licensee', { ...ATTRIBUTES, licensee: undefined }, 'INVALID_ATTRIBUTES', 'licensee'],
      ['no expires_at', { ...ATTRIBUTES, expires_at: undefined }, 'INVALID_ATTRIBUTES', 'expires_at'],
      ['version 2', { ...ATTRIBUTES, version: 2 }, 'UNSUPPORTED_VERSION', 'version'],
      [
        'offline cloud without cloud',
        { ...ATTRIBUTES, offline_cloud_licensing_enabled: true },
        'INVALID_ATTRIBUTES',
        'offline_cloud_licensing_enabled',
      ],
      ['an array', [ATTRIBUTES], 'INVALID_ATTRIBUTES', '(root)'],
    ];
    await Promise.all(
      cases.map(async ([label, attributes, code, field]) => {
        const attrs = writeJson(dir, `invalid-${field}.json`, attributes);
        const json = await encode(['--private-key', privateKey, attrs, '--json']);
        expect(json.code, label).toBe(1);
        expect(parseJsonOutput(json)).toEqual({ error: { code, field, message: expect.any(String) } });
      }),
    );
    const human = await encode(['--private-key', privateKey, join(dir, 'invalid-expires_at.json')]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toBe(
      'error [INVALID_ATTRIBUTES]: expires_at is required (only GitLab and JiHu team licenses may omit it) ' +
        '(field: expires_at)\n',
    );
  });

  it('attributes nested deeper than 64 levels exit 1 naming the attribute', async () => {
    const attrs = join(dir, 'deep-attributes.json');
    writeFileSync(attrs, deepLicenseJson(5_000));
    const r = await encode(['--private-key', privateKey, attrs, '--json']);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r)).toEqual({
      error: {
        code: 'INVALID_ATTRIBUTES',
        field: 'restrictions',
        message: expect.stringMatching(/nested more than 64 levels deep/),
      },
    });
  });

  it('an attributes file that is not JSON, or missing, exits 2', async () => {
    const bad = writeJson(dir, 'bad.json', '{"licensee": ');
    const [r, missing, noArg, noKey] = await Promise.all([
      encode(['--private-key', privateKey, bad]),
      encode(['--private-key', privateKey, join(dir, 'absent.json')]),
      encode(['--private-key', privateKey]),
      encode([writeJson(dir, 'ok.json', ATTRIBUTES)]),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error \[VALIDATION_FAILED\]: the attributes file .*bad\.json is not valid JSON/,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/absent\.json: no such file/);
    expect(noArg.code).toBe(2);
    expect(noArg.stderr).toContain("missing required argument 'attributes'");
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--private-key');
  });

  it('refuses a private key that group or others may read (exit 3), naming the file and chmod 600', async () => {
    const loose = securePrivateKeyCopy(makeTempDir(), 0o644);
    const attrs = writeJson(dir, 'attrs-loose.json', ATTRIBUTES);
    const r = await encode(['--private-key', loose, attrs]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error [KEY_FILE_INSECURE]: the private key file ${loose} has mode 0644, so other users of this machine ` +
        `may read it; restrict it to its owner with: chmod 600 ${loose}\n`,
    );
    const json = await encode(['--private-key', loose, attrs, '--json']);
    expect(json.code).toBe(3);
    expect(parseJsonOutput(json)).toEqual({
      error: { code: 'KEY_FILE_INSECURE', message: expect.any(String) },
    });
  });

  it('refuses a public key as --private-key (exit 3) without printing key material', async () => {
    const pub = join(dir, 'public-as-private.pem');
    writeFileSync(pub, readFileSync(TEST_PUBLIC_KEY), { mode: 0o600 });
    const r = await encode(['--private-key', pub, writeJson(dir, 'attrs-pub.json', ATTRIBUTES)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error \[CONFIG_INVALID\]: .*not a PEM private key/);
    expect(r.stderr).not.toMatch(/[A-Za-z0-9+/]{40,}/);
  });

  it('two runs on the same attributes give different texts that decode to the same attributes', async () => {
    const attrs = writeJson(dir, 'attrs-twice.json', ATTRIBUTES);
    const [a, b] = await Promise.all([
      encode(['--private-key', privateKey, attrs]),
      encode(['--private-key', privateKey, attrs]),
    ]);
    expect(a.stdout).not.toBe(b.stdout);
    const da = decodeLicense(a.stdout, [testPublicKey()]);
    const db = decodeLicense(b.stdout, [testPublicKey()]);
    expect(da.ok && db.ok).toBe(true);
    expect(da.ok && da.value.json).toEqual(db.ok && db.value.json);
  });
});

// Not concurrent: this test captures process.stdout.
describe('license decode in process', () => {
  it('the lookupFingerprint hook reports "issued by Lifeline as request R"; deps.today replaces the clock', async () => {
    const program = new Command('lifeline').exitOverride();
    const asked: string[] = [];
    registerLicenseCommands(program, {
      lookupFingerprint: (fingerprint) => {
        asked.push(fingerprint);
        return { requestId: 'R-42' };
      },
      today: () => '2026-01-15' as CalendarDate,
    });
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const file = vectorFile('premium_expired');
    try {
      await program.parseAsync(['license', 'decode', file, '--public-key', TEST_PUBLIC_KEY, '--json'], {
        from: 'user',
      });
      await program.parseAsync(['license', 'decode', file, '--public-key', TEST_PUBLIC_KEY], {
        from: 'user',
      });
    } finally {
      spy.mockRestore();
      process.exitCode = undefined;
    }
    const fingerprint = sha256(vector('premium_expired').text);
    expect(asked).toEqual([fingerprint, fingerprint]);
    expect(JSON.parse(written[0] ?? '')).toMatchObject({
      today: '2026-01-15',
      issuedBy: { requestId: 'R-42' },
      fingerprint,
    });
    expect(written[1]).toContain('Issued by Lifeline:   request R-42');
  });
});
