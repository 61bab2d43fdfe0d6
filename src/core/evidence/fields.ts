/**
 * The screenshot fields' names and labels and the confidence the reader calls high, written once:
 * the core, the CLI and the web forms import them. Pure, without imports, so that the web bundles
 * it as it is (as src/core/limits.ts).
 */

/** 0–1; a field at least this sure is not expected to be wrong; below it, it is shown for checking. */
export const HIGH_CONFIDENCE = 0.9;

/** The fields that hold one value each (everything but `page` and `licensee`). */
export const VALUE_FIELDS = [
  'plan',
  'startedAt',
  'expiresAt',
  'previousSeats',
  'billableUsers',
  'maximumUsers',
  'usersOverSubscription',
  'activeUsers',
  'gitlabVersion',
] as const;
export type ValueFieldName = (typeof VALUE_FIELDS)[number];

/** Each value field's name for people, as GitLab's pages label it. */
export const FIELD_LABELS: Record<ValueFieldName, string> = {
  plan: 'Plan',
  startedAt: 'Started',
  expiresAt: 'Expires',
  previousSeats: 'Users in subscription',
  billableUsers: 'Billable users',
  maximumUsers: 'Maximum users',
  usersOverSubscription: 'Users over subscription',
  activeUsers: 'Active users',
  gitlabVersion: 'GitLab version',
};

/** The fields both an issue call and a screenshot carry: filled from a read, compared with it. */
export const COMPARED_FIELDS = [
  'plan',
  'expiresAt',
  'previousSeats',
  'maximumUsers',
  'billableUsers',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];
