/**
 * Bad input to `lifeline issue` (bad email, negative or non-numeric seats, impossible dates, unknown
 * plan, a huge ticket id, a corrupt previous license) gives a clear message naming the field and the
 * documented exit code, and writes nothing; `lifeline audit verify` finds an edited or deleted entry.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { issueEmergencyLicense, type IssueInput } from '../../src/core/issuance/index.js';
import { ensureBuilt } from '../cli/helpers.js';
import { VECTORS_DIR } from '../helpers/vectors.js';
import { childEnv, counts, removeTempDirs, runCli, tempDir, withStore, type CliResult } from './helpers.js';
import { unwrap } from '../../src/core/outcome.js';
import { storeOf } from '../../src/app.js';

const NOTHING = { requests: 0, licenses: 0, deliveries: 0, audit: 0 };

/** A request every rule accepts (Saturday 2026-11-28, a premium license expired Saturday 2026-11-14). */
const VALID: Record<string, string> = {
  '--ticket': 'T-100',
  '--email': 'cust@acme.example',
  '--seats': '100',
  '--plan': 'premium',
  '--expires-at': '2026-11-14',
  '--previous-seats': '100',
  '--today': '2026-11-28',
};

/** `issue` arguments: the valid request with some options changed (null removes one). */
function issueArgs(changes: Record<string, string | null>): string[] {
  const options = { ...VALID, ...changes };
  const args = ['issue'];
  for (const [name, value] of Object.entries(options)) if (value !== null) args.push(name, value);
  return args;
}

let dir: string;
let databaseUrl: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir();
  databaseUrl = `sqlite:${join(dir, 'lifeline.db')}`;
  env = childEnv(dir, databaseUrl);
  await withStore(databaseUrl, (store) => store.migrate());
}, 120_000);
afterAll(() => removeTempDirs());

async function assertNothingWritten(): Promise<void> {
  await withStore(databaseUrl, async (store) => {
    expect(await counts(store)).toEqual(NOTHING);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 0 });
  });
}

interface BadInput {
  what: string;
  changes: Record<string, string | null>;
  exit: 1 | 2;
  /** What stderr must say: the field (and code) refused. */
  says: RegExp[];
}

const BAD_INPUTS: BadInput[] = [
  {
    what: 'an email without "@"',
    changes: { '--email': 'cust.acme.example' },
    exit: 1,
    says: [/INPUT_INVALID \(requesterEmail\)/, /exactly one "@"/],
  },
  {
    what: 'an email with two "@"',
    changes: { '--email': 'cust@acme@example.com' },
    exit: 1,
    says: [/INPUT_INVALID \(requesterEmail\)/],
  },
  {
    what: 'an email without a domain',
    changes: { '--email': 'cust@localhost' },
    exit: 1,
    says: [/INPUT_INVALID \(requesterEmail\)/, /domain/],
  },
  {
    what: 'negative seats',
    changes: { '--seats': '-5' },
    exit: 1,
    says: [/INPUT_INVALID \(seats\)/, /got -5 \(below 1\)/],
  },
  { what: 'zero seats', changes: { '--seats': '0' }, exit: 1, says: [/INPUT_INVALID \(seats\)/] },
  {
    what: 'non-numeric seats',
    changes: { '--seats': 'ten' },
    exit: 1,
    says: [/INPUT_INVALID \(seats\)/, /"ten"/],
  },
  { what: 'fractional seats', changes: { '--seats': '2.5' }, exit: 1, says: [/INPUT_INVALID \(seats\)/] },
  {
    what: 'negative previous seats',
    changes: { '--previous-seats': '-1' },
    exit: 1,
    says: [/INPUT_INVALID \(previousSeats\)/],
  },
  {
    what: 'an impossible expiry date (Feb 30)',
    changes: { '--expires-at': '2026-02-30' },
    exit: 1,
    says: [/INPUT_INVALID \(expiresAt\)/, /2026-02-30/],
  },
  {
    what: 'an expiry date in another format',
    changes: { '--expires-at': '14/11/2026' },
    exit: 1,
    says: [/INPUT_INVALID \(expiresAt\)/],
  },
  {
    what: 'an impossible --today (usage error)',
    changes: { '--today': '2026-02-30' },
    exit: 2,
    says: [/USAGE/, /--today/, /2026-02-30/],
  },
  {
    what: 'a ticket id with spaces and quotes',
    changes: { '--ticket': "T 1'; drop table requests; --" },
    exit: 1,
    says: [/INPUT_INVALID \(ticketId\)/],
  },
  {
    what: 'a 100 KB ticket id on the command line',
    changes: { '--ticket': 'A'.repeat(100_000) },
    exit: 1,
    says: [/INPUT_INVALID \(ticketId\)/, /100000 characters long; at most 64/],
  },
  {
    what: 'a missing previous license file (usage error)',
    changes: { '--previous-license': '/nonexistent/prev.gitlab-license' },
    exit: 2,
    says: [/USAGE/, /cannot read/],
  },
  { what: 'a missing required option', changes: { '--email': null }, exit: 2, says: [/--email/] },
  {
    what: 'an expiry date past 2099 (9999-12-31)',
    changes: { '--expires-at': '9999-12-31' },
    exit: 1,
    says: [/INPUT_INVALID \(expiresAt\)/, /not a possible license expiry/],
  },
];

describe.concurrent('lifeline issue refuses bad input, names the field, and writes nothing', () => {
  for (const bad of BAD_INPUTS) {
    it(`${bad.what} → exit ${bad.exit}`, async () => {
      const result = await runCli(issueArgs(bad.changes), env);
      expect(result.code, result.stderr).toBe(bad.exit);
      for (const pattern of bad.says) expect(result.stderr).toMatch(pattern);
      // A clear message, not an echo of the input or a stack trace.
      expect(result.stderr.length).toBeLessThan(4000);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
      await assertNothingWritten();
    });
  }

  it('a corrupt previous license (not a license at all) → exit 1, previousLicense', async () => {
    const file = join(dir, 'garbage.gitlab-license');
    writeFileSync(file, 'this is not a license\n');
    const result = await runCli(
      issueArgs({ '--previous-license': file, '--plan': null, '--expires-at': null }),
      env,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/INPUT_INVALID \(previousLicense\)/);
    expect(result.stderr).toMatch(/MALFORMED_ENVELOPE/);
    await assertNothingWritten();
  });

  it('a tampered previous license (data altered) → exit 1, previousLicense', async () => {
    const file = join(VECTORS_DIR, 'neg_tampered_data.gitlab-license');
    const result = await runCli(
      issueArgs({ '--previous-license': file, '--plan': null, '--expires-at': null }),
      env,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/INPUT_INVALID \(previousLicense\)/);
    expect(result.stderr).toMatch(/DECRYPT_FAILED|NOT_JSON/);
    await assertNothingWritten();
  });

  it('--json prints exactly one JSON object with the refusal and the field', async () => {
    const result: CliResult = await runCli([...issueArgs({ '--email': 'not-an-email' }), '--json'], env);
    expect(result.code).toBe(1);
    let parsed:
      { eligible?: boolean; id?: unknown; refusals?: { code: string; field?: string }[] } | undefined;
    expect(() => {
      parsed = JSON.parse(result.stdout) as typeof parsed;
    }, `stdout is not one JSON value:\n${result.stdout}`).not.toThrow();
    expect(parsed?.eligible).toBe(false);
    expect(parsed?.id).toBeNull();
    expect(parsed?.refusals).toEqual([
      expect.objectContaining({ code: 'INPUT_INVALID', field: 'requesterEmail' }),
    ]);
    await assertNothingWritten();
  });

  it('a 1 MB ticket id (beyond one argv string, so through the API) → refused, nothing stored', async () => {
    const app = await createApp(loadConfig(env));
    try {
      const input: IssueInput = {
        request: {
          ticketId: 'x'.repeat(1024 * 1024),
          requesterEmail: 'cust@acme.example',
          seats: 100,
          plan: 'premium',
          expiresAt: '2026-11-14',
          previousSeats: 100,
        },
        actor: { name: 't', role: 'engineer' },
        today: '2026-11-28' as CalendarDate,
      };
      const outcome = unwrap(await issueEmergencyLicense(input, app.ports, app.settings));
      expect(outcome.kind).toBe('refused');
      if (outcome.kind !== 'refused') return;
      expect(outcome.view).toBeNull();
      expect(outcome.eligibility.refusals).toEqual([
        expect.objectContaining({ code: 'INPUT_INVALID', field: 'ticketId' }),
      ]);
      const message = outcome.eligibility.refusals[0]?.message ?? '';
      expect(message).toContain('1048576 characters long; at most 64');
      expect(message.length).toBeLessThan(300);
    } finally {
      await app.close();
    }
    await assertNothingWritten();
  });
});

describe('pinned dates need LIFELINE_ALLOW_PINNED_DATES=true', () => {
  it('--today without the setting exits 2 with a sentence naming the setting, on issue and check', async () => {
    const strict = { ...env, LIFELINE_ALLOW_PINNED_DATES: 'false' };
    for (const command of ['issue', 'check']) {
      const args = issueArgs({ '--today': '2030-01-05' });
      args[0] = command;
      const result = await runCli(args, strict);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/--today is accepted only when LIFELINE_ALLOW_PINNED_DATES=true/);
    }
    await assertNothingWritten();
  });

  it('retry has no --today: it decides on the request’s own date', async () => {
    const result = await runCli(['retry', 'req_x', '--today', '2026-11-28'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--today'/);
  });
});

describe('lifeline replace', () => {
  it('issues a corrected license for the same ticket and voids the old one (licensing)', async () => {
    const own = tempDir();
    const url = `sqlite:${join(own, 'lifeline.db')}`;
    const ownEnv = childEnv(own, url);
    const first = await runCli([...issueArgs({ '--ticket': 'R-1' }), '--no-deliver', '--json'], ownEnv);
    expect(first.code, first.stderr).toBe(0);
    const oldId = (JSON.parse(first.stdout) as { id: string }).id;
    const short = await runCli(['replace', oldId, '--reason', 'typo'], ownEnv);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/INPUT_INVALID/);
    expect(short.stderr).toMatch(/at least 20/);
    const replaced = await runCli(
      [
        'replace',
        oldId,
        '--email',
        'right@acme.example',
        '--reason',
        'Issued to the wrong address',
        '--no-deliver',
        '--json',
      ],
      ownEnv,
    );
    expect(replaced.code, replaced.stderr).toBe(0);
    const record = JSON.parse(replaced.stdout) as { id: string; replaces: string; requesterEmail: string };
    expect(record).toMatchObject({ replaces: oldId, requesterEmail: 'right@acme.example' });
    await withStore(url, async (store) => {
      expect(await store.getRequest(oldId)).toMatchObject({ status: 'voided', replacedBy: record.id });
      expect((await store.findTicketHolder('R-1'))?.id).toBe(record.id);
    });
  });
});

describe('lifeline lookup --fingerprint', () => {
  it('finds a license by sha256:<hex> or bare hex, any case; anything else exits with the rule', async () => {
    const own = tempDir();
    const ownEnv = childEnv(own, `sqlite:${join(own, 'lifeline.db')}`);
    const issued = await runCli([...issueArgs({ '--ticket': 'F-1' }), '--no-deliver', '--json'], ownEnv);
    expect(issued.code, issued.stderr).toBe(0);
    const record = JSON.parse(issued.stdout) as { id: string; license: { fingerprint: string } };
    const hex = record.license.fingerprint;
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    for (const given of [`sha256:${hex}`, hex, hex.toUpperCase()]) {
      const found = await runCli(['lookup', '--fingerprint', given, '--json'], ownEnv);
      expect(found.code, `${given}: ${found.stderr}`).toBe(0);
      expect((JSON.parse(found.stdout) as { requests: { id: string }[] }).requests.map((r) => r.id)).toEqual([
        record.id,
      ]);
    }
    const other = await runCli(['lookup', '--fingerprint', 'f'.repeat(64)], ownEnv);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('No request matches.');
    const bad = await runCli(['lookup', '--fingerprint', hex.slice(0, 40)], ownEnv);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/fingerprint: must be sha256:<64 hex digits>/);
  });
});

describe('an unknown plan', () => {
  it("'gold' is refused with NOT_PAID_PLAN (exit 1) and kept as a refused decision that holds no ticket", async () => {
    const own = tempDir();
    const url = `sqlite:${join(own, 'lifeline.db')}`;
    const result = await runCli(issueArgs({ '--plan': 'gold' }), childEnv(own, url));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/NOT_PAID_PLAN \(plan\)/);
    expect(result.stderr).toMatch(/"gold"/);
    const recorded = /Recorded as (req_[0-9a-f]+)\./.exec(result.stderr)?.[1];
    expect(recorded).toBeDefined();
    await withStore(url, async (store) => {
      // Rule 3 is an eligibility refusal, not invalid input: the decision is stored (request +
      // audit entry), but no license, no delivery, and the ticket stays free.
      expect(await counts(store)).toEqual({ requests: 1, licenses: 0, deliveries: 0, audit: 1 });
      const request = await store.getRequest(recorded ?? '');
      expect(request?.status).toBe('refused');
      expect(request?.eligibility.refusals.map((r) => r.code)).toEqual(['NOT_PAID_PLAN']);
      expect(await store.findTicketHolder(VALID['--ticket'] ?? '')).toBeNull();
      const [entry] = await store.listAudit({ requestId: recorded ?? '' });
      expect(entry?.action).toBe('request.refused');
      expect(entry?.details['codes']).toEqual(['NOT_PAID_PLAN']);
      expect(await store.verifyAudit()).toEqual({ ok: true, entries: 1 });
    });
  });
});

describe('lifeline audit verify', () => {
  let original: string;

  /** A copy of the 3-entry database with `tamper` applied, checked by the real CLI. */
  async function verifyCopy(name: string, tamper: string | null): Promise<CliResult> {
    const copyDir = tempDir();
    const copy = join(copyDir, 'lifeline.db');
    copyFileSync(original, copy);
    if (tamper) {
      const db = new BetterSqlite3(copy);
      try {
        expect(db.prepare(tamper).run().changes, name).toBe(1);
      } finally {
        db.close();
      }
    }
    return runCli(['audit', 'verify'], childEnv(copyDir, `sqlite:${copy}`));
  }

  beforeAll(async () => {
    const own = tempDir();
    original = join(own, 'lifeline.db');
    const app: App = await createApp(loadConfig(childEnv(own, `sqlite:${original}`)));
    try {
      for (const n of [1, 2, 3]) {
        const outcome = unwrap(
          await issueEmergencyLicense(
            {
              request: {
                ticketId: `A-${n}`,
                requesterEmail: `it@customer${n}.example`,
                seats: 100,
                plan: 'premium',
                expiresAt: '2026-11-14',
                previousSeats: 100,
              },
              actor: { name: 't', role: 'engineer' },
              today: '2026-11-28' as CalendarDate,
            },
            app.ports,
            app.settings,
          ),
        );
        expect(outcome.kind).toBe('issued');
      }
      expect(await storeOf(app).verifyAudit()).toEqual({ ok: true, entries: 3 });
    } finally {
      await app.close();
    }
    // Closing the last connection checkpoints the WAL into the file, so a plain copy is complete.
    expect(existsSync(`${original}-wal`)).toBe(false);
  });

  it('passes on the intact trail', async () => {
    const result = await verifyCopy('intact', null);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Audit trail intact: 3 entries.');
  });

  it('finds an edited entry (exit 1, names entry 1)', async () => {
    const result = await verifyCopy('edit', "update audit_log set action = 'x' where seq = 1");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/BROKEN at entry 1\b/);
    expect(result.stderr).toMatch(/changed/);
  });

  it('finds the deleted newest entry (exit 1, names entry 3)', async () => {
    const result = await verifyCopy('delete last', 'delete from audit_log where seq = 3');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/BROKEN at entry 3\b/);
    expect(result.stderr).toMatch(/should have 3 entries but has 2/);
  });

  it('finds a deleted middle entry (exit 1, names the missing entry 2)', async () => {
    const result = await verifyCopy('delete middle', 'delete from audit_log where seq = 2');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/BROKEN at entry 3\b/);
    expect(result.stderr).toMatch(/entry 2 is missing/);
  });
});
