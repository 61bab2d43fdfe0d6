/**
 * The end of `npm run bench`: one table of every section's targets (measured ratio beside its
 * reference and minimum), written with the run's key figures to bench/results/summary.md, and a
 * chart of issuance latency by concurrency (bench/results/latency-by-concurrency.svg) when the
 * `http` section ran.
 */
import { writeFileSync } from 'node:fs';
import { renderTable, type SectionResult } from './report.js';

export interface SectionOutcome {
  name: string;
  title: string;
  result: SectionResult;
}

interface HttpLevel {
  connections: number;
  issuedPerSecond: number;
  issuedMs: { p50: number; p99: number };
}

/** The summary table's rows: one per target of every section that ran. */
export function summaryRows(outcomes: readonly SectionOutcome[]): string[][] {
  const rows: string[][] = [];
  for (const { name, result } of outcomes) {
    if (result.targets.length === 0) {
      rows.push([name, '(no target)', '', '', 'ran']);
      continue;
    }
    for (const t of result.targets)
      rows.push([name, t.name, `${t.ratio.toFixed(3)}×`, `${t.min}×`, t.met ? 'met' : 'NOT MET']);
  }
  return rows;
}

/** An SVG line chart of p50 and p99 latency (ms, log scale) against concurrent clients. */
export function latencyChart(levels: readonly HttpLevel[]): string {
  const width = 560;
  const height = 320;
  const pad = { left: 60, right: 20, top: 30, bottom: 50 };
  const values = levels.flatMap((l) => [l.issuedMs.p50, l.issuedMs.p99]).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 10))));
  const x = (i: number) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(1, levels.length - 1);
  const y = (v: number) =>
    pad.top +
    ((Math.log10(hi) - Math.log10(Math.max(v, lo))) / (Math.log10(hi) - Math.log10(lo))) *
      (height - pad.top - pad.bottom);
  const line = (pick: (l: HttpLevel) => number, colour: string, label: string) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${levels
      .map((l, i) => `${x(i).toFixed(1)},${y(pick(l)).toFixed(1)}`)
      .join(' ')}"/>` +
    levels
      .map(
        (l, i) =>
          `<circle cx="${x(i).toFixed(1)}" cy="${y(pick(l)).toFixed(1)}" r="3" fill="${colour}"/>` +
          `<text x="${(x(i) + 6).toFixed(1)}" y="${(y(pick(l)) - 6).toFixed(1)}" font-size="11">${pick(l).toFixed(1)}</text>`,
      )
      .join('') +
    `<text x="${width - pad.right - 40}" y="${label === 'p99' ? 16 : 28}" font-size="12" fill="${colour}">${label}</text>`;
  const ticks: string[] = [];
  for (let v = lo; v <= hi; v *= 10) {
    ticks.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>` +
        `<text x="${pad.left - 8}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v} ms</text>`,
    );
  }
  const xLabels = levels
    .map(
      (l, i) =>
        `<text x="${x(i)}" y="${height - pad.bottom + 18}" font-size="11" text-anchor="middle">${l.connections} (${l.issuedPerSecond.toFixed(0)}/s)</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad.left}" y="18" font-size="13">POST /api/v1/emergency-licenses latency by concurrent clients</text>`,
    ...ticks,
    line((l) => l.issuedMs.p50, '#2b6cb0', 'p50'),
    line((l) => l.issuedMs.p99, '#c53030', 'p99'),
    xLabels,
    `<text x="${(width / 2).toFixed(0)}" y="${height - 10}" font-size="12" text-anchor="middle">concurrent clients (issued per second)</text>`,
    `</svg>`,
  ].join('\n');
}

/** Prints the summary and writes summary.md (and the chart) into `resultsDir`. */
export function writeSummary(
  outcomes: readonly SectionOutcome[],
  resultsDir: string,
  header: string,
): string {
  // A target's score is 1× or more when met: measured ÷ reference for an "at least" target, and
  // limit ÷ measured for an "at most" one (the section's own table shows the measured figures).
  const table = renderTable(['section', 'target', 'score', 'met at', 'verdict'], summaryRows(outcomes));
  const lines = [`# Lifeline bench summary`, '', header, '', '```', table, '```', ''];
  for (const { title, result } of outcomes) {
    lines.push(`## ${title}`, '', '```', renderTable(result.columns, result.rows), '```', '');
    for (const note of result.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  const http = outcomes.find((o) => o.name === 'http');
  const levels = (http?.result.json['levels'] as HttpLevel[] | undefined) ?? [];
  if (levels.length > 0) {
    writeFileSync(`${resultsDir}latency-by-concurrency.svg`, `${latencyChart(levels)}\n`);
    lines.push('![latency by concurrency](latency-by-concurrency.svg)', '');
  }
  writeFileSync(`${resultsDir}summary.md`, lines.join('\n'));
  return table;
}
