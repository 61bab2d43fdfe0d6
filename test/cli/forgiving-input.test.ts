/**
 * The real `lifeline` reads its options forgivingly (src/core/forgiving-input.ts): `#50300` and a
 * pasted ticket link are a ticket, `Ops Team <ops@…>` an address (a Unicode domain in punycode),
 * `1,200` and ` 140 ` numbers; it says on stderr what it understood. What it cannot read still goes
 * to rule 1, which names the field. Relative days are said in words ("in 6 days", "1 day ago").
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, removeTempDirs, runCli, tempDir, withStore } from '../integration/helpers.js';
import { ensureBuilt } from './helpers.js';

let env: NodeJS.ProcessEnv;
let databaseUrl: string;

beforeAll(async () => {
  ensureBuilt();
  const dir = tempDir('lifeline-forgiving-');
  databaseUrl = `sqlite:${join(dir, 'lifeline.db')}`;
  env = childEnv(dir, databaseUrl);
  await withStore(databaseUrl, (store) => store.migrate());
}, 180_000);
afterAll(removeTempDirs);

/** Saturday 2026-11-28; a premium license that expired on `expiresAt`. */
const typed = (expiresAt: string): string[] => [
  ...['--plan', 'premium', '--expires-at', expiresAt, '--today', '2026-11-28'],
];

describe('lifeline reads what people paste', { timeout: 60_000 }, () => {
  it('issue: "#50300", "Ops Team <…>", " 1,200 " and "1,100" are read as meant, and said on stderr', async () => {
    const r = await runCli(
      [
        'issue',
        ...['--ticket', '#50300', '--email', 'Ops Team <Ops@Beta.example>', '--seats', ' 1,200 '],
        ...['--previous-seats', '1,100', ...typed('2026-11-14'), '--no-deliver', '--json'],
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(record).toMatchObject({
      status: 'issued',
      ticketId: '50300',
      requesterEmail: 'ops@beta.example',
      seats: 1200,
    });
    expect(r.stderr).toContain('note: --ticket read as ticket 50300\n');
    expect(r.stderr).toContain('note: --email read as ops@beta.example\n');
    expect(r.stderr).toContain('note: --seats read as 1200\n');
    expect(r.stderr).toContain('note: --previous-seats read as 1100\n');
  });

  it('check: a pasted ticket link is the ticket, an internationalised domain is written in punycode', async () => {
    const link = 'https://acme.zendesk.com/agent/tickets/50301?tab=events';
    const args = ['--ticket', link, '--email', 'ops@bücher.example', '--seats', '140'];
    const r = await runCli(['issue', ...args, ...typed('2026-11-14'), '--no-deliver', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ticketId: '50301',
      ticketUrl: 'https://acme.zendesk.com/agent/tickets/50301',
      requesterEmail: 'ops@xn--bcher-kva.example',
    });
    expect(r.stderr).toContain('note: --ticket read as ticket 50301 (from its link)');
    expect(r.stderr).toContain(
      'note: --email read as ops@xn--bcher-kva.example (bücher.example, written for email)',
    );
    // lookup reads its options the same way.
    const found = await runCli(['lookup', '--ticket', '#50301', '--json'], env);
    expect(found.code, found.stderr).toBe(0);
    expect((JSON.parse(found.stdout) as { requests: { ticketId: string }[] }).requests[0]?.ticketId).toBe(
      '50301',
    );
  });

  it('what cannot be read still reaches rule 1, which names the field (the API stays strict)', async () => {
    const bad = await runCli(
      ['check', '--ticket', 'javascript:alert(1)', '--email', 'ops@beta.example', '--seats', '1.200'].concat(
        typed('2026-11-14'),
      ),
      env,
    );
    expect(bad.code).toBe(1);
    // A refusal is printed on stderr.
    expect(bad.stderr).toMatch(/INPUT_INVALID \(ticketId\)/);
    expect(bad.stderr).toMatch(/INPUT_INVALID \(seats\)/);
    expect(bad.stderr).not.toContain('note:');
    await withStore(databaseUrl, async (store) => {
      expect(await store.findTicketHolder('javascript:alert(1)')).toBeNull();
    });
  });

  it('says relative days in words: "in 6 days", "1 day ago", "today"', async () => {
    const days = async (expiresAt: string): Promise<string> => {
      const r = await runCli(
        ['check', '--ticket', '60000', '--email', 'ops@days.example', '--seats', '10'].concat(
          typed(expiresAt),
        ),
        env,
      );
      return r.stdout + r.stderr;
    };
    // The grace period is 14 days after expiry; today is 2026-11-28.
    const [ahead, yesterday, today] = await Promise.all([
      days('2026-11-20'),
      days('2026-11-13'),
      days('2026-11-14'),
    ]);
    expect(ahead).toContain('grace ends on 2026-12-04 (in 6 days)');
    expect(yesterday).toContain('grace ended on 2026-11-27 (1 day ago)');
    expect(today).toContain('grace ends on 2026-11-28 (today)');
    for (const out of [ahead, yesterday, today]) {
      expect(out).not.toMatch(/-\d+ days? ago|\b1 days\b/);
    }
  });
});
