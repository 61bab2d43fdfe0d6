/**
 * The IssueTracker port on a GitLab project (PRODUCT.md §6.2), through @gitbeaker/rest.
 *
 * gitbeaker's own request handler retries 429 and 502 ten times and rate-limits in memory; here it is
 * replaced by a single-attempt requester (`singleAttemptRequester`) so that the caller's outbox alone
 * decides retries, a 429's `Retry-After` reaches the worker, and every call has a timeout. Failures
 * become `DeliveryError`s by the table in ../http-errors.ts.
 *
 * `createIssue` is find-or-create: it first looks for the issue carrying the request's marker
 * (`lifeline-request: <id>`), creates one only if none exists, then makes sure a success issue is
 * closed. A crash (or a lost reply) between any two steps is therefore repaired by the next attempt
 * instead of producing a second issue. An issue found with another title is the request's issue
 * from an earlier state (a failure before a successful retry): it is edited into this one, as
 * `updateIssue` does (one PUT: title, description, labels, state_event).
 */
import { TRACKER_LABEL, requestMarker } from '../../core/deliveries/messages.js';
import { IssueNotes, Issues, ProjectLabels, Projects } from '@gitbeaker/rest';
import {
  DeliveryError,
  type IssueTracker,
  type TrackerIssue,
  type TrackerRef,
} from '../../core/deliveries/ports.js';
import { DEFAULT_TIMEOUT_MS, networkError, statusError } from '../http-errors.js';

/** The label every Lifeline issue carries (§6.2). */
export { TRACKER_LABEL as EMERGENCY_LABEL, requestMarker };

export interface GitLabTrackerOptions {
  /** The GitLab instance, e.g. `https://gitlab.example.com` (without `/api/v4`). */
  url: string;
  token: string;
  /** Numeric project id or `group/project` path. */
  project: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

type ResourceOptions = ConstructorParameters<typeof Issues>[0];
type RequesterFn = NonNullable<ResourceOptions['requesterFn']>;
type Requester = ReturnType<RequesterFn>;

interface IssueReply {
  iid: number;
  title?: string;
  web_url?: string;
  state?: string;
  description?: string | null;
}

/** A reply GitLab gave with a non-2xx status (thrown by the requester, classified by the adapter). */
export class GitLabHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
    readonly detail: string,
  ) {
    super(`GitLab replied ${status}`);
    this.name = 'GitLabHttpError';
  }
}

/** No reply at all (network error or timeout). */
class GitLabNetworkError extends Error {
  constructor(readonly original: unknown) {
    super('GitLab could not be reached');
    this.name = 'GitLabNetworkError';
  }
}

export function createGitLabTracker(options: GitLabTrackerOptions): IssueTracker {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const project = options.project;
  const secrets = [options.token];
  const config = {
    host: options.url.replace(/\/+$/, ''),
    token: options.token,
    queryTimeout: timeoutMs,
    rateLimits: {},
    requesterFn: singleAttemptRequester(timeoutMs),
  };
  const issues = new Issues(config);
  const notes = new IssueNotes(config);
  const projects = new Projects(config);
  const labels = new ProjectLabels(config);

  const where = `GitLab project ${project}`;

  /** Runs one gitbeaker call and turns any failure into a DeliveryError. */
  async function call<T>(what: string, notFound: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw classify(error, what, notFound);
    }
  }

  function classify(error: unknown, what: string, notFound: string): DeliveryError {
    if (error instanceof DeliveryError) return error;
    if (error instanceof GitLabHttpError) {
      const e = statusError(error.status, {
        service: 'GitLab',
        unauthorized: 'GitLab refused the token',
        forbidden: `GitLab denied the token access to ${what} in project ${project}`,
        notFound,
        detail: error.detail,
        retryAfter: error.retryAfter,
        secrets,
      });
      return new DeliveryError(e.kind, e.message, e.retryAfterMs);
    }
    if (error instanceof GitLabNetworkError)
      return networkError('GitLab', error.original, timeoutMs, secrets);
    return networkError('GitLab', error, timeoutMs, secrets);
  }

  async function findIssue(requestId: string): Promise<IssueReply | null> {
    const marker = requestMarker(requestId);
    const found = (await call('the issues', `${where} not found`, () =>
      issues.all({
        projectId: project,
        search: marker,
        in: 'description',
        orderBy: 'created_at',
        sort: 'asc',
        perPage: 100,
        maxPages: 3,
      }),
    )) as unknown as IssueReply[];
    return found.find((issue) => hasMarker(issue.description, marker)) ?? null;
  }

  /** One PUT making issue `iid` this issue: title, description, labels, and closed or open. */
  async function edit(iid: number, issue: TrackerIssue): Promise<TrackerRef> {
    const edited = (await call('issues', `issue #${iid} not found in ${where}`, () =>
      issues.edit(project, iid, {
        title: issue.title,
        description: issue.description,
        labels: issue.labels.join(','),
        stateEvent: issue.closed ? 'close' : 'reopen',
      }),
    )) as unknown as IssueReply;
    return toRef({ ...edited, iid: edited.iid ?? iid });
  }

  const tracker: IssueTracker = {
    async findIssueForRequest(requestId) {
      const issue = await findIssue(requestId);
      return issue === null ? null : toRef(issue);
    },

    async createIssue(issue: TrackerIssue) {
      requireMarker(issue);
      let current = await findIssue(issue.requestId);
      if (current !== null && current.title !== issue.title) {
        // The request's issue from an earlier state (a failure, then a retry that succeeded).
        return edit(current.iid, issue);
      }
      if (current === null) {
        current = (await call('issues', `${where} not found`, () =>
          issues.create(project, issue.title, {
            description: issue.description,
            labels: issue.labels.join(','),
            confidential: true,
          }),
        )) as unknown as IssueReply;
      }
      if (issue.closed && current.state !== 'closed') {
        const iid = current.iid;
        try {
          await issues.edit(project, iid, { stateEvent: 'close' });
        } catch (error) {
          const e = classify(error, 'issues', `issue #${iid} not found in ${where}`);
          throw new DeliveryError(
            e.kind,
            `issue #${iid} was created but not closed: ${e.message}`,
            e.retryAfterMs,
          );
        }
      }
      return toRef(current);
    },

    async updateIssue(ref: TrackerRef, issue: TrackerIssue) {
      requireMarker(issue);
      return edit(issueNumber(ref), issue);
    },

    async addNote(ref: TrackerRef, body: string) {
      const iid = issueNumber(ref);
      await call('issue notes', `issue #${iid} not found in ${where}`, () =>
        notes.create(project, iid, body),
      );
    },

    async verify() {
      const shown = (await call('the project', `${where} not found`, () =>
        projects.show(project),
      )) as unknown as {
        id?: number;
        path_with_namespace?: string;
      };
      const name = shown.path_with_namespace ?? project;
      let label: string;
      try {
        await labels.show(project, TRACKER_LABEL);
        label = `label "${TRACKER_LABEL}" exists`;
      } catch (error) {
        if (!(error instanceof GitLabHttpError && error.status === 404)) {
          throw classify(error, 'labels', `${where} not found`);
        }
        label = `warning: label "${TRACKER_LABEL}" does not exist yet (GitLab creates it with the first issue)`;
      }
      return `GitLab project ${name}${shown.id === undefined ? '' : ` (id ${shown.id})`} is reachable; ${label}`;
    },
  };
  return tracker;
}

/** Refuses an issue whose description lacks its marker: it could never be found again. */
function requireMarker(issue: TrackerIssue): void {
  if (!hasMarker(issue.description, requestMarker(issue.requestId))) {
    throw new DeliveryError(
      'permanent',
      `the issue description lacks its marker "${requestMarker(issue.requestId)}"; it could not be found again`,
    );
  }
}

function issueNumber(ref: TrackerRef): number {
  const iid = Number(ref.iid);
  if (!Number.isInteger(iid) || iid <= 0) {
    throw new DeliveryError('permanent', `"${ref.iid}" is not a GitLab issue number`);
  }
  return iid;
}

function toRef(issue: IssueReply): TrackerRef {
  return { iid: String(issue.iid), url: issue.web_url ?? null };
}

/** The marker, not followed by more of an id (`req_1` must not match `req_12`). */
function hasMarker(description: string | null | undefined, marker: string): boolean {
  if (!description) return false;
  let at = description.indexOf(marker);
  while (at !== -1) {
    const next = description.charAt(at + marker.length);
    if (!/[A-Za-z0-9_-]/.test(next)) return true;
    at = description.indexOf(marker, at + 1);
  }
  return false;
}

/**
 * A gitbeaker requester that makes exactly one attempt per call (no retries, no rate limiter), with a
 * timeout, and throws `GitLabHttpError` / `GitLabNetworkError` so the status and `Retry-After` survive.
 */
export function singleAttemptRequester(timeoutMs: number): RequesterFn {
  return (service) => {
    async function send(method: string, endpoint: string, options: RequestArgs = {}) {
      const headers: Record<string, string> = { ...service.headers, accept: 'application/json' };
      for (const [name, value] of Object.entries(service.authHeaders)) headers[name] = await value();
      let body: string | undefined;
      if (options.body !== undefined && !(options.body instanceof FormData)) {
        body = JSON.stringify(snakeKeys(options.body));
        headers['content-type'] = 'application/json';
      }
      const base = service.url.endsWith('/') ? service.url : `${service.url}/`;
      const url = new URL(endpoint, base);
      url.search = query(options.searchParams);
      const signal = options.signal
        ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, { method, headers, body, signal, redirect: 'error' });
        text = await response.text();
      } catch (error) {
        throw new GitLabNetworkError(error);
      }
      if (!response.ok) {
        throw new GitLabHttpError(response.status, response.headers.get('retry-after'), errorText(text));
      }
      const type = response.headers.get('content-type') ?? '';
      let parsed: unknown = text;
      if (response.status === 204 || text === '') parsed = null;
      else if (type.includes('json')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new GitLabHttpError(502, null, 'the reply was not valid JSON');
        }
      }
      return {
        body: parsed,
        headers: Object.fromEntries(response.headers.entries()),
        status: response.status,
      };
    }
    const requester = {
      get: (endpoint: string, options?: RequestArgs) => send('GET', endpoint, options),
      post: (endpoint: string, options?: RequestArgs) => send('POST', endpoint, options),
      put: (endpoint: string, options?: RequestArgs) => send('PUT', endpoint, options),
      patch: (endpoint: string, options?: RequestArgs) => send('PATCH', endpoint, options),
      delete: (endpoint: string, options?: RequestArgs) => send('DELETE', endpoint, options),
    };
    return requester as unknown as Requester;
  };
}

interface RequestArgs {
  body?: FormData | Record<string, unknown>;
  searchParams?: Record<string, unknown>;
  signal?: AbortSignal;
}

function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function snakeKeys(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [snake(k), v]));
}

function query(params: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) search.append(`${snake(key)}[]`, String(v));
    else search.append(snake(key), String(value));
  }
  return search.toString();
}

/** GitLab's error bodies: `{"message": "404 Project Not Found"}`, `{"message": {"title": ["is too long"]}}`, `{"error": "…"}`. */
function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown };
    const value = parsed.error_description ?? parsed.message ?? parsed.error;
    if (value === undefined) return text;
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return text;
  }
}
