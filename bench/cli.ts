/**
 * `npm run bench cli`: how fast the `lifeline` command starts, as whole processes, beside `node -e 0`
 * measured in the same run (the machine's speed moves; the ratios are the targets):
 *
 *   lifeline --version, --help                       at most 1.5× node -e 0
 *   lifeline license decode FILE --public-key K      at most 2.5× node -e 0, peak RSS at most 60 MiB
 *   lifeline check … (opens the embedded database)   at most 4× node -e 0
 *   lifeline keys generate --out DIR                 shown, no target (an RSA key pair is made)
 *
 * Each command runs once as a warm-up, then BENCH_CLI_RUNS times (default 15, at least 7), the
 * commands taking turns so that a busy moment of the machine falls on all of them alike. Wall time
 * is measured around each child process; peak RSS comes from GNU time (/usr/bin/time), which wraps
 * every run, node -e 0's included. Without it the RSS target is reported as not measured. The children
 * get a fixed, minimal environment (bench/serve-process.ts benchEnv): a variable such as
 * NODE_EXTRA_CA_CERTS would add its own cost to every start, node -e 0's included.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatRatio, target, type BenchSection, type SectionResult, type TargetCheck } from './report.js';
import { BIN, REPO_ROOT, benchEnv } from './serve-process.js';

const GNU_TIME = '/usr/bin/time';
const VECTORS = join(REPO_ROOT, 'test', 'fixtures', 'vectors');
export const DECODE_RSS_LIMIT_BYTES = 60 * 1024 * 1024;

interface Command {
  name: string;
  args: string[];
  /** At most this many times node -e 0's median wall time; none: shown only. */
  limit?: number;
  /** Run once more after each measured run to undo what it did (e.g. remove a generated key pair). */
  after?: () => void;
}

export interface RunFigures {
  wallMs: number;
  /** From GNU time; null without it. */
  maxRssBytes: number | null;
}

/** Runs one child process under GNU time (when present); throws with its stderr if it fails. */
export function measureOnce(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): RunFigures {
  const timed = existsSync(GNU_TIME);
  const out = join(cwd, '.time');
  const [file, argv] = timed
    ? [GNU_TIME, ['-f', '%M', '-o', out, process.execPath, ...args]]
    : [process.execPath, [...args]];
  const start = performance.now();
  const child = spawnSync(file, argv, { cwd, env, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 });
  const wallMs = performance.now() - start;
  if (child.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${String(child.status)}: ${child.stderr}`);
  }
  if (!timed) return { wallMs, maxRssBytes: null };
  const kib = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
  return { wallMs, maxRssBytes: kib * 1024 };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function runsSetting(): number {
  const value = Number(process.env['BENCH_CLI_RUNS'] ?? 15);
  return Number.isInteger(value) && value >= 7 ? value : 15;
}

const ms = (n: number): string => n.toFixed(1);
const mib = (bytes: number | null): string => (bytes === null ? 'n/a' : (bytes / 1048576).toFixed(1));

export async function runCliBench(log: (message: string) => void = () => {}): Promise<SectionResult> {
  const runs = runsSetting();
  const work = mkdtempSync(join(tmpdir(), 'lifeline-bench-cli-'));
  try {
    const env = benchEnv(join(work, 'data'), { LIFELINE_ALLOW_PINNED_DATES: 'true' });
    const keysOut = join(work, 'generated-keys');
    const commands: Command[] = [
      { name: 'node -e 0', args: ['-e', '0'] },
      { name: 'lifeline --version', args: [BIN, '--version'], limit: 1.5 },
      { name: 'lifeline --help', args: [BIN, '--help'], limit: 1.5 },
      {
        name: 'lifeline license decode FILE --public-key K',
        args: [
          BIN,
          'license',
          'decode',
          join(VECTORS, 'premium_expired.gitlab-license'),
          '--public-key',
          join(VECTORS, 'keys', 'test_public.pem'),
        ],
        limit: 2.5,
      },
      {
        name: 'lifeline check … (embedded SQLite)',
        // The README's example request: eligible on its pinned date.
        args: [
          BIN,
          'check',
          ...['--ticket', '1001', '--email', 'ops@customer.example', '--seats', '120'],
          ...['--plan', 'premium', '--expires-at', '2026-11-14', '--previous-seats', '100'],
          ...['--maximum-users', '110', '--today', '2026-11-28'],
        ],
        limit: 4,
      },
      {
        name: 'lifeline keys generate --out DIR',
        args: [BIN, 'keys', 'generate', '--out', keysOut],
        after: () => rmSync(keysOut, { recursive: true, force: true }),
      },
    ];
    const figures = new Map<string, RunFigures[]>(commands.map((c) => [c.name, []]));
    // The warm-up also makes the database (migrations) and the development key `check` opens.
    for (const c of commands) {
      measureOnce(c.args, env, work);
      c.after?.();
    }
    for (let i = 0; i < runs; i++) {
      log(`cli: round ${i + 1} of ${runs}`);
      for (const c of commands) {
        figures.get(c.name)!.push(measureOnce(c.args, env, work));
        c.after?.();
      }
    }

    const reference = median(figures.get('node -e 0')!.map((f) => f.wallMs));
    const rows: string[][] = [];
    const targets: TargetCheck[] = [];
    const json: Record<string, unknown>[] = [];
    for (const c of commands) {
      const list = figures.get(c.name)!;
      const wall = list.map((f) => f.wallMs);
      const rss = list.every((f) => f.maxRssBytes !== null)
        ? Math.max(...list.map((f) => f.maxRssBytes!))
        : null;
      const ratio = median(wall) / reference;
      rows.push([
        c.name,
        ms(Math.min(...wall)),
        ms(median(wall)),
        ms(Math.max(...wall)),
        formatRatio(ratio),
        c.limit ? `${c.limit}×` : '',
        c.limit ? (ratio <= c.limit ? 'met' : 'NOT MET') : '',
        mib(rss),
      ]);
      // A target is met when limit / ratio is at least 1 (the report's convention: higher is better).
      if (c.limit) targets.push(target(`${c.name}: at most ${c.limit}× node -e 0`, c.limit / ratio, 1));
      json.push({
        command: c.name,
        args: c.args.map((a) => a.replace(REPO_ROOT, '')),
        wallMs: { min: Math.min(...wall), median: median(wall), max: Math.max(...wall), runs: wall },
        ratioToNode: ratio,
        limit: c.limit ?? null,
        maxRssBytes: rss,
      });
    }
    const decode = json.find((j) => String(j['command']).includes('decode'));
    const decodeRss = (decode?.['maxRssBytes'] as number | null | undefined) ?? null;
    targets.push(
      target(
        'lifeline license decode: peak RSS at most 60 MiB',
        decodeRss === null ? 0 : DECODE_RSS_LIMIT_BYTES / decodeRss,
        1,
      ),
    );
    return {
      columns: ['command', 'min ms', 'median ms', 'max ms', '× node', 'target', '', 'peak RSS MiB'],
      rows,
      targets,
      notes: [
        `${runs} runs of each after a warm-up, taking turns; wall time of the whole process, ratio of the medians.`,
        decodeRss === null
          ? 'peak RSS: not measured (no /usr/bin/time), so its target counts as not met'
          : `license decode peak RSS ${mib(decodeRss)} MiB (target at most 60 MiB): ${decodeRss <= DECODE_RSS_LIMIT_BYTES ? 'met' : 'NOT MET'}`,
      ],
      json: { runs, referenceWallMs: reference, commands: json },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const cliBench: BenchSection = {
  name: 'cli',
  title: 'CLI start-up: whole processes beside node -e 0',
  run: (settings) => runCliBench(settings.log),
};
