/**
 * The chaos run's faults: kill -9 of servers and workers (each restarted), one PostgreSQL restart and
 * the SMTP stand-in stopped for a while, at seeded random moments of the load.
 */
import { log } from './log.js';
import type { Options } from './options.js';
import type { Supervised } from './processes.js';
import type { Cluster } from './setup.js';

export interface Fault {
  atMs: number;
  /** What it does; `{pid}` stands for the process's id when it runs. */
  what: string;
  run: () => Promise<void> | void;
}

/** The fault schedule, in order (ms into the load). Draws from `random` in a fixed order (replayable). */
export function scheduleFaults(options: Options, random: () => number, cluster: Cluster): Fault[] {
  const { servers, workers, postgres, peers } = cluster;
  const loadMs = options.loadSeconds * 1000;
  const at = (from: number, to: number): number => Math.round(loadMs * (from + (to - from) * random()));
  const faults: Fault[] = [];
  // kill -9 of `count` processes drawn from `targets`, spread over 10–80 % of the load.
  const kills = (targets: readonly Supervised[], count: number): void => {
    for (let k = 0; k < count; k++) {
      const target = targets[Math.floor(random() * targets.length)]!;
      const back = 1_000 + Math.round(random() * 2_000);
      faults.push({
        atMs: at(0.1 + (0.7 * k) / count, 0.1 + (0.7 * (k + 1)) / count),
        what: `kill -9 ${target.stats.name} (pid {pid}), restart in ${back} ms`,
        run: () => target.killAndRestart(back),
      });
    }
  };
  kills(servers, options.serverKills);
  kills(workers, options.workerKills);
  const pgRestartAt = at(0.3, 0.7);
  faults.push({
    atMs: pgRestartAt,
    what: 'restart PostgreSQL (pg_ctl restart -m fast)',
    run: () => postgres.restart(),
  });
  const smtpDownMs = options.smtpDownSeconds * 1000;
  const smtpAt = Math.min(at(0.15, 0.45), Math.max(0, loadMs - smtpDownMs - 2_000));
  faults.push({
    atMs: smtpAt,
    what: `stop the SMTP stand-in for ${options.smtpDownSeconds} s`,
    run: () => peers.stopSmtp(),
  });
  faults.push({
    atMs: smtpAt + smtpDownMs,
    what: 'start the SMTP stand-in again',
    run: () => peers.startSmtp(),
  });
  faults.sort((a, b) => a.atMs - b.atMs);
  log(
    `fault schedule (ms into the load): ${faults.map((f) => `${f.atMs} ${f.what.replace(/ \(pid \{pid\}\)/, '')}`).join('; ')}`,
  );
  return faults;
}

/** Runs the scheduled faults as the load reaches them; a fault that fails is a failure of the run. */
export class FaultRunner {
  private next = 0;
  private readonly runs: Promise<void>[] = [];

  constructor(
    private readonly faults: readonly Fault[],
    private readonly cluster: Cluster,
    private readonly failures: string[],
  ) {}

  /** Starts every fault due at `nowMs` into the load. */
  fireDue(nowMs: number): void {
    const { servers, workers } = this.cluster;
    while (this.next < this.faults.length && this.faults[this.next]!.atMs <= nowMs) {
      const fault = this.faults[this.next++]!;
      const target = fault.what.includes('server') ? servers : workers;
      const named = target.find((t) => fault.what.includes(t.stats.name));
      log(`FAULT: ${fault.what.replace('{pid}', String(named?.pid ?? '?'))}`);
      this.runs.push(
        Promise.resolve()
          .then(fault.run)
          .catch((error: unknown) => {
            this.failures.push(`fault "${fault.what}" failed: ${String(error)}`);
          }),
      );
    }
  }

  /** Faults still due (a short custom load) run now, so the SMTP stand-in always comes back. */
  async finish(): Promise<void> {
    while (this.next < this.faults.length) {
      const fault = this.faults[this.next++]!;
      log(`FAULT (late): ${fault.what.replace(' (pid {pid})', '')}`);
      this.runs.push(Promise.resolve().then(fault.run));
    }
    await Promise.allSettled(this.runs);
  }
}
