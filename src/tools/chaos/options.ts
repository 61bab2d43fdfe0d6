/** The chaos run's command line: `--quick` sizes it for CI; `--seed` replays a run's faults. */
export interface Options {
  quick: boolean;
  seed: number;
  loadSeconds: number;
  rate: number;
  serverKills: number;
  workerKills: number;
  smtpDownSeconds: number;
  leaseSeconds: number;
  drainSeconds: number;
  /** The whole run is abandoned (and fails) after this long. */
  deadlineSeconds: number;
}

export function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string): number | undefined => {
    const i = argv.indexOf(name);
    if (i === -1) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} needs a non-negative number`);
    return n;
  };
  for (const arg of argv) {
    if (arg.startsWith('--') && !['--quick', '--seed', '--load-seconds', '--rate'].includes(arg))
      throw new Error(`unknown option ${arg} (use --quick, --seed N, --load-seconds S, --rate R)`);
  }
  return {
    quick,
    seed: Math.floor(value('--seed') ?? Date.now() % 1_000_000),
    loadSeconds: value('--load-seconds') ?? (quick ? 40 : 240),
    rate: value('--rate') ?? 4,
    serverKills: quick ? 1 : 2,
    workerKills: quick ? 1 : 2,
    smtpDownSeconds: quick ? 12 : 60,
    leaseSeconds: quick ? 15 : 30,
    drainSeconds: quick ? 100 : 200,
    deadlineSeconds: quick ? 240 : 570,
  };
}
