/** GET /api/v1/eligibility/rules: the core's catalogue with the configured numbers, for every role. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELIGIBILITY_RULES } from '../../src/core/eligibility/index.js';
import { RulesBody } from '../../src/interfaces/http/routes/eligibility.js';
import { REFUSAL_CODES } from '../core/eligibility/fixtures.js';
import { startApi, type Api } from './helpers.js';

let defaults: Api;
let tuned: Api;
beforeAll(async () => {
  defaults = await startApi();
  tuned = await startApi({
    LIFELINE_GRACE_DAYS: '10',
    LIFELINE_WINDOW_DAYS: '5',
    LIFELINE_WEEKEND_RULE: 'false',
    LIFELINE_REPEAT_WINDOW_DAYS: '45',
    LIFELINE_SEAT_OVERAGE_PERCENT: '15',
    LIFELINE_SEAT_PLAUSIBILITY_FACTOR: '3',
    LIFELINE_SEAT_PLAUSIBILITY_MARGIN: '250',
  });
});
afterAll(async () => {
  await defaults.close();
  await tuned.close();
});

const rulesOf = async (api: Api, token?: string | null) => {
  const res = await api.call('GET', '/api/v1/eligibility/rules', { token });
  expect(res.statusCode).toBe(200);
  return RulesBody.parse(res.json());
};

describe('GET /api/v1/eligibility/rules', () => {
  it('lists rules 1–9 in order with code, title, passed sentence, overridable and needsEvidence, for every role', async () => {
    for (const role of ['engineer', 'licensing', 'admin'] as const) {
      const body = await rulesOf(defaults, defaults.tokens[role]);
      expect(body.rules.map((r) => r.rule)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(body.rules.map((r) => r.code)).toEqual(REFUSAL_CODES);
      expect(body.rules.filter((r) => r.overridable).map((r) => r.rule)).toEqual([4, 5, 6, 7, 8, 9]);
      expect(body.rules.filter((r) => r.needsEvidence).map((r) => r.rule)).toEqual([3, 4, 5, 6, 7, 8]);
      for (const r of body.rules) {
        expect(r.title.length, r.code).toBeGreaterThan(5);
        expect(r.passed, r.code).toMatch(/\.$/);
      }
    }
  });

  const numbers = {
    defaults: { repeat: 30, window: 3, grace: 14, overage: 10, factor: 2, margin: 100, weekend: true },
    'the configured numbers': {
      repeat: 45,
      window: 5,
      grace: 10,
      overage: 15,
      factor: 3,
      margin: 250,
      weekend: false,
    },
  };
  it.each(Object.entries(numbers))('says %s in the titles and sentences', async (name, n) => {
    const { rules, settings } = await rulesOf(name === 'defaults' ? defaults : tuned);
    const text = (code: string) => {
      const rule = rules.find((r) => r.code === code);
      return `${rule?.title} | ${rule?.passed}`;
    };
    expect(text('RECENT_EMERGENCY_LICENSE')).toBe(
      `No emergency license in the last ${n.repeat} days | ` +
        `No emergency license was issued for this customer in the last ${n.repeat} days.`,
    );
    expect(text('GRACE_ENDED_TOO_LONG_AGO')).toContain(`at most ${n.window} days ago`);
    expect(text('STILL_IN_GRACE')).toContain(`(${n.grace} days after expiry)`);
    expect(text('SEATS_BELOW_INSTANCE_PEAK')).toContain(`(plus ${n.overage}%)`);
    expect(text('SEATS_IMPLAUSIBLE')).toContain(
      `${n.factor} × the previous license’s seats and ${n.margin} more`,
    );
    expect(text('NOT_WEEKEND')).toMatch(
      n.weekend ? /a weekend day or a configured holiday/ : /weekend rule is off/,
    );
    expect(settings).toEqual({ windowDays: n.window });
    if (name !== 'defaults') expect(JSON.stringify(rules)).not.toMatch(/30 days|3 days ago|14 days|10%/);
  });

  it('needs credentials', async () => {
    const res = await defaults.call('GET', '/api/v1/eligibility/rules', { token: null });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('is in the OpenAPI document with its full response schema (codes from the catalogue)', async () => {
    const doc = (await defaults.call('GET', '/api/v1/openapi.json', { token: null })).json();
    const op = doc.paths['/api/v1/eligibility/rules'].get;
    expect(op.security).toBeUndefined();
    const schema = op.responses['200'].content['application/json'].schema;
    expect(schema.additionalProperties).toBe(false);
    const rule = schema.properties.rules.items;
    expect(rule.additionalProperties).toBe(false);
    expect(Object.keys(rule.properties).sort()).toEqual(
      ['code', 'needsEvidence', 'overridable', 'passed', 'rule', 'title'].sort(),
    );
    expect(rule.properties.code.enum).toEqual(ELIGIBILITY_RULES.map((r) => r.code));
    expect(op.responses['401']).toBeDefined();
  });
});
