/**
 * The embedded default's tracker, chat and ticket records (src/adapters/local/local-channels.ts):
 * written through the store's commit batch, so records asked for at the same moment share one
 * SQLite commit instead of one each.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createLocalChat,
  createLocalTickets,
  createLocalTracker,
  listLocalRecords,
} from '../../../src/adapters/local/local-channels.js';
import { openSqliteStore } from '../../../src/adapters/store/kysely-store.js';
import type { TrackerIssue } from '../../../src/core/deliveries/ports.js';

describe('local channels on SQLite', () => {
  it('records written at the same moment share one commit, and all are kept', async () => {
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-local-')), 'lifeline.db'));
    try {
      await store.migrate();
      const chat = createLocalChat(store);
      const tickets = createLocalTickets(store);
      const tracker = createLocalTracker(store);
      const before = store.commits;
      await Promise.all([
        chat.post('license issued', { requestId: 'req_1' }),
        chat.post('license issued again', { requestId: 'req_1' }),
        tickets.addInternalNote('4242', 'a note for the ticket'),
      ]);
      expect(store.commits - before).toBe(1);
      const issue: TrackerIssue = {
        requestId: 'req_1',
        title: 'Emergency license',
        description: 'lifeline-request: req_1',
        labels: ['emergency-license'],
        confidential: true,
        closed: false,
      };
      const created = await tracker.createIssue(issue);
      // Found again by its request, not created twice.
      expect(await tracker.createIssue({ ...issue, title: 'again' })).toEqual(created);
      const records = await listLocalRecords(store.db, 'req_1', '4242');
      expect(records.map((r) => r.kind).sort()).toEqual([
        'chat_post',
        'chat_post',
        'ticket_note',
        'tracker_issue',
      ]);
    } finally {
      await store.close();
    }
  });

  it("updates the request's issue in place, and keeps a follow-up post as an answer to its post", async () => {
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-local-')), 'lifeline.db'));
    try {
      await store.migrate();
      const tracker = createLocalTracker(store);
      const chat = createLocalChat(store);
      const failure: TrackerIssue = {
        requestId: 'req_2',
        title: '[Failure] - Could not create a license under a@b.example for 5 users',
        description: 'lifeline-request: req_2',
        labels: ['Mechanizer::Emergency License Generation'],
        confidential: true,
        closed: false,
      };
      const ref = await tracker.createIssue(failure);
      const success = {
        ...failure,
        title: '[Success] - Created a license under a@b.example for 5 users',
        closed: true,
      };
      expect(await tracker.updateIssue(ref, success)).toEqual(ref);
      const post = await chat.post('Emergency license issued', { requestId: 'req_2' });
      await chat.post('Update: the license email was sent.', { requestId: 'req_2', threadRef: post.ref });
      const records = await listLocalRecords(store.db, 'req_2', '9');
      const issues = records.filter((r) => r.kind === 'tracker_issue');
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ title: success.title, state: 'closed (confidential)' });
      const posts = records.filter((r) => r.kind === 'chat_post');
      expect(new Set(posts.map((p) => p.ref))).toEqual(new Set([null, post.ref]));
    } finally {
      await store.close();
    }
  });
});
