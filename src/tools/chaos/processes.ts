/** Lifeline processes for the chaos run: spawned from the built CLI, killed, restarted, watched. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcessStats {
  name: string;
  starts: number;
  killed: number;
  /** Exits nobody asked for (a crash, or giving up on the database). */
  unexpectedExits: { code: number | null; signal: string | null; tail: string }[];
  /**
   * Exits before the process was up (serve: before it listened; worker: in its first 5 s), e.g. when
   * it started while PostgreSQL was restarting and its start-up migration could not connect. It is
   * started again; these are counted, not treated as crashes.
   */
  startFailures: number;
  /** stderr lines saying the delivery worker backed off after a failed round. */
  workerBackoffs: number;
  workerRecoveries: number;
}

export class Supervised {
  readonly stats: ProcessStats;
  private child: ChildProcess | null = null;
  private expectingExit = false;
  private stopped = false;
  private tail: string[] = [];
  private restartTimer: NodeJS.Timeout | null = null;
  private upTimer: NodeJS.Timeout | null = null;
  private readyResolvers: (() => void)[] = [];
  ready = false;

  constructor(
    name: string,
    private readonly argv: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
    /** A stdout line that says the process is up (serve); without one it counts as up at once. */
    private readonly readyLine: RegExp | null,
    private readonly log: (line: string) => void,
  ) {
    this.stats = {
      name,
      starts: 0,
      killed: 0,
      unexpectedExits: [],
      startFailures: 0,
      workerBackoffs: 0,
      workerRecoveries: 0,
    };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopped || this.child) return;
    this.stats.starts++;
    this.ready = false;
    if (this.readyLine === null) {
      const upTimer = setTimeout(() => this.markReady(), 5_000);
      this.upTimer = upTimer;
    }
    this.expectingExit = false;
    const child = spawn(process.execPath, this.argv, {
      cwd: this.cwd,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const remember = (line: string): void => {
      this.tail.push(line);
      if (this.tail.length > 30) this.tail.shift();
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      remember(line);
      if (!this.ready && this.readyLine?.test(line)) this.markReady();
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      remember(line);
      if (line.includes('the delivery worker failed')) this.stats.workerBackoffs++;
      if (line.includes('the delivery worker is running again')) this.stats.workerRecoveries++;
    });
    child.on('exit', (code, signal) => {
      this.child = null;
      if (this.upTimer) clearTimeout(this.upTimer);
      const wasReady = this.ready;
      this.ready = false;
      if (this.expectingExit || this.stopped) return;
      if (!wasReady) {
        this.stats.startFailures++;
        this.log(`${this.stats.name} failed to start (code ${code}); starting again in 1 s`);
        this.restartTimer = setTimeout(() => this.start(), 1_000);
        return;
      }
      this.stats.unexpectedExits.push({ code, signal, tail: this.tail.slice(-25).join('\n') });
      this.log(`${this.stats.name} exited by itself (code ${code}, signal ${signal}); restarting in 1 s`);
      this.restartTimer = setTimeout(() => this.start(), 1_000);
    });
  }

  private markReady(): void {
    this.ready = true;
    for (const r of this.readyResolvers.splice(0)) r();
  }

  waitReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyResolvers.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** kill -9, then start again after `restartAfterMs`. */
  killAndRestart(restartAfterMs: number): void {
    if (!this.child) return;
    this.expectingExit = true;
    this.stats.killed++;
    this.child.kill('SIGKILL');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, restartAfterMs);
  }

  /** SIGTERM (graceful), then SIGKILL after `graceMs`; no restart. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** SIGKILL now, synchronously, with no restart (the harness is exiting). */
  killNow(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.expectingExit = true;
    this.child?.kill('SIGKILL');
  }

  /** The last lines it printed (for a failure report). */
  lastLines(): string {
    return this.tail.join('\n');
  }
}
