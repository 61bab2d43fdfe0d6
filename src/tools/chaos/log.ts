/** The chaos run's clock and log: every line is stamped with the seconds since the run started. */
export const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
export const log = (line: string): void => {
  process.stdout.write(`[${elapsed()}] ${line}\n`);
};
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
