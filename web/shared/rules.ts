/**
 * The nine rules of PRODUCT.md §4 as the form lists them. The API judges (POST /api/v1/eligibility)
 * and sends a sentence for every refusal; a rule it did not refuse is shown with the sentence below.
 * Nothing here decides anything.
 */
import type { CheckResult, Finding } from './api.js';

export interface RuleInfo {
  rule: number;
  code: string;
  title: string;
  passed: string;
  /** Skipped when rule 2 finds no evidence at all. */
  needsEvidence: boolean;
}

export const RULES: readonly RuleInfo[] = [
  {
    rule: 1,
    code: 'INPUT_INVALID',
    title: 'Input complete and well formed',
    passed: 'Every field is present and well formed.',
    needsEvidence: false,
  },
  {
    rule: 2,
    code: 'PROSPECT',
    title: 'Evidence of a previous license',
    passed: 'There is evidence of a previous license.',
    needsEvidence: false,
  },
  {
    rule: 3,
    code: 'NOT_PAID_PLAN',
    title: 'Paid plan',
    passed: 'The previous license is a paid plan (starter, premium or ultimate), not a trial.',
    needsEvidence: true,
  },
  {
    rule: 4,
    code: 'STILL_IN_GRACE',
    title: 'Grace period over',
    passed: 'The grace period has ended: the instance is read-only.',
    needsEvidence: true,
  },
  {
    rule: 5,
    code: 'GRACE_ENDED_TOO_LONG_AGO',
    title: 'Within the emergency window',
    passed: 'The grace period ended recently enough for the emergency path.',
    needsEvidence: true,
  },
  {
    rule: 6,
    code: 'NOT_WEEKEND',
    title: 'Weekend or holiday',
    passed: 'Today is a weekend day or a configured holiday.',
    needsEvidence: true,
  },
  {
    rule: 7,
    code: 'SEATS_BELOW_INSTANCE_PEAK',
    title: "Seats cover the instance's peak",
    passed: 'GitLab will accept the seat count against the instance’s peak users.',
    needsEvidence: true,
  },
  {
    rule: 8,
    code: 'SEATS_IMPLAUSIBLE',
    title: 'Plausible seat count',
    passed: 'The seat count is plausible against the previous license.',
    needsEvidence: true,
  },
  {
    rule: 9,
    code: 'RECENT_EMERGENCY_LICENSE',
    title: 'No emergency license in the last 30 days',
    passed: 'No emergency license was issued for this customer recently.',
    needsEvidence: false,
  },
];

export type RuleState = 'passed' | 'failed' | 'skipped';

export interface RuleRow {
  info: RuleInfo;
  state: RuleState;
  message: string;
}

/** Each rule passed, failed (with the API's sentences) or not judged. */
export function ruleRows(result: CheckResult): RuleRow[] {
  const byCode = new Map<string, Finding[]>();
  for (const refusal of result.refusals)
    byCode.set(refusal.code, [...(byCode.get(refusal.code) ?? []), refusal]);
  const inputInvalid = byCode.has('INPUT_INVALID');
  const prospect = byCode.has('PROSPECT');
  return RULES.map((info) => {
    const refusals = byCode.get(info.code);
    if (refusals) return { info, state: 'failed', message: refusals.map((r) => r.message).join(' ') };
    if (inputInvalid || (prospect && info.needsEvidence))
      return { info, state: 'skipped', message: 'Not judged until the rules above pass.' };
    return { info, state: 'passed', message: info.passed };
  });
}

/** Rules 4–9 may be overridden with a reason; 1–3 never. */
export const MIN_OVERRIDE_REASON = 20;
