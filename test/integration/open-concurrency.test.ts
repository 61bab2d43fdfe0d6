/**
 * Several processes opening one fresh SQLite file at the same moment (servers, workers and CLI
 * commands starting together): switching it to WAL may be answered SQLITE_BUSY at once, without the
 * busy timeout; every process must still start.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, REPO_ROOT, tempDir } from './helpers.js';

afterAll(() => removeTempDirs());

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'open-store.mjs');

function openAt(path: string, at: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FIXTURE, path, String(at)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('opening a fresh SQLite database from several processes at once', () => {
  it('8 processes × 6 fresh files: every one opens', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 6; round++) {
      const path = join(tempDir('lifeline-open-'), 'lifeline.db');
      const at = Date.now() + 1500; // after every child has loaded
      const results = await Promise.all(Array.from({ length: 8 }, () => openAt(path, at)));
      for (const r of results) if (r.code !== 0) failures.push(r.out.trim());
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
