/**
 * License writes and reads per second, on one core and on all cores (worker threads), beside
 * `openssl speed rsa2048` (and `-multi N`) measured in the same run. A write is one RSA private
 * transform (openssl's sign/s), a read one public transform (openssl's verify/s); the ratios say how
 * much of the raw RSA speed survives the license format and Node around it.
 *
 * Nothing runs concurrently: each round runs openssl single, Lifeline's two single-core loops,
 * openssl -multi N, then Lifeline's two all-cores loops. Several short rounds instead of one long
 * one, and the best round of each figure, because the machine may be shared (other builds and test
 * runs): a figure is only ever pulled down by competing work, and interleaving gives both sides the
 * same chances of an undisturbed round. Every round is kept in the JSON. The CPU share printed per
 * measurement catches competing work inside this machine, not a busy host under a virtual machine:
 * the spread of the per-round ratios is the better sign of a noisy run.
 *
 * Workers get the key as PEM and make their own KeyObject once. A KeyObject cloned from the main
 * thread shares one OpenSSL RSA key, whose blinding state is then shared by all threads under a lock
 * (OpenSSL keeps a lock-free blinding only for the thread that first used the key — here the main
 * thread): raw privateEncrypt on 2 threads measured 3-4 % slower that way, and the write loops spent
 * 2-5 % of their time off-CPU. BENCH_WORKER_KEY=keyobject measures it.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { licenseOperation, readOnce, writeOnce, type LicenseOp } from './license-fixture.js';
import type { MainMessage, WorkerInput, WorkerMessage } from './license-worker.js';
import { opensslRsaSpeed, type OpensslRsaSpeed } from './openssl.js';
import {
  formatRate,
  formatRatio,
  target,
  type BenchSection,
  type BenchSettings,
  type SectionResult,
  type TargetCheck,
} from './report.js';
import { rate, runFor, type LoopResult } from './timing.js';

const WORKER_URL = new URL('./license-worker.js', import.meta.url);

/**
 * How the workers get their key: `pem` (default) — each worker makes its own KeyObject from the PEM,
 * as separate processes would; `keyobject` (BENCH_WORKER_KEY=keyobject) — the main thread's KeyObject
 * is cloned to them, which shares one OpenSSL key between the threads.
 */
const WORKER_KEY = process.env['BENCH_WORKER_KEY'] === 'keyobject' ? 'keyobject' : 'pem';

/** Targets of the issue: the share of openssl's sign/s that license writes must reach. */
export const WRITE_TARGET_SINGLE = 0.9;
export const WRITE_TARGET_MULTI = 0.8;

export interface Throughput {
  opsPerSecond: number;
  ops: number;
  seconds: number;
  /**
   * Process CPU time over (wall time × threads looping): about 1 when the loops had their cores to
   * themselves, lower when other work took turns on them (or threads waited on locks).
   */
  cpuShare: number;
  /** For the all-cores figure: each worker's ops/s (their sum is opsPerSecond). */
  perWorker?: number[];
}

interface Picked {
  value: number;
  /** 1-based. */
  round: number;
  cpuShare: number | null;
}

interface Round {
  opensslSingle: OpensslRsaSpeed;
  opensslMulti: OpensslRsaSpeed;
  writeSingle: Throughput;
  readSingle: Throughput;
  writeMulti: Throughput;
  readMulti: Throughput;
}

const cpuSeconds = (since?: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

export function singleCore(op: LicenseOp, key: KeyObject, text: string, s: BenchSettings): Throughput {
  const operation = licenseOperation(op, key, text);
  runFor(operation, s.warmupMs);
  const cpu = process.cpuUsage();
  const r = runFor(operation, s.durationMs);
  const cpuShare = cpuSeconds(cpu) / r.seconds;
  return { opsPerSecond: rate(r), ops: r.ops, seconds: r.seconds, cpuShare };
}

/** Starts one worker and resolves once it has warmed up; `done` then resolves with its timed loop. */
function startWorker(input: WorkerInput): Promise<{ worker: Worker; done: Promise<LoopResult> }> {
  return new Promise((resolveReady, rejectReady) => {
    const worker = new Worker(WORKER_URL, { workerData: input });
    let resolveDone: (r: LoopResult) => void = () => undefined;
    let rejectDone: (e: Error) => void = () => undefined;
    const done = new Promise<LoopResult>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    done.catch(() => undefined); // whoever awaits `done` sees the failure
    let ready = false;
    let finished = false;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        ready = true;
        resolveReady({ worker, done });
      } else {
        finished = true;
        resolveDone(m.result);
      }
    });
    const fail = (e: Error): void => {
      if (!ready) rejectReady(e);
      rejectDone(e);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!finished) fail(new Error(`license worker exited with code ${code} before reporting`));
    });
  });
}

async function allCores(op: LicenseOp, key: KeyObject, text: string, s: BenchSettings): Promise<Throughput> {
  const input: WorkerInput = {
    op,
    key:
      WORKER_KEY === 'keyobject'
        ? key
        : (key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }) as string),
    licenseText: text,
    warmupMs: s.warmupMs,
    durationMs: s.durationMs,
  };
  const workers = await Promise.all(Array.from({ length: s.parallelism }, () => startWorker(input)));
  // Every worker is warm: start the timed loops together.
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (const { worker } of workers) worker.postMessage({ type: 'go' } satisfies MainMessage);
  const results = await Promise.all(workers.map((w) => w.done));
  const cpuShare = cpuSeconds(cpu) / (((performance.now() - wall) / 1000) * s.parallelism);
  await Promise.all(workers.map(({ worker }) => worker.terminate()));
  const perWorker = results.map(rate);
  return {
    opsPerSecond: perWorker.reduce((a, b) => a + b, 0),
    ops: results.reduce((a, r) => a + r.ops, 0),
    seconds: Math.max(...results.map((r) => r.seconds)),
    cpuShare,
    perWorker,
  };
}

const share = (x: number | null): string => (x === null ? '?' : x.toFixed(2));
/** CPU share of each measurement in a round, in the order it ran. */
const shares = (r: Round): string =>
  `openssl ${share(r.opensslSingle.cpuShare)}, writes ${share(r.writeSingle.cpuShare)}, ` +
  `reads ${share(r.readSingle.cpuShare)}, openssl -multi ${share(r.opensslMulti.cpuShare)}, ` +
  `writes ${share(r.writeMulti.cpuShare)}, reads ${share(r.readMulti.cpuShare)}`;

const LABELS = {
  writeSingle: 'writes 1 core',
  readSingle: 'reads 1 core',
  writeMulti: 'writes all cores',
  readMulti: 'reads all cores',
  signSingle: 'openssl sign/s',
  verifySingle: 'openssl verify/s',
  signMulti: 'openssl -multi sign/s',
  verifyMulti: 'openssl -multi verify/s',
} as const;

/** Below this CPU share a measurement surely lost time to other work on the machine. */
const BUSY_SHARE = 0.9;
/** Above this spread of openssl's sign/s between rounds, the run is called noisy. */
const NOISY_VARIATION = 0.08;

const best = <T>(items: readonly T[], value: (t: T) => number): T =>
  items.reduce((a, b) => (value(b) > value(a) ? b : a));

async function run(s: BenchSettings): Promise<SectionResult> {
  const n = s.parallelism;
  const loadBefore = loadavg();
  s.log('license: generating an RSA-2048 key pair in memory');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const licenseText = writeOnce(privateKey);
  readOnce(licenseText, [publicKey]); // the license read below must be one that decodes

  const seconds = Math.max(1, Math.round(s.durationMs / 1000));
  const rounds: Round[] = [];
  for (let i = 1; i <= s.rounds; i++) {
    const at = `license round ${i}/${s.rounds}`;
    s.log(`${at}: openssl speed -elapsed -seconds ${seconds} rsa2048`);
    const opensslSingle = await opensslRsaSpeed(seconds);
    s.log(`${at}: writes, then reads, on the main thread`);
    const writeSingle = singleCore('write', privateKey, licenseText, s);
    const readSingle = singleCore('read', publicKey, licenseText, s);
    s.log(`${at}: openssl speed -elapsed -seconds ${seconds} -multi ${n} rsa2048`);
    const opensslMulti = await opensslRsaSpeed(seconds, n);
    s.log(`${at}: writes, then reads, on ${n} worker threads`);
    const writeMulti = await allCores('write', privateKey, licenseText, s);
    const readMulti = await allCores('read', publicKey, licenseText, s);
    rounds.push({ opensslSingle, opensslMulti, writeSingle, readSingle, writeMulti, readMulti });
  }

  // The best round of each figure, with the CPU share of the measurement it came from.
  const pick = (value: (r: Round) => number, cpu: (r: Round) => number | null): Picked => {
    const r = best(rounds, value);
    return { value: value(r), round: rounds.indexOf(r) + 1, cpuShare: cpu(r) };
  };
  const picked = {
    writeSingle: pick(
      (r) => r.writeSingle.opsPerSecond,
      (r) => r.writeSingle.cpuShare,
    ),
    readSingle: pick(
      (r) => r.readSingle.opsPerSecond,
      (r) => r.readSingle.cpuShare,
    ),
    writeMulti: pick(
      (r) => r.writeMulti.opsPerSecond,
      (r) => r.writeMulti.cpuShare,
    ),
    readMulti: pick(
      (r) => r.readMulti.opsPerSecond,
      (r) => r.readMulti.cpuShare,
    ),
    signSingle: pick(
      (r) => r.opensslSingle.signPerSecond,
      (r) => r.opensslSingle.cpuShare,
    ),
    verifySingle: pick(
      (r) => r.opensslSingle.verifyPerSecond,
      (r) => r.opensslSingle.cpuShare,
    ),
    signMulti: pick(
      (r) => r.opensslMulti.signPerSecond,
      (r) => r.opensslMulti.cpuShare,
    ),
    verifyMulti: pick(
      (r) => r.opensslMulti.verifyPerSecond,
      (r) => r.opensslMulti.cpuShare,
    ),
  };
  const top = Object.fromEntries(Object.entries(picked).map(([k, p]) => [k, p.value])) as Record<
    keyof typeof picked,
    number
  >;
  // openssl does the same work every round, so its own spread shows how steady the machine was.
  const variation = (values: number[]): number => Math.max(...values) / Math.min(...values) - 1;
  const opensslVariation = Math.max(
    variation(rounds.map((r) => r.opensslSingle.signPerSecond)),
    variation(rounds.map((r) => r.opensslMulti.signPerSecond)),
  );
  const disturbed = Object.entries(picked)
    .filter(([, p]) => p.cpuShare !== null && p.cpuShare < BUSY_SHARE)
    .map(
      ([k, p]) => `${LABELS[k as keyof typeof picked]} (round ${p.round}, CPU share ${share(p.cpuShare)})`,
    );
  const ratios = {
    writeSingle: top.writeSingle / top.signSingle,
    writeMulti: top.writeMulti / top.signMulti,
    readSingle: top.readSingle / top.verifySingle,
    readMulti: top.readMulti / top.verifyMulti,
  };
  // The same ratio within each round: how far the figures moved while the bench ran.
  const roundRatios = rounds.map((r) => ({
    writeSingle: r.writeSingle.opsPerSecond / r.opensslSingle.signPerSecond,
    writeMulti: r.writeMulti.opsPerSecond / r.opensslMulti.signPerSecond,
    readSingle: r.readSingle.opsPerSecond / r.opensslSingle.verifyPerSecond,
    readMulti: r.readMulti.opsPerSecond / r.opensslMulti.verifyPerSecond,
  }));
  const spread = (key: keyof (typeof roundRatios)[number]): string => {
    const values = roundRatios.map((r) => r[key]);
    return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  };

  const targets: TargetCheck[] = [
    target('write, 1 core', ratios.writeSingle, WRITE_TARGET_SINGLE),
    target(`write, ${n} cores`, ratios.writeMulti, WRITE_TARGET_MULTI),
  ];
  const verdict = (t: TargetCheck | undefined): string =>
    t ? `≥ ${t.min.toFixed(2)} ${t.met ? 'met' : 'NOT MET'}` : '-';
  const row = (
    label: string,
    node: number,
    ossl: number,
    osslLabel: string,
    key: keyof typeof ratios,
    check?: TargetCheck,
  ): string[] => [
    label,
    formatRate(node),
    formatRate(ossl),
    osslLabel,
    formatRatio(ratios[key]),
    spread(key),
    verdict(check),
  ];

  return {
    columns: ['measure', 'lifeline', 'openssl', 'openssl column', 'ratio', `per round`, 'target'],
    rows: [
      row('writes/s, 1 core', top.writeSingle, top.signSingle, 'sign/s', 'writeSingle', targets[0]),
      row(
        `writes/s, ${n} threads`,
        top.writeMulti,
        top.signMulti,
        `sign/s -multi ${n}`,
        'writeMulti',
        targets[1],
      ),
      row('reads/s, 1 core', top.readSingle, top.verifySingle, 'verify/s', 'readSingle'),
      row(`reads/s, ${n} threads`, top.readMulti, top.verifyMulti, `verify/s -multi ${n}`, 'readMulti'),
    ],
    targets,
    notes: [
      `best of ${s.rounds} interleaved rounds; each: openssl -elapsed -seconds ${seconds}, Lifeline loops of ` +
        `${s.durationMs / 1000} s after ${s.warmupMs / 1000} s warm-up; ${n} worker threads ` +
        `(key passed as ${WORKER_KEY === 'pem' ? 'PEM, one KeyObject per worker' : 'the main thread KeyObject'}) / openssl processes`,
      'encoder: src/core/license encodeLicense; ' +
        `license text ${licenseText.length} characters; load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
      ...rounds.map(
        (r, i) =>
          `round ${i + 1}: writes ${formatRate(r.writeSingle.opsPerSecond)} / ${formatRate(r.opensslSingle.signPerSecond)}, ` +
          `${formatRate(r.writeMulti.opsPerSecond)} / ${formatRate(r.opensslMulti.signPerSecond)}; ` +
          `reads ${formatRate(r.readSingle.opsPerSecond)} / ${formatRate(r.opensslSingle.verifyPerSecond)}, ` +
          `${formatRate(r.readMulti.opsPerSecond)} / ${formatRate(r.opensslMulti.verifyPerSecond)}; ` +
          `CPU share ${shares(r)}`,
      ),
      ...rounds.flatMap((r, i) =>
        i === rounds.length - 1
          ? [
              `${r.opensslSingle.command}: ${r.opensslSingle.rawLine}`,
              `${r.opensslMulti.command}: ${r.opensslMulti.rawLine}`,
            ]
          : [],
      ),
      ...(rounds.length > 1 && opensslVariation > NOISY_VARIATION
        ? [
            `WARNING: openssl's own sign/s varied by ${(opensslVariation * 100).toFixed(0)} % between rounds: ` +
              'the machine (or its host) was busy; ratios near a target may go either way, run again',
          ]
        : []),
      ...(disturbed.length === 0
        ? []
        : [
            `WARNING: other work on the machine took CPU from the best measurement of ${disturbed.join(', ')}; ` +
              'these figures are low and the ratios unreliable: run the bench again when the machine is quiet',
          ]),
    ],
    json: {
      settings: {
        workerKey: WORKER_KEY,
        rounds: s.rounds,
        durationMs: s.durationMs,
        warmupMs: s.warmupMs,
        parallelism: n,
        opensslSeconds: seconds,
        licenseTextLength: licenseText.length,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadavg(),
      },
      best: picked,
      disturbed,
      opensslVariation,
      ratios,
      targets,
      rounds: rounds.map((r, i) => ({ ...r, ratios: roundRatios[i] })),
    },
  };
}

export const licenseBench: BenchSection = {
  name: 'license',
  title: 'License writes and reads per second vs openssl speed rsa2048',
  run,
};
