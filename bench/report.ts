/**
 * What every bench section returns and how it is printed. A section is a name, a title and a
 * `run` that returns a table (rows of strings), target checks, and the figures to keep as JSON in
 * bench/results/<name>.json. main.ts runs the sections in order; adding a bench (API, deliveries)
 * is adding one entry to its list.
 */

export interface BenchSettings {
  /** How many times each measurement is repeated (sections keep the best, and every round in JSON). */
  rounds: number;
  /** Measurement window of every timed loop, in milliseconds (openssl gets the same, rounded to s). */
  durationMs: number;
  /** Warm-up before each timed loop, in milliseconds. */
  warmupMs: number;
  /** Worker threads (and openssl processes) for the all-cores figures. */
  parallelism: number;
  /** Progress lines (to stderr, so stdout stays the report). */
  log: (message: string) => void;
}

export interface TargetCheck {
  name: string;
  ratio: number;
  min: number;
  met: boolean;
}

export interface SectionResult {
  columns: string[];
  rows: string[][];
  /** Targets with a minimum; a section without targets returns []. */
  targets: TargetCheck[];
  /** Extra lines printed under the table (raw openssl lines, sizes...). */
  notes: string[];
  /** Everything worth keeping, written as JSON to bench/results/<name>.json. */
  json: Record<string, unknown>;
}

export interface BenchSection {
  /** File-name safe: the JSON goes to bench/results/<name>.json. */
  name: string;
  title: string;
  run(settings: BenchSettings): Promise<SectionResult>;
}

export const target = (name: string, ratio: number, min: number): TargetCheck => ({
  name,
  ratio,
  min,
  met: ratio >= min,
});

/** 12345.6 → "12,346"; small figures keep a decimal. */
export function formatRate(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: n < 100 ? 1 : 0 });
}

export const formatRatio = (r: number): string => `${r.toFixed(3)}×`;

export const formatMiB = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

const isNumeric = (cell: string): boolean => /^[\d,.]+(×| MiB)?$/.test(cell);

/** A plain-text table: left-aligned text, right-aligned figures, a rule under the header. */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        return isNumeric(cell) ? cell.padStart(w) : cell.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
