/**
 * `npm run chaos`: Lifeline under faults, end to end (PRODUCT.md §6, §7, §9 "More than one machine").
 * Exit 0 when every check holds, 1 otherwise, 2 on a usage error; the last line is `CHAOS-SUMMARY {json}`.
 *
 *   node dist/src/tools/chaos/main.js [--quick] [--seed N] [--load-seconds S] [--rate R]
 */
import { seededRandom } from '../seeded-random.js';
import { checkFindings, collectFindings, compareMetrics, drainOutbox, type Check } from './checks.js';
import { FaultRunner, scheduleFaults } from './faults.js';
import { askAgain, LoadClient, runLoad, scrapeMetrics } from './load.js';
import { log } from './log.js';
import { parseOptions, type Options } from './options.js';
import { report } from './report.js';
import { Scratch, setUp } from './setup.js';

/** The phases in order: set up, load under faults, ask again, drain, check, report. */
async function run(options: Options): Promise<boolean> {
  const random = seededRandom(options.seed);
  const failures: string[] = [];
  const check: Check = (condition, what) => {
    if (!condition) failures.push(what);
  };
  log(
    `chaos run: seed ${options.seed}${options.quick ? ' (quick)' : ''}; ${options.loadSeconds} s of load at ` +
      `${options.rate}/s; replay with --seed ${options.seed}${options.quick ? ' --quick' : ''}`,
  );
  const scratch = new Scratch();
  try {
    const cluster = await setUp(options, scratch, check);
    const faults = scheduleFaults(options, random, cluster);
    const client = new LoadClient(cluster.urls, cluster.token);
    await runLoad(options, random, cluster, client, new FaultRunner(faults, cluster, failures));
    // Every process must be back up before the drain (restarts are asynchronous).
    await Promise.all(cluster.servers.map((s) => s.waitReady(60_000)));
    const asked = await askAgain(client);
    const pending = await drainOutbox(options, cluster.postgres.url);
    const finalMetrics = await scrapeMetrics(cluster.urls[0]!);
    for (const p of scratch.processes) await p.stop();
    const findings = await collectFindings(cluster, client);
    const metrics = compareMetrics(finalMetrics, client.metricsSamples, findings.issuedRows.length, check);
    const { processes } = scratch;
    checkFindings(findings, client, pending, processes, check);
    report(options, cluster, { faults, client, asked, findings, pending, metrics, processes, failures });
    return failures.length === 0;
  } finally {
    await scratch.close();
  }
}

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const deadline = setTimeout(() => {
  process.stdout.write(`CHAOS FAILED: the run did not finish within ${options.deadlineSeconds} s\n`);
  process.exit(1); // the 'exit' handler stops the private PostgreSQL and removes its files
}, options.deadlineSeconds * 1000);
run(options)
  .then((passed) => {
    clearTimeout(deadline);
    process.exitCode = passed ? 0 : 1;
  })
  .catch((error: unknown) => {
    clearTimeout(deadline);
    process.stdout.write(
      `CHAOS FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
