/**
 * The reference figures: `openssl speed -elapsed -seconds S [-multi N] rsa2048`, run as a child
 * process and parsed from its summary table.
 *
 * `-elapsed`: without it openssl divides its count by its user CPU time, not by the wall clock, so
 * its figure ignores any time the process spent waiting for a core. Lifeline's loops are timed by the
 * wall clock (a writes/s figure must include everything that slows writes down, lock waits in
 * particular), so openssl is timed the same way; on a machine where other work competes for the
 * cores the ratios are otherwise biased against Node.
 *
 * Parsing goes by the header's column names, so it survives both the
 * single-process and the -multi summary, and the extra columns OpenSSL 3.2+ prints (encaps/decaps).
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface OpensslRsaSpeed {
  signPerSecond: number;
  verifyPerSecond: number;
  /** The `rsa 2048 bits` summary line as printed, for the record. */
  rawLine: string;
  /** The full command line that was run. */
  command: string;
  /**
   * CPU time openssl (and its -multi children) used over (wall time × processes), about 1 when it
   * had its cores to itself; null where /proc is not available.
   */
  cpuShare: number | null;
}

let clockTicks: number | null = null;

/** CPU seconds of the waited-for children of this process (Linux: cutime + cstime of /proc/self/stat). */
function childrenCpuSeconds(): number | null {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / clockTicks;
  } catch {
    return null;
  }
}

export class OpensslParseError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'OpensslParseError';
  }
}

const RESULT_LINE = /^\s*rsa\s+2048\s+bits?\s+(.*)$/;
const number = (token: string): number => Number(token.replace(/s$/, ''));

/**
 * Reads sign/s and verify/s from the output of `openssl speed rsa2048` (with or without -multi).
 * The summary is a header naming the columns ("sign verify sign/s verify/s", possibly more) and a
 * line "rsa 2048 bits <value per column>". With -multi, the per-child "+F2:..." lines are summed as
 * a fallback when no summary line is found.
 */
export function parseOpensslRsaSpeed(output: string): { sign: number; verify: number; rawLine: string } {
  const lines = output.split(/\r?\n/);
  const at = lines.findIndex((l) => RESULT_LINE.test(l));
  if (at >= 0) {
    const rawLine = (lines[at] as string).trim();
    const values = (RESULT_LINE.exec(rawLine)?.[1] ?? '').trim().split(/\s+/);
    // The header is the nearest line above that names the sign/s column.
    let header: string[] | null = null;
    for (let i = at - 1; i >= 0 && header === null; i--) {
      const tokens = (lines[i] as string).trim().split(/\s+/);
      if (tokens.includes('sign/s')) header = tokens;
    }
    if (header && header.length === values.length) {
      const sign = number(values[header.indexOf('sign/s')] ?? '');
      const verify = number(values[header.indexOf('verify/s')] ?? '');
      if (Number.isFinite(sign) && Number.isFinite(verify) && sign > 0 && verify > 0) {
        return { sign, verify, rawLine };
      }
    }
    // No usable header: the classic layout ends with "... sign/s verify/s".
    if (!header && values.length >= 4) {
      const sign = number(values[2] as string);
      const verify = number(values[3] as string);
      if (Number.isFinite(sign) && Number.isFinite(verify) && sign > 0 && verify > 0) {
        return { sign, verify, rawLine };
      }
    }
    throw new OpensslParseError(`cannot read sign/s and verify/s from: ${rawLine}`, output);
  }
  // -multi without a summary: "+F2:<index>:<bits>:<sign/s>:<verify/s>" (or "Got: +F2:..." ) per child.
  const children = [...output.matchAll(/\+F2:\d+:2048:([\d.]+):([\d.]+)/g)];
  if (children.length > 0) {
    let sign = 0;
    let verify = 0;
    for (const m of children) {
      sign += Number(m[1]);
      verify += Number(m[2]);
    }
    return { sign, verify, rawLine: children.map((m) => m[0]).join(' ') };
  }
  throw new OpensslParseError('no "rsa 2048 bits" result line in the openssl speed output', output);
}

/** Runs `openssl speed` for RSA-2048 (sign then verify, `seconds` each) and parses its summary. */
export async function opensslRsaSpeed(seconds: number, processes = 1): Promise<OpensslRsaSpeed> {
  const args = ['speed', '-elapsed', '-seconds', String(seconds)];
  if (processes > 1) args.push('-multi', String(processes));
  args.push('rsa2048');
  const command = `openssl ${args.join(' ')}`;
  const cpuBefore = childrenCpuSeconds();
  const wallBefore = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      'openssl',
      args,
      { maxBuffer: 4 * 1024 * 1024, timeout: (seconds * 2 + 30) * 1000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} failed: ${error.message}\n${stderr}`));
        else resolve(`${stdout}\n${stderr}`);
      },
    );
  });
  const wall = (performance.now() - wallBefore) / 1000;
  const cpuAfter = childrenCpuSeconds();
  const cpuShare =
    cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / (wall * processes);
  const parsed = parseOpensslRsaSpeed(output);
  return {
    signPerSecond: parsed.sign,
    verifyPerSecond: parsed.verify,
    rawLine: parsed.rawLine,
    command,
    cpuShare,
  };
}
