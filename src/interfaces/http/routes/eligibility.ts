/**
 * `GET /api/v1/eligibility/rules` (any signed-in role): the rules of §4 from the core's catalogue,
 * with the numbers this instance is configured with, so that the forms never keep a copy.
 */
import { z } from 'zod';
import { describeRules, ELIGIBILITY_RULES, type EligibilityConfig } from '../../../core/eligibility/index.js';
import type { ApiRoute } from '../route.js';

const RuleBody = z
  .object({
    rule: z.number().int().min(1),
    code: z.enum(ELIGIBILITY_RULES.map((r) => r.code)),
    title: z.string(),
    passed: z.string(),
    overridable: z.boolean(),
    needsEvidence: z.boolean(),
  })
  .strict();

/** What a form draws besides the rules: the emergency window after the grace period (the timeline). */
const SettingsBody = z.object({ windowDays: z.number().int().min(0) }).strict();

export const RulesBody = z.object({ rules: z.array(RuleBody), settings: SettingsBody }).strict();
export type RulesBody = z.infer<typeof RulesBody>;

export function rulesJson(config: EligibilityConfig): RulesBody {
  return {
    rules: describeRules(config, ELIGIBILITY_RULES),
    settings: { windowDays: config.windowDays },
  };
}

export const eligibilityRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/eligibility/rules',
    summary: 'The eligibility rules in order, with their titles and the configured numbers',
    responses: {
      200: {
        description:
          'each rule: number, code, title, passed sentence, overridable, needs evidence; the emergency window',
        schema: RulesBody,
      },
    },
    async handler(ctx) {
      return rulesJson(ctx.app.settings.eligibility);
    },
  },
];
