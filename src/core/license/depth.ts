/**
 * How deeply a license's JSON may nest. A real license has three levels (the attributes, the
 * licensee or restrictions object, a value); a signed one nested thousands deep would overflow the
 * stack of whatever walks it next (the API's JSON answer, the CLI's report), so the reader and the
 * writer refuse anything deeper than this, before any recursive walk.
 */
export const MAX_LICENSE_JSON_DEPTH = 64;

/**
 * The top-level key under which `value` nests deeper than `max` levels ("(root)" when `value` is
 * an array), counting `value` itself as level 1; null when it does not. Iterative, with its own
 * stack (run on every license read and write, so without allocations per value). A value built in
 * code that refers to itself ends at the bound like any deep one.
 */
export function tooDeeplyNested(value: unknown, max: number = MAX_LICENSE_JSON_DEPTH): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const root = value as Record<string, unknown>;
  const isArray = Array.isArray(value);
  for (const key in root) {
    const child = root[key];
    if (typeof child === 'object' && child !== null && deeperThan(child, max - 1)) {
      return isArray ? '(root)' : key;
    }
  }
  return null;
}

/** Whether `value` (an object or array, level 1 here) nests more than `max` levels. */
function deeperThan(value: object, max: number): boolean {
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth > max) return true;
    for (const key in current) {
      const child = current[key];
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** The sentence for a refusal by `tooDeeplyNested`. */
export const tooDeeplyNestedMessage = (field: string): string =>
  `${field} is nested more than ${MAX_LICENSE_JSON_DEPTH} levels deep (a license's JSON has three)`;
