/**
 * `GET /api/v1/eligibility/rules` (any signed-in role): the rules of §4 from the core's catalogue,
 * with the numbers this instance is configured with, so that the forms never keep a copy.
 */
import { z } from 'zod';
import { describeRules, ELIGIBILITY_RULES, type EligibilityConfig } from '../../../core/eligibility/index.js';
import { percentOf } from '../../../core/eligibility/text.js';
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

const days = z.number().int().min(0);
const SettingsBody = z
  .object({
    graceDays: days,
    windowDays: days,
    weekendRule: z.boolean(),
    repeatWindowDays: days,
    seatOveragePercent: z.number().min(0).max(100),
    implausibleFactor: z.number(),
    implausibleMargin: z.number().int(),
    maxSeats: z.number().int(),
  })
  .strict();

export const RulesBody = z.object({ rules: z.array(RuleBody), settings: SettingsBody }).strict();
export type RulesBody = z.infer<typeof RulesBody>;

export function rulesJson(config: EligibilityConfig): RulesBody {
  return {
    rules: describeRules(config, ELIGIBILITY_RULES),
    settings: {
      graceDays: config.graceDays,
      windowDays: config.windowDays,
      weekendRule: config.weekendRule,
      repeatWindowDays: config.repeatWindowDays,
      seatOveragePercent: percentOf(config.seatOverage),
      implausibleFactor: config.implausibleFactor,
      implausibleMargin: config.implausibleMargin,
      maxSeats: config.maxSeats,
    },
  };
}

export const eligibilityRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/eligibility/rules',
    summary: 'The eligibility rules in order, with their titles and the configured numbers',
    responses: {
      200: {
        description: 'each rule: number, code, title, passed sentence, overridable, needs evidence',
        schema: RulesBody,
      },
    },
    async handler(ctx) {
      return rulesJson(ctx.app.settings.eligibility);
    },
  },
];
