/**
 * The rules of PRODUCT.md §4 as the form lists them: titles and sentences come from the API
 * (GET /api/v1/eligibility/rules, the core's catalogue with the configured numbers), and the API
 * judges (POST /api/v1/eligibility). Nothing here decides anything.
 */
import type { ApiClient, CheckResult, EligibilityRules, Finding, RuleInfo } from './api.js';
import { useDebouncedQuery } from './hooks/useDebouncedQuery.js';
import { useState } from 'preact/hooks';

/** `waiting`: refused about fields the engineer has not reached yet (not said until they have). */
export type RuleState = 'passed' | 'failed' | 'skipped' | 'waiting';

export interface RuleRow {
  /** Null for a refusal by a rule the list does not (yet) have. */
  info: RuleInfo | null;
  code: string;
  state: RuleState;
  message: string;
}

/** The refusals of each code, in the order the API gave them (rule order). */
export function refusalsByCode(result: CheckResult): Map<string, Finding[]> {
  const byCode = new Map<string, Finding[]>();
  for (const refusal of result.refusals)
    byCode.set(refusal.code, [...(byCode.get(refusal.code) ?? []), refusal]);
  return byCode;
}

const sentences = (findings: Finding[]): string => findings.map((f) => f.message).join(' ');

/** How the form shows a verdict: codes held back until their fields are reached, sentences of its own. */
export interface RuleView {
  held?: ReadonlySet<string>;
  /** A sentence replacing the API's for a code (rule 1: "fix the fields marked above"). */
  messages?: Readonly<Record<string, string>>;
}

/** The refusals on show (not held back). */
export const shownRefusals = (result: CheckResult, view: RuleView = {}): Finding[] =>
  result.refusals.filter((r) => !view.held?.has(r.code));

/** The verdict in a sentence, and how it reads: eligible, refused, or waiting for fields not reached. */
export function verdictOf(
  result: CheckResult,
  view: RuleView = {},
): { kind: 'eligible' | 'refused' | 'waiting'; text: string } {
  const shown = new Set(shownRefusals(result, view).map((r) => r.code));
  if (result.eligible) return { kind: 'eligible', text: 'Eligible: every rule passes.' };
  if (shown.size === 0)
    return {
      kind: 'waiting',
      text: 'Not judged yet: fill in the previous license or the screenshots’ figures.',
    };
  return {
    kind: 'refused',
    text: `Refused by ${shown.size === 1 ? 'one rule' : `${shown.size} rules`}${
      result.overridable ? ' (can be overridden with a reason)' : ''
    }.`,
  };
}

/**
 * Each rule passed, failed (with the API's sentences) or not judged: nothing after a failed rule 1,
 * and no rule needing evidence when there is none (as the core skips them). A held-back refusal
 * waits.
 */
export function ruleRows(result: CheckResult, rules: readonly RuleInfo[], view: RuleView = {}): RuleRow[] {
  const byCode = refusalsByCode(result);
  const first = rules[0];
  const inputInvalid = first !== undefined && byCode.has(first.code);
  const noEvidence = result.facts.source === 'none';
  const message = (code: string, refusals: Finding[]): string => view.messages?.[code] ?? sentences(refusals);
  const failed = (code: string, refusals: Finding[]): Pick<RuleRow, 'state' | 'message'> =>
    view.held?.has(code)
      ? { state: 'waiting', message: 'Not judged yet: it waits for fields you have not reached.' }
      : { state: 'failed', message: message(code, refusals) };
  const rows: RuleRow[] = rules.map((info) => {
    const refusals = byCode.get(info.code);
    const row = { info, code: info.code };
    if (refusals) return { ...row, ...failed(info.code, refusals) };
    if (inputInvalid || (noEvidence && info.needsEvidence))
      return { ...row, state: 'skipped', message: 'Not judged until the rules above pass.' };
    return { ...row, state: 'passed', message: info.passed };
  });
  const known = new Set(rules.map((r) => r.code));
  for (const [code, refusals] of byCode) {
    if (!known.has(code)) rows.push({ info: null, code, ...failed(code, refusals) });
  }
  return rows;
}

/** Asked once per client: the rules change only when the server restarts with other settings. */
const asked = new WeakMap<ApiClient, Promise<EligibilityRules | null>>();

function askRules(api: ApiClient): Promise<EligibilityRules | null> {
  let answer = asked.get(api);
  if (!answer) {
    answer = api
      .get<EligibilityRules>('/api/v1/eligibility/rules')
      .then((res) => (res.status === 200 && Array.isArray(res.body.rules) ? res.body : null));
    asked.set(api, answer);
    // A failure is not kept: the next form asks again.
    answer.then(
      (rules) => rules ?? asked.delete(api),
      () => asked.delete(api),
    );
  }
  return answer;
}

/** The rules with the configured numbers, or null until (or unless) the API has answered. */
export function useRules(api: ApiClient): EligibilityRules | null {
  const [rules, setRules] = useState<EligibilityRules | null>(null);
  useDebouncedQuery({ key: 'rules', delayMs: 0, ask: () => askRules(api), onAnswer: setRules });
  return rules;
}
