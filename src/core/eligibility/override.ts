/** Overrides (§4): which refusals a written reason may override, and what a valid reason is. */
import { OVERRIDE_REASON_MIN_LENGTH, REASON_MAX_LENGTH } from '../limits.js';
import { ELIGIBILITY_RULES, type EligibilityRule, type RefusalCode } from './rules.js';
import type { Finding } from './types.js';

/** The codes a written reason may override (rules 4–9), from the catalogue. */
export const OVERRIDABLE_CODES: readonly RefusalCode[] = Object.freeze(
  ELIGIBILITY_RULES.filter((r) => r.overridable).map((r) => r.code),
);

/** The numbers of the rules a written reason may override, for help texts: "4–9" (ranges joined by ", "). */
export function overridableRuleNumbers(rules: readonly EligibilityRule[] = ELIGIBILITY_RULES): string {
  const numbers = rules.flatMap((r, i) => (r.overridable ? [i + 1] : []));
  const ranges: string[] = [];
  for (let i = 0; i < numbers.length;) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === (numbers[j] ?? 0) + 1) j++;
    ranges.push(i === j ? `${numbers[i]}` : `${numbers[i]}–${numbers[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

/** Control characters other than tab and line breaks (a reason may span lines). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * A written reason: text of at least 20 and at most 2000 characters (code points) after trimming,
 * without control characters other than tabs and line breaks. Null when valid.
 */
export function validateOverrideReason(reason: unknown): Finding<'OVERRIDE_REASON_INVALID'> | null {
  const invalid = (why: string): Finding<'OVERRIDE_REASON_INVALID'> => ({
    code: 'OVERRIDE_REASON_INVALID',
    field: 'overrideReason',
    message: `The override reason ${why}.`,
  });
  if (reason === undefined || reason === null) {
    return invalid(
      `is required: write why the rules should not apply (at least ${OVERRIDE_REASON_MIN_LENGTH} characters)`,
    );
  }
  if (typeof reason !== 'string') return invalid('must be text');
  const text = reason.trim();
  const length = [...text].length;
  if (length < OVERRIDE_REASON_MIN_LENGTH) {
    return invalid(
      `is ${length} characters long; at least ${OVERRIDE_REASON_MIN_LENGTH} are needed to explain it`,
    );
  }
  if (length > REASON_MAX_LENGTH) {
    return invalid(`is ${length} characters long; at most ${REASON_MAX_LENGTH} are allowed`);
  }
  if (CONTROL.test(text)) return invalid('must not contain control characters');
  return null;
}
