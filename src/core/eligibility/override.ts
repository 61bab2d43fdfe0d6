/** Overrides (§4): which refusals a written reason may override, and what a valid reason is. */
import { OVERRIDE_REASON_MIN_LENGTH, REASON_MAX_LENGTH } from '../limits.js';
import { ELIGIBILITY_RULES, type RefusalCode } from './rules.js';
import type { Finding } from './types.js';

/** The codes a written reason may override (rules 4–9), from the catalogue. */
export const OVERRIDABLE_CODES: readonly RefusalCode[] = Object.freeze(
  ELIGIBILITY_RULES.filter((r) => r.overridable).map((r) => r.code),
);

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
