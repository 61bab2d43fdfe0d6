/** A package's contents and the problems found in them (each names the file, the field and the rule). */
import type { z } from 'zod';

export interface PackageProblem {
  /** The package file the problem is in. */
  file: string;
  /** The field (JSON path) or file name concerned. */
  field: string;
  /** The rule it breaks, in words. */
  rule: string;
}

/** Package contents: path inside the zip (POSIX) → bytes. */
export type PackageFiles = Map<string, Uint8Array>;

export type Json = Record<string, unknown>;

export function formatProblem(p: PackageProblem): string {
  return `${p.file}: ${p.field}: ${p.rule}`;
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON object in `path`, or null (with the problem) when it is not one; null when absent. */
export function parseJson(files: PackageFiles, path: string, problems: PackageProblem[]): Json | null {
  const bytes = files.get(path);
  if (!bytes) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    problems.push({ file: path, field: '(file)', rule: `must be valid JSON (${(error as Error).message})` });
    return null;
  }
  if (!isObject(value)) {
    problems.push({ file: path, field: '(file)', rule: 'must be a JSON object' });
    return null;
  }
  return value;
}

/** How a path segment is written inside brackets (`list[0]`, `parameters[name]`), or null for `.key`. */
export type Bracket = (parent: readonly PropertyKey[], segment: PropertyKey) => string | null;

const byIndex: Bracket = (_, segment) => (typeof segment === 'number' ? String(segment) : null);

/**
 * A schema's issues as problems of `file`, in the schema's order: the path becomes the field
 * (`a.b`, `list[0]`), and each unknown key is a problem of its own (`location.chat`).
 */
export function issuesToProblems(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  bracket: Bracket = byIndex,
): PackageProblem[] {
  const fieldOf = (path: readonly PropertyKey[]): string =>
    path.reduce<string>((field, segment, i) => {
      const label = bracket(path.slice(0, i), segment);
      if (label !== null) return `${field}[${label}]`;
      return field === '' ? String(segment) : `${field}.${String(segment)}`;
    }, '');
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ file, field: fieldOf([...issue.path, key]), rule: issue.message }))
      : [{ file, field: fieldOf(issue.path), rule: issue.message }],
  );
}
