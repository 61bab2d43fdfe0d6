import type { EligibilityResult } from '../eligibility/index.js';
import type { IssuancePorts, IssuanceSettings } from './context.js';
import { prepare, type IssueInput } from './prepare.js';

/** Eligibility only (PRODUCT.md §8 `check`): nothing is stored. */
export async function checkRequest(
  input: IssueInput,
  ports: IssuancePorts,
  settings: IssuanceSettings,
): Promise<EligibilityResult> {
  return (await prepare(input, ports, settings)).eligibility;
}
