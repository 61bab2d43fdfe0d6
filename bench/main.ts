/**
 * `npm run bench`: runs the bench sections one after the other, prints each as a table, writes its
 * figures to bench/results/<name>.json, ends with one summary table of every target (also written to
 * bench/results/summary.md, with a chart of latency by concurrency) and the peak memory of the process.
 *
 *   node dist/bench/main.js [section...]     e.g. `node dist/bench/main.js license`
 *
 * Environment (all optional):
 *   BENCH_ROUNDS=3, BENCH_SECONDS=1   rounds of every measurement and seconds per timed loop (the
 *                                     defaults; BENCH_ROUNDS=1 BENCH_SECONDS=3 is one long round)
 *   BENCH_WORKER_KEY=keyobject        license bench: clone the main thread's KeyObject to the workers
 *                                     instead of giving each its own from PEM (see bench/license.ts)
 *   BENCH_CLI_RUNS=15                 cli bench: measured runs of each command (at least 7)
 *
 * Exit code: 0 when every section ran (targets missed or met), 1 when a section failed, e.g.
 * openssl's output could not be parsed. Add a bench by adding a BenchSection to SECTIONS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, arch } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { bundleBench } from './bundle.js';
import { cliBench } from './cli.js';
import { deliveriesBench } from './deliveries.js';
import { evidenceBench } from './evidence.js';
import { licenseBench } from './license.js';
import { httpBench } from './http.js';
import { lookupBench } from './lookup.js';
import { OpensslParseError } from './openssl.js';
import { formatMiB, renderTable, type BenchSection, type BenchSettings } from './report.js';
import { writeSummary, type SectionOutcome } from './summary.js';

const SECTIONS: BenchSection[] = [
  licenseBench,
  deliveriesBench,
  httpBench,
  lookupBench,
  bundleBench,
  cliBench,
  evidenceBench,
];

/** This file runs as dist/bench/main.js: the project root is two levels up. */
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

function environment(): Record<string, unknown> {
  let opensslCli = 'unknown';
  try {
    opensslCli = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown; the section itself fails if openssl is missing
  }
  return {
    node: process.version,
    nodeOpenssl: process.versions.openssl,
    opensslCli,
    platform: `${platform()} ${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    availableParallelism: availableParallelism(),
  };
}

function positiveInteger(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

async function main(): Promise<number> {
  // --quick (bench/http.ts, bench/lookup.ts, bench/evidence.ts: shorter runs, smaller data) is not a section name.
  const wanted = process.argv.slice(2).filter((a) => a !== '--quick');
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(
      `unknown bench section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const settings: BenchSettings = {
    rounds: positiveInteger('BENCH_ROUNDS', 3),
    durationMs: positiveInteger('BENCH_SECONDS', 1) * 1000,
    warmupMs: 300,
    parallelism: availableParallelism(),
    log: (message) => console.error(`[bench] ${message}`),
  };
  const env = environment();
  console.log(
    `Lifeline bench — node ${String(env['node'])} (OpenSSL ${String(env['nodeOpenssl'])}), ` +
      `${String(env['opensslCli'])}, ${String(env['cpu'])}, ${settings.parallelism} cores available`,
  );
  mkdirSync(RESULTS_DIR, { recursive: true });

  let exitCode = 0;
  const started = performance.now();
  const outcomes: SectionOutcome[] = [];
  for (const section of SECTIONS.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
    const t0 = performance.now();
    try {
      const result = await section.run(settings);
      outcomes.push({ name: section.name, title: section.title, result });
      const elapsed = (performance.now() - t0) / 1000;
      console.log(`\n## ${section.title}\n`);
      console.log(renderTable(result.columns, result.rows));
      for (const note of result.notes) console.log(`  ${note}`);
      const missed = result.targets.filter((t) => !t.met);
      if (result.targets.length > 0) {
        console.log(
          missed.length === 0
            ? `  targets: all ${result.targets.length} met`
            : `  targets: NOT MET — ${missed.map((t) => `${t.name} ${t.ratio.toFixed(3)} < ${t.min}`).join('; ')}`,
        );
      }
      const file = `${RESULTS_DIR}${section.name}.json`;
      const record = {
        section: section.name,
        title: section.title,
        generatedAt: new Date().toISOString(),
        environment: env,
        elapsedSeconds: elapsed,
        ...result.json,
        memory: { maxRssBytes: maxRssBytes() },
      };
      writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      console.log(`  (${elapsed.toFixed(1)} s; figures written to bench/results/${section.name}.json)`);
    } catch (error) {
      exitCode = 1;
      if (error instanceof OpensslParseError) {
        console.error(
          `\n## ${section.title}: FAILED — ${error.message}\n--- openssl output ---\n${error.output}`,
        );
      } else {
        console.error(`\n## ${section.title}: FAILED`, error);
      }
    }
  }
  if (outcomes.length > 0) {
    const header =
      `node ${String(env['node'])}, ${String(env['opensslCli'])}, ${String(env['cpu'])}, ` +
      `${settings.parallelism} cores; ${new Date().toISOString()}`;
    console.log(`\n## Summary: every target beside its reference\n`);
    console.log(writeSummary(outcomes, RESULTS_DIR, header));
    console.log(
      '  score: measured ÷ reference for an "at least" target, limit ÷ measured for an "at most" one' +
        ' (1× or more is met; the measured figures are in the sections above)',
    );
    console.log('  (written to bench/results/summary.md, with latency-by-concurrency.svg when http ran)');
  }
  console.log(
    `\npeak RSS of the process (main thread and workers): ${formatMiB(maxRssBytes())}; ` +
      `total ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return exitCode;
}

process.exitCode = await main();
