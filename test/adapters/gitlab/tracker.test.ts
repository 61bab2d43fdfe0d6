import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitLabTracker, EMERGENCY_LABEL, requestMarker } from '../../../src/adapters/gitlab/tracker.js';
import { DeliveryError, type IssueTracker, type TrackerIssue } from '../../../src/core/deliveries/ports.js';
import { startHttpPeer, type HttpPeer, type RecordedRequest } from '../../helpers/http-peer.js';

const TOKEN = 'glpat-SECRET-token-1234567890';
const PROJECT = 'support/licensing-requests';
const P = `/api/v4/projects/${encodeURIComponent(PROJECT)}`;

interface FakeIssue {
  iid: number;
  title: string;
  description: string;
  labels: string[];
  confidential: boolean;
  state: 'opened' | 'closed';
  web_url: string;
}

/** The parts of the GitLab v4 issues API the tracker uses, with GitLab's reply shapes. */
function fakeGitLab(peer: HttpPeer) {
  const issues: FakeIssue[] = [];
  const notes: { iid: number; body: string }[] = [];
  const issueJson = (i: FakeIssue) => ({
    id: 1000 + i.iid,
    iid: i.iid,
    project_id: 42,
    title: i.title,
    description: i.description,
    state: i.state,
    labels: i.labels,
    confidential: i.confidential,
    web_url: i.web_url,
    created_at: '2025-01-04T10:00:00.000Z',
  });
  peer.on('GET', P, {
    body: { id: 42, path_with_namespace: PROJECT, web_url: `https://gitlab.example/${PROJECT}` },
  });
  peer.on('GET', `${P}/issues`, (req) => {
    const search = req.query['search'] ?? '';
    const found = issues.filter((i) => i.description.includes(search));
    return { body: found.map(issueJson), headers: { 'x-total': String(found.length), 'x-page': '1' } };
  });
  peer.on('POST', `${P}/issues`, (req) => {
    const body = req.body as { title: string; description: string; labels: string; confidential: boolean };
    const iid = issues.length + 1;
    const issue: FakeIssue = {
      iid,
      title: body.title,
      description: body.description,
      labels: body.labels.split(','),
      confidential: body.confidential,
      state: 'opened',
      web_url: `https://gitlab.example/${PROJECT}/-/issues/${iid}`,
    };
    issues.push(issue);
    return { status: 201, body: issueJson(issue) };
  });
  peer.on('PUT', new RegExp(`^${escape(P)}/issues/(\\d+)$`), (req) => {
    const iid = Number(/(\d+)$/.exec(req.path)?.[1]);
    const issue = issues.find((i) => i.iid === iid);
    if (!issue) return { status: 404, body: { message: '404 Issue Not Found' } };
    const edit = req.body as { state_event?: string; title?: string; description?: string; labels?: string };
    if (edit.state_event === 'close') issue.state = 'closed';
    if (edit.state_event === 'reopen') issue.state = 'opened';
    if (edit.title !== undefined) issue.title = edit.title;
    if (edit.description !== undefined) issue.description = edit.description;
    if (edit.labels !== undefined) issue.labels = edit.labels.split(',');
    return { body: issueJson(issue) };
  });
  peer.on('POST', new RegExp(`^${escape(P)}/issues/(\\d+)/notes$`), (req) => {
    const iid = Number(/issues\/(\d+)\/notes$/.exec(req.path)?.[1]);
    if (!issues.some((i) => i.iid === iid)) return { status: 404, body: { message: '404 Not found' } };
    notes.push({ iid, body: (req.body as { body: string }).body });
    return {
      status: 201,
      body: { id: 9000 + notes.length, body: (req.body as { body: string }).body, noteable_iid: iid },
    };
  });
  return { issues, notes };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function successIssue(requestId = 'req_01J9ABC'): TrackerIssue {
  return {
    requestId,
    title: '[Success] - Created a license under admin@customer.example for 120 users',
    description: `Ticket: https://support.example/agent/tickets/4711\n\nSeats: 120\n\n<!-- ${requestMarker(requestId)} -->`,
    labels: [EMERGENCY_LABEL, 'licensing'],
    confidential: true,
    closed: true,
  };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).not.toContain(TOKEN);
    return error as DeliveryError;
  }
  throw new Error('expected a DeliveryError');
}

const writes = (peer: HttpPeer): RecordedRequest[] => peer.requests.filter((r) => r.method !== 'GET');

describe('GitLab tracker', () => {
  let peer: HttpPeer;
  let tracker: IssueTracker;

  beforeEach(async () => {
    peer = await startHttpPeer();
    tracker = createGitLabTracker({ url: peer.url, token: TOKEN, project: PROJECT, timeoutMs: 500 });
  });
  afterEach(async () => {
    await peer.close();
  });

  it('creates a confidential, labelled issue and closes it (success issue)', async () => {
    const gitlab = fakeGitLab(peer);
    const ref = await tracker.createIssue(successIssue());

    expect(ref).toEqual({ iid: '1', url: `https://gitlab.example/${PROJECT}/-/issues/1` });
    const [search, create, close] = peer.requests;
    expect(search).toMatchObject({ method: 'GET', path: `${P}/issues` });
    expect(search?.query).toMatchObject({ search: 'lifeline-request: req_01J9ABC', in: 'description' });
    expect(search?.query['state']).toBeUndefined(); // any state
    expect(create).toMatchObject({
      method: 'POST',
      path: `${P}/issues`,
      body: {
        title: '[Success] - Created a license under admin@customer.example for 120 users',
        description: successIssue().description,
        labels: 'Mechanizer::Emergency License Generation,licensing',
        confidential: true,
      },
    });
    expect(create?.headers['private-token']).toBe(TOKEN);
    expect(create?.headers['content-type']).toContain('application/json');
    expect(close).toMatchObject({ method: 'PUT', path: `${P}/issues/1`, body: { state_event: 'close' } });
    expect(peer.requests).toHaveLength(3);
    expect(gitlab.issues[0]?.state).toBe('closed');
  });

  it('leaves a failure issue open', async () => {
    const gitlab = fakeGitLab(peer);
    const issue = {
      ...successIssue('req_fail'),
      title: '[Failure] - Could not create a license under a@b.example for 5 users',
      closed: false,
    };
    await tracker.createIssue(issue);
    expect(writes(peer).map((r) => r.method)).toEqual(['POST']);
    expect(gitlab.issues[0]).toMatchObject({ state: 'opened', confidential: true });
  });

  it('find-or-create: does not create a second issue when one with the marker exists', async () => {
    const gitlab = fakeGitLab(peer);
    const first = await tracker.createIssue(successIssue());
    const second = await tracker.createIssue(successIssue());
    expect(second).toEqual(first);
    expect(gitlab.issues).toHaveLength(1);
    expect(peer.requestsTo('POST', `${P}/issues`)).toHaveLength(1);
    // Already closed: no second close either.
    expect(peer.requestsTo('PUT')).toHaveLength(1);
  });

  it('closes an existing issue that a crash left open', async () => {
    const gitlab = fakeGitLab(peer);
    await tracker.createIssue({ ...successIssue(), closed: false }); // as if the close never happened
    const ref = await tracker.createIssue(successIssue());
    expect(ref.iid).toBe('1');
    expect(gitlab.issues).toHaveLength(1);
    expect(gitlab.issues[0]?.state).toBe('closed');
  });

  it('500 twice then 201 through repeated createIssue calls creates exactly one issue', async () => {
    const gitlab = fakeGitLab(peer);
    peer.once('POST', `${P}/issues`, { status: 500, body: { message: '500 Internal Server Error' } });
    peer.once('POST', `${P}/issues`, { status: 500, body: { message: '500 Internal Server Error' } });

    const e1 = await failure(tracker.createIssue(successIssue()));
    const e2 = await failure(tracker.createIssue(successIssue()));
    expect([e1.kind, e2.kind]).toEqual(['temporary', 'temporary']);
    const ref = await tracker.createIssue(successIssue());
    expect(ref.iid).toBe('1');
    // A retry after a success finds it again instead of creating another.
    await tracker.createIssue(successIssue());
    expect(gitlab.issues).toHaveLength(1);
    // No internal retries: one POST per createIssue call that got that far.
    expect(peer.requestsTo('POST', `${P}/issues`)).toHaveLength(3);
  });

  it('a close that fails after the create is temporary, and the next attempt only closes', async () => {
    const gitlab = fakeGitLab(peer);
    peer.once('PUT', `${P}/issues/1`, { status: 502, body: '<html>Bad gateway</html>' });
    const error = await failure(tracker.createIssue(successIssue()));
    expect(error.kind).toBe('temporary');
    expect(error.message).toContain('issue #1 was created but not closed');
    expect(gitlab.issues[0]?.state).toBe('opened');

    await tracker.createIssue(successIssue());
    expect(gitlab.issues).toHaveLength(1);
    expect(gitlab.issues[0]?.state).toBe('closed');
  });

  it('updateIssue makes the failure issue the success issue: one PUT with title, description and close', async () => {
    const gitlab = fakeGitLab(peer);
    const failureIssue = {
      ...successIssue(),
      title: '[Failure] - Could not create a license under admin@customer.example for 120 users',
      description: `No license could be generated.\n\n${requestMarker('req_01J9ABC')}`,
      closed: false,
    };
    const ref = await tracker.createIssue(failureIssue);
    expect(gitlab.issues[0]?.state).toBe('opened');

    const updated = await tracker.updateIssue(ref, successIssue());
    expect(updated).toEqual(ref);
    const put = peer.requestsTo('PUT', `${P}/issues/1`);
    expect(put).toHaveLength(1);
    expect(put[0]?.body).toEqual({
      title: successIssue().title,
      description: successIssue().description,
      labels: 'Mechanizer::Emergency License Generation,licensing',
      state_event: 'close',
    });
    expect(gitlab.issues).toHaveLength(1);
    expect(gitlab.issues[0]).toMatchObject({
      title: successIssue().title,
      description: successIssue().description,
      state: 'closed',
    });
  });

  it("createIssue finding the request's issue under another title (a crash after a retry) edits it, never a second one", async () => {
    const gitlab = fakeGitLab(peer);
    await tracker.createIssue({
      ...successIssue(),
      title: '[Failure] - Could not create a license under admin@customer.example for 120 users',
      closed: false,
    });
    const ref = await tracker.createIssue(successIssue());
    expect(ref.iid).toBe('1');
    expect(gitlab.issues).toHaveLength(1);
    expect(gitlab.issues[0]).toMatchObject({ title: successIssue().title, state: 'closed' });
    expect(peer.requestsTo('POST', `${P}/issues`)).toHaveLength(1);
  });

  it('updateIssue refuses a description without its marker and a ref that is no issue number', async () => {
    fakeGitLab(peer);
    expect(
      (await failure(tracker.updateIssue({ iid: '1', url: null }, { ...successIssue(), description: 'x' })))
        .kind,
    ).toBe('permanent');
    expect((await failure(tracker.updateIssue({ iid: 'iss_local', url: null }, successIssue()))).kind).toBe(
      'permanent',
    );
    expect(peer.requests).toHaveLength(0);
  });

  it('findIssueForRequest matches the exact marker only', async () => {
    fakeGitLab(peer);
    await tracker.createIssue(successIssue('req_12'));
    expect(await tracker.findIssueForRequest('req_1')).toBeNull();
    expect(await tracker.findIssueForRequest('req_12')).toEqual({
      iid: '1',
      url: `https://gitlab.example/${PROJECT}/-/issues/1`,
    });
  });

  it('refuses an issue whose description lacks the marker (it could never be found again)', async () => {
    fakeGitLab(peer);
    const error = await failure(tracker.createIssue({ ...successIssue(), description: 'no marker' }));
    expect(error.kind).toBe('permanent');
    expect(peer.requests).toHaveLength(0);
  });

  it('adds a note', async () => {
    const gitlab = fakeGitLab(peer);
    const ref = await tracker.createIssue(successIssue());
    await tracker.addNote(ref, 'The email to admin@customer.example bounced: 550 no such user');
    const note = peer.requestsTo('POST', `${P}/issues/1/notes`)[0];
    expect(note?.body).toEqual({ body: 'The email to admin@customer.example bounced: 550 no such user' });
    expect(note?.headers['private-token']).toBe(TOKEN);
    expect(gitlab.notes).toEqual([
      { iid: 1, body: 'The email to admin@customer.example bounced: 550 no such user' },
    ]);
  });

  it('401 → permanent "GitLab refused the token (401)"', async () => {
    peer.on('GET', `${P}/issues`, { status: 401, body: { message: '401 Unauthorized' } });
    const error = await failure(tracker.createIssue(successIssue()));
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/^GitLab refused the token \(401\)/);
  });

  it('404 → permanent "project not found (404)"', async () => {
    peer.on('GET', `${P}/issues`, { status: 404, body: { message: '404 Project Not Found' } });
    const error = await failure(tracker.createIssue(successIssue()));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain(`GitLab project ${PROJECT} not found (404)`);
  });

  it('404 on a note → permanent, naming the issue', async () => {
    fakeGitLab(peer);
    const error = await failure(tracker.addNote({ iid: '99', url: null }, 'x'));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('issue #99 not found');
  });

  it('403 and 422 → permanent, with GitLab’s message', async () => {
    fakeGitLab(peer);
    peer.once('POST', `${P}/issues`, { status: 403, body: { message: '403 Forbidden' } });
    const forbidden = await failure(tracker.createIssue(successIssue()));
    expect(forbidden.kind).toBe('permanent');
    expect(forbidden.message).toContain('(403)');

    peer.once('POST', `${P}/issues`, {
      status: 422,
      body: { message: { title: ['is too long (maximum is 255 characters)'] } },
    });
    const invalid = await failure(tracker.createIssue(successIssue()));
    expect(invalid.kind).toBe('permanent');
    expect(invalid.message).toContain('(422)');
    expect(invalid.message).toContain('is too long');
  });

  it('429 → temporary with retryAfterMs from Retry-After (seconds and HTTP date), no internal retry', async () => {
    peer.once('GET', `${P}/issues`, {
      status: 429,
      headers: { 'retry-after': '30' },
      body: { message: 'Retry later' },
    });
    const seconds = await failure(tracker.findIssueForRequest('req_1'));
    expect(seconds.kind).toBe('temporary');
    expect(seconds.retryAfterMs).toBe(30_000);
    expect(peer.requests).toHaveLength(1);

    const at = new Date(Date.now() + 120_000).toUTCString();
    peer.once('GET', `${P}/issues`, {
      status: 429,
      headers: { 'retry-after': at },
      body: { message: 'Retry later' },
    });
    const date = await failure(tracker.findIssueForRequest('req_1'));
    expect(date.retryAfterMs).toBeGreaterThan(100_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('500 and 502 → temporary, one request each (gitbeaker’s retries are off)', async () => {
    peer.once('GET', `${P}/issues`, { status: 500, body: { message: '500 Internal Server Error' } });
    expect((await failure(tracker.findIssueForRequest('req_1'))).kind).toBe('temporary');
    peer.once('GET', `${P}/issues`, { status: 502, body: 'Bad gateway' });
    expect((await failure(tracker.findIssueForRequest('req_1'))).kind).toBe('temporary');
    expect(peer.requests).toHaveLength(2);
  });

  it('a timeout → temporary', async () => {
    peer.on('GET', `${P}/issues`, { delayMs: 2_000, body: [] });
    const started = Date.now();
    const error = await failure(tracker.findIssueForRequest('req_1'));
    expect(error.kind).toBe('temporary');
    expect(error.message).toContain('did not answer within 0.5 s');
    expect(Date.now() - started).toBeLessThan(1_900);
  });

  it('a refused connection → temporary', async () => {
    const url = peer.url;
    await peer.close();
    peer = await startHttpPeer();
    const down = createGitLabTracker({ url, token: TOKEN, project: PROJECT, timeoutMs: 500 });
    const error = await failure(down.findIssueForRequest('req_1'));
    expect(error.kind).toBe('temporary');
    expect(error.message).toMatch(/could not be reached/);
  });

  it('verify: says the project and whether the label exists', async () => {
    fakeGitLab(peer);
    peer.on('GET', `${P}/labels/${encodeURIComponent(EMERGENCY_LABEL)}`, {
      body: { id: 5, name: EMERGENCY_LABEL, color: '#dc143c' },
    });
    const ok = await tracker.verify();
    expect(ok).toContain(`GitLab project ${PROJECT} (id 42) is reachable`);
    expect(ok).toContain(`label "${EMERGENCY_LABEL}" exists`);
  });

  it('verify: a missing label is a warning, not an error', async () => {
    fakeGitLab(peer);
    peer.on('GET', `${P}/labels/${encodeURIComponent(EMERGENCY_LABEL)}`, {
      status: 404,
      body: { message: '404 Label Not Found' },
    });
    expect(await tracker.verify()).toMatch(/warning: label .* does not exist yet/);
  });

  it('verify: a bad token throws permanent without the token', async () => {
    peer.on('GET', P, { status: 401, body: { message: '401 Unauthorized' } });
    const error = await failure(tracker.verify());
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/GitLab refused the token \(401\)/);
  });

  it('an echoed token is scrubbed from messages', async () => {
    peer.on('GET', `${P}/issues`, { status: 400, body: { message: `bad header PRIVATE-TOKEN ${TOKEN}` } });
    const error = await failure(tracker.findIssueForRequest('req_1'));
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('[redacted]');
  });
});
