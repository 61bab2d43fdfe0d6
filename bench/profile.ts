/**
 * A short reading of a V8 `.cpuprofile` (written by `node --cpu-prof`): where the sampled time went,
 * as self time by function and by file (node_modules packages grouped by package), so a bench can
 * print it under its table.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<pkg> (or @scope/pkg), dist/<path>, node:internal, or the special V8 names. */
function place(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'native'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const dist = /\/dist\/(.*)$/.exec(url);
  if (dist) return dist[1] as string;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  byFunction: { name: string; ms: number }[];
  byPlace: { name: string; ms: number }[];
}

export function readCpuProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, time] of self) {
    const node = nodes.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    total += time;
    if (functionName === '(idle)') {
      idle += time;
      continue;
    }
    const where = place(url, functionName);
    const fn = `${functionName || '(anonymous)'} ${url === '' ? '' : `${where}:${lineNumber + 1}`}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + time);
    byPlace.set(where, (byPlace.get(where) ?? 0) + time);
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].map(([name, t]) => ({ name, ms: t })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total, idleMs: idle, byFunction: sorted(byFunction), byPlace: sorted(byPlace) };
}

/** Lines for a bench's notes: busy time, then the top `n` functions and places by self time. */
export function summariseCpuProfile(file: string, n: number): string[] {
  const p = readCpuProfile(file);
  const busy = p.totalMs - p.idleMs;
  const pct = (t: number): string => `${((t / busy) * 100).toFixed(1)} %`;
  return [
    `profile: ${(p.totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy ` +
      `(${((busy / p.totalMs) * 100).toFixed(0)} %); self time of the busy time by place:`,
    ...p.byPlace.slice(0, n).map((x) => `    ${pct(x.ms).padStart(7)}  ${x.name}`),
    'self time by function:',
    ...p.byFunction.slice(0, n).map((x) => `    ${pct(x.ms).padStart(7)}  ${x.name}`),
  ];
}
