/** The licensing team's tracker: local records (embedded default) or a GitLab project. */
import { z } from 'zod';
import { choice, HTTP_URL, need, noWhitespace, spec, type RuleContext, type ValuesOf } from './fields.js';

export type TrackerConfig =
  | { kind: 'local' }
  /** `token` is secret. */
  | { kind: 'gitlab'; url: string; token: string; project: string };

export const TRACKER = {
  TRACKER: spec({
    group: 'tracker',
    default: 'local',
    secret: false,
    description:
      'local (records kept in the database, shown in the console) or gitlab (issues in a GitLab project).',
    schema: choice(['local', 'gitlab']).default('local'),
  }),
  GITLAB_URL: spec({
    group: 'tracker',
    default: null,
    secret: false,
    description:
      'Base URL of the GitLab instance holding the request tracker (e.g. https://gitlab.com). Required for gitlab.',
    schema: HTTP_URL.optional(),
  }),
  GITLAB_TOKEN: spec({
    group: 'tracker',
    default: null,
    secret: true,
    description: 'GitLab access token with the api scope on the tracker project. Required for gitlab.',
    schema: z.string().optional(),
  }),
  GITLAB_PROJECT: spec({
    group: 'tracker',
    default: null,
    secret: false,
    description: 'Numeric id or full path (group/project) of the tracker project. Required for gitlab.',
    schema: noWhitespace('a project id or path').optional(),
  }),
};

export function trackerRules(
  v: Partial<ValuesOf<typeof TRACKER>>,
  r: RuleContext<keyof typeof TRACKER>,
): void {
  if (v.TRACKER === 'gitlab')
    r.requireFor('TRACKER=gitlab', ['GITLAB_URL', 'GITLAB_TOKEN', 'GITLAB_PROJECT']);
  if (v.TRACKER === 'local') {
    r.localRefusal(
      'TRACKER',
      v.TRACKER,
      'the licensing team’s tracker would get no records',
      'TRACKER=gitlab',
    );
  }
}

export function trackerConfig(v: ValuesOf<typeof TRACKER>): { tracker: TrackerConfig } {
  return {
    tracker:
      v.TRACKER === 'gitlab'
        ? {
            kind: 'gitlab',
            url: need(v.GITLAB_URL),
            token: need(v.GITLAB_TOKEN),
            project: need(v.GITLAB_PROJECT),
          }
        : { kind: 'local' },
  };
}
