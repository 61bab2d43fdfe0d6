/** An app built from environment variables, as `lifeline` builds it, on a temporary data dir. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { CalendarDate } from '../../src/core/dates.js';
import { issueEmergencyLicense, type IssueInput } from '../../src/core/issuance/index.js';
import { runWorker, type WorkerOptions } from '../../src/interfaces/worker/run-worker.js';
import { testSigningKey } from '../integration/helpers.js';
import { KEYS_DIR } from '../helpers/vectors.js';
import { unwrap } from '../../src/core/outcome.js';

/** The app, its data dir and the environment it was configured from. */
export async function appWith(
  env: Record<string, string> = {},
): Promise<App & { dataDir: string; env: Record<string, string> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-dlv-'));
  const full = {
    LIFELINE_DATA_DIR: dataDir,
    LIFELINE_ALLOW_PINNED_DATES: 'true',
    LIFELINE_SIGNING_KEY_FILE: testSigningKey(dataDir),
    LIFELINE_VERIFY_KEY_FILES: join(KEYS_DIR, 'test_public.pem'),
    ...env,
  };
  const app = await createApp(loadConfig(full));
  return Object.assign(app, { dataDir, env: full });
}

let ticket = 7000;
export function eligibleInput(overrides: Partial<IssueInput['request']> = {}): IssueInput {
  ticket++;
  return {
    request: {
      ticketId: String(ticket),
      ticketUrl: `https://acme.zendesk.com/agent/tickets/${ticket}`,
      requesterEmail: `ops@customer${ticket}.example`,
      seats: 120,
      plan: 'premium',
      expiresAt: '2026-11-14',
      previousSeats: 100,
      ...overrides,
    },
    actor: { name: 'erin', role: 'engineer' },
    today: '2026-11-28' as CalendarDate,
  };
}

export async function issue(app: App, overrides: Partial<IssueInput['request']> = {}) {
  const input = eligibleInput(overrides);
  // With ZENDESK_URL set (the loopback stand-in), ticket URLs must be on its host (rule 1).
  const base = app.settings.ticketUrlBase;
  if (base && overrides.ticketUrl === undefined) {
    input.request.ticketUrl = `${base.replace(/\/+$/, '')}/agent/tickets/${String(input.request.ticketId)}`;
  }
  const outcome = unwrap(await issueEmergencyLicense(input, app.ports, app.settings));
  if (outcome.kind !== 'issued') throw new Error(`expected issued, got ${outcome.kind}`);
  return outcome.view;
}

/** Drains with short backoffs so fault tests finish in seconds. */
export function drain(app: App, options: WorkerOptions = {}) {
  return runWorker(app, {
    drain: true,
    pollMs: 50,
    ...options,
    settings: { baseBackoffMs: 100, maxBackoffMs: 1_000, random: () => 0.5, ...options.settings },
  });
}
