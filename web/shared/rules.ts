/**
 * The rules of PRODUCT.md §4 as the form lists them: titles and sentences come from the API
 * (GET /api/v1/eligibility/rules, the core's catalogue with the configured numbers), and the API
 * judges (POST /api/v1/eligibility). Nothing here decides anything.
 */
import type { ApiClient, CheckResult, EligibilityRules, Finding, RuleInfo } from './api.js';
import { useDebouncedQuery } from './hooks/useDebouncedQuery.js';
import { useState } from 'preact/hooks';

export type RuleState = 'passed' | 'failed' | 'skipped';

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

/**
 * Each rule passed, failed (with the API's sentences) or not judged: nothing after a failed rule 1,
 * and no rule needing evidence when there is none (as the core skips them).
 */
export function ruleRows(result: CheckResult, rules: readonly RuleInfo[]): RuleRow[] {
  const byCode = refusalsByCode(result);
  const first = rules[0];
  const inputInvalid = first !== undefined && byCode.has(first.code);
  const noEvidence = result.facts.source === 'none';
  const rows: RuleRow[] = rules.map((info) => {
    const refusals = byCode.get(info.code);
    const row = { info, code: info.code };
    if (refusals) return { ...row, state: 'failed', message: sentences(refusals) };
    if (inputInvalid || (noEvidence && info.needsEvidence))
      return { ...row, state: 'skipped', message: 'Not judged until the rules above pass.' };
    return { ...row, state: 'passed', message: info.passed };
  });
  const known = new Set(rules.map((r) => r.code));
  for (const [code, refusals] of byCode) {
    if (!known.has(code)) rows.push({ info: null, code, state: 'failed', message: sentences(refusals) });
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
