/**
 * How deeply a license's JSON may nest. A real license has three levels (the attributes, the
 * licensee or restrictions object, a value); a signed one nested thousands deep would overflow the
 * stack of whatever walks it next (the API's JSON answer, the CLI's report), so the reader and the
 * writer refuse anything deeper than this, before any recursive walk.
 */
export const MAX_LICENSE_JSON_DEPTH = 64;

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;

/**
 * The top-level key under which `value` nests deeper than `max` levels ("(root)" when `value` is
 * an array), counting `value` itself as level 1; null when it does not. Iterative, with its own
 * stack; each object or array is visited once (a value built in code may share or cycle).
 */
export function tooDeeplyNested(value: unknown, max: number = MAX_LICENSE_JSON_DEPTH): string | null {
  if (!isContainer(value)) return null;
  const seen = new Set<object>([value]);
  const pending: { value: object; depth: number; field: string }[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (isContainer(child))
      pending.push({ value: child, depth: 2, field: Array.isArray(value) ? '(root)' : key });
  }
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.depth > max) return next.field;
    if (seen.has(next.value)) continue;
    seen.add(next.value);
    for (const child of Object.values(next.value)) {
      if (isContainer(child)) pending.push({ value: child, depth: next.depth + 1, field: next.field });
    }
  }
  return null;
}

/** The sentence for a refusal by `tooDeeplyNested`. */
export const tooDeeplyNestedMessage = (field: string): string =>
  `${field} is nested more than ${MAX_LICENSE_JSON_DEPTH} levels deep (a license's JSON has three)`;
