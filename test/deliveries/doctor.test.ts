/** `lifeline doctor` checks every integration for real and says what is wrong in words. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMERGENCY_LABEL } from '../../src/adapters/gitlab/tracker.js';
import { ensureBuilt } from '../cli/helpers.js';
import { childEnv, runCli, tempDir } from '../integration/helpers.js';
import { startLoopbackPeers, type LoopbackPeers } from './peers-helper.js';

describe('lifeline doctor against loopback peers', () => {
  let peers: LoopbackPeers;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    ensureBuilt();
    peers = await startLoopbackPeers();
    peers.http.on('GET', '/api/v4/projects/42', {
      body: { id: 42, path_with_namespace: 'support/requests' },
    });
    peers.http.on('GET', `/api/v4/projects/42/labels/${encodeURIComponent(EMERGENCY_LABEL)}`, {
      body: { id: 5, name: EMERGENCY_LABEL },
    });
    peers.http.on('POST', '/api/auth.test', { body: { ok: true, user: 'lifeline', team: 'Support' } });
    peers.http.on('GET', '/api/v2/users/me.json', {
      body: { user: { id: 7, name: 'Lifeline Bot', email: 'agent@support.example', role: 'agent' } },
    });
    const dir = tempDir();
    env = childEnv(dir, `sqlite:${dir}/l.db`, peers.env());
  });
  afterAll(async () => peers.stop());

  it('says every integration is fine when it is', async () => {
    const result = await runCli(['doctor', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: { name: string; ok: boolean; detail: string }[];
    };
    const detail = Object.fromEntries(report.checks.map((c) => [c.name, c.detail]));
    expect(report.ok).toBe(true);
    expect(detail['mail']).toMatch(/SMTP 127\.0\.0\.1:\d+ accepted the connection/);
    expect(detail['tracker']).toContain(`label "${EMERGENCY_LABEL}" exists`);
    expect(detail['chat']).toMatch(/lifeline/);
    expect(detail['tickets']).toContain('Lifeline Bot');
    // Secrets never in the report.
    expect(result.stdout).not.toContain('glpat-test-token-123');
    expect(result.stdout).not.toContain('xoxb-test-token-456');
    expect(result.stdout).not.toContain('zd-test-token-789');
  });

  it('names what is wrong, in words, with exit 3', async () => {
    peers.http.once('GET', '/api/v4/projects/42', { status: 401, body: { message: '401 Unauthorized' } });
    peers.http.once('POST', '/api/auth.test', { body: { ok: false, error: 'invalid_auth' } });
    const result = await runCli(['doctor'], { ...env, SMTP_URL: 'smtp://127.0.0.1:1' });
    expect(result.code).toBe(3);
    // A failing command reports on stderr.
    expect(result.stderr).toMatch(/FAIL\s+mail: .*refused/);
    expect(result.stderr).toMatch(/FAIL\s+tracker: .*401/);
    expect(result.stderr).toMatch(/FAIL\s+chat: .*invalid_auth/);
    expect(result.stderr).toMatch(/ok\s+tickets:/);
    expect(result.stdout + result.stderr).not.toContain('glpat-test-token-123');
  });
});
