import type { EligibilityResult } from '../eligibility/index.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import { prepare, type IssueInput } from './prepare.js';
import { useCase, type Outcome } from '../outcome.js';

/** Eligibility only (PRODUCT.md §8 `check`): nothing is stored. */
export function checkRequest(
  input: IssueInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Outcome<EligibilityResult> {
  return useCase(async () => {
    return (await prepare(input, ports, settings)).eligibility;
  });
}
