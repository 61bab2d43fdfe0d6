/**
 * The screenshot fixtures (test/fixtures/screenshots, made by its make.mjs) and how reads of them
 * are scored: per field, how many fixtures were read exactly (null where the page does not show
 * the field), and every wrong value read with high confidence. Shared by the accuracy test and
 * `npm run bench evidence`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HIGH_CONFIDENCE,
  LICENSEE_FIELDS,
  VALUE_FIELDS,
  type EvidenceField,
  type EvidencePage,
  type ScreenshotRead,
} from '../src/core/evidence/index.js';

/** The project root, from bench/ (tests) or dist/bench/ (the compiled bench) alike. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above bench/');
    dir = up;
  }
  return dir;
}

export const FIXTURES_DIR = join(projectRoot(), 'test', 'fixtures', 'screenshots');

/** Expected values in the evidence shape, plain (null where the page does not show the field). */
export type Expected = {
  page: EvidencePage;
  licensee: Record<(typeof LICENSEE_FIELDS)[number], string | null>;
} & Record<(typeof VALUE_FIELDS)[number], string | number | null>;

export interface Manifest {
  readable: { file: string; theme: string; zoom: number; font: string; format: string; expected: Expected }[];
  bad: { file: string; kind: string; expect: string; truth: Expected | null }[];
}

export const loadManifest = (): Manifest =>
  JSON.parse(readFileSync(join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as Manifest;

export const fixtureBytes = (file: string): Buffer => readFileSync(join(FIXTURES_DIR, file));

export const FIELD_NAMES = [...VALUE_FIELDS, ...LICENSEE_FIELDS.map((k) => `licensee.${k}` as const)];
export type FieldName = (typeof FIELD_NAMES)[number];

/** One field of a read (null when refused or not read). */
export function fieldOf(read: ScreenshotRead, name: FieldName): EvidenceField<unknown> | null {
  if (!read.ok) return null;
  if (name.startsWith('licensee.')) {
    return read.evidence.licensee[name.slice('licensee.'.length) as (typeof LICENSEE_FIELDS)[number]];
  }
  return read.evidence[name as (typeof VALUE_FIELDS)[number]];
}

export function expectedOf(expected: Expected, name: FieldName): unknown {
  return name.startsWith('licensee.')
    ? expected.licensee[name.slice('licensee.'.length) as (typeof LICENSEE_FIELDS)[number]]
    : expected[name as (typeof VALUE_FIELDS)[number]];
}

export interface Score {
  /** Per field: fixtures read exactly (value, or null where none is shown) out of all. */
  fields: { field: FieldName; exact: number; total: number; misses: string[] }[];
  /** "file: field read X (confidence c), expected Y" for every wrong value at high confidence. */
  wrongHigh: string[];
  pages: { right: number; total: number; wrong: string[] };
  /** Of the values shown and read right, how many were read with high confidence. */
  rightHigh: number;
  rightRead: number;
}

export function scoreReads(reads: { file: string; expected: Expected; read: ScreenshotRead }[]): Score {
  const fields = FIELD_NAMES.map((field) => ({ field, exact: 0, total: 0, misses: [] as string[] }));
  const score: Score = {
    fields,
    wrongHigh: [],
    pages: { right: 0, total: 0, wrong: [] },
    rightHigh: 0,
    rightRead: 0,
  };
  for (const { file, expected, read } of reads) {
    score.pages.total++;
    const page = read.ok ? read.evidence.page : `refused ${read.code}`;
    if (page === expected.page) score.pages.right++;
    else score.pages.wrong.push(`${file}: ${page}, expected ${expected.page}`);
    for (const f of fields) {
      const got = fieldOf(read, f.field);
      const want = expectedOf(expected, f.field);
      f.total++;
      if ((got?.value ?? null) === want) {
        f.exact++;
        if (got) {
          score.rightRead++;
          if (got.confidence >= HIGH_CONFIDENCE) score.rightHigh++;
        }
        continue;
      }
      const said = got ? `${JSON.stringify(got.value)} (confidence ${got.confidence})` : 'nothing';
      f.misses.push(`${file}: read ${said}, expected ${JSON.stringify(want)}`);
      if (got && got.confidence >= HIGH_CONFIDENCE)
        score.wrongHigh.push(`${file}: ${f.field} ${said}, expected ${JSON.stringify(want)}`);
    }
  }
  return score;
}
