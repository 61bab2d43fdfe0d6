/**
 * Where a running `lifeline serve` listens, for `lifeline login-link` on the same host: serve
 * writes it into the data folder while it runs (`--port 3101` or `--port 0` are not in the
 * configuration) and removes it when it stops; a record whose process is gone is ignored.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FILE = 'serve-address.json';

const fileIn = (dataDir: string): string => join(resolve(dataDir), FILE);

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records `address` for this process; returns what removes the record (when it is still ours). */
export function recordServeAddress(dataDir: string, address: string): () => void {
  if (!existsSync(resolve(dataDir))) return () => undefined;
  const file = fileIn(dataDir);
  try {
    writeFileSync(file, `${JSON.stringify({ address, pid: process.pid })}\n`, { mode: 0o600 });
  } catch {
    return () => undefined; // a read-only data folder: login-link falls back to the configuration
  }
  return () => {
    if (runningServe(dataDir)?.pid === process.pid) rmSync(file, { force: true });
  };
}

/** What a live `serve` recorded in this data folder (its address and process), or null. */
export function runningServe(dataDir: string): { address: string; pid: number } | null {
  let record: { address?: unknown; pid?: unknown };
  try {
    record = JSON.parse(readFileSync(fileIn(dataDir), 'utf8')) as typeof record;
  } catch {
    return null;
  }
  const { address, pid } = record;
  if (typeof address !== 'string' || !/^https?:\/\/[^\s/]+$/.test(address)) return null;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || !running(pid)) return null;
  return { address, pid };
}
