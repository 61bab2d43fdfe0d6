import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { target, type SectionResult } from '../../bench/report.js';
import { latencyChart, summaryRows, writeSummary } from '../../bench/summary.js';

const section = (targets: SectionResult['targets'], json: Record<string, unknown> = {}): SectionResult => ({
  columns: ['a', 'b'],
  rows: [['x', '1']],
  targets,
  notes: ['a note'],
  json,
});

const levels = [
  { connections: 1, issuedPerSecond: 100, issuedMs: { p50: 5, p99: 40 } },
  { connections: 8, issuedPerSecond: 200, issuedMs: { p50: 30, p99: 200 } },
  { connections: 32, issuedPerSecond: 210, issuedMs: { p50: 120, p99: 900 } },
];

describe('bench summary', () => {
  it('lists every target with its verdict, and sections without one', () => {
    const rows = summaryRows([
      {
        name: 'license',
        title: 'L',
        result: section([target('writes', 0.91, 0.9), target('threads', 0.7, 0.8)]),
      },
      { name: 'bundle', title: 'B', result: section([]) },
    ]);
    expect(rows).toEqual([
      ['license', 'writes', '0.910×', '0.9×', 'met'],
      ['license', 'threads', '0.700×', '0.8×', 'NOT MET'],
      ['bundle', '(no target)', '', '', 'ran'],
    ]);
  });

  it('draws p99 above p50 at every level, left to right by concurrency', () => {
    const svg = latencyChart(levels);
    const polylines = [...svg.matchAll(/points="([^"]+)"/g)].map((m) =>
      (m[1] ?? '').split(' ').map((p) => p.split(',').map(Number) as [number, number]),
    );
    expect(polylines).toHaveLength(2);
    const [p50, p99] = polylines as [[number, number][], [number, number][]];
    for (let i = 0; i < levels.length; i++) {
      expect(p99[i]![1]).toBeLessThan(p50[i]![1]); // higher on the chart = smaller y
      if (i > 0) expect(p50[i]![0]).toBeGreaterThan(p50[i - 1]![0]);
    }
    expect(svg).toContain('32 (210/s)');
  });

  it('writes summary.md and the chart when the http section ran', () => {
    const dir = `${mkdtempSync(join(tmpdir(), 'bench-'))}/`;
    writeSummary(
      [{ name: 'http', title: 'HTTP', result: section([target('api', 0.1, 0.6)], { levels }) }],
      dir,
      'h',
    );
    expect(readFileSync(`${dir}summary.md`, 'utf8')).toMatch(/http\s+api\s+0\.100×\s+0\.6×\s+NOT MET/);
    expect(readFileSync(`${dir}latency-by-concurrency.svg`, 'utf8')).toMatch(/^<svg/);
  });
});
