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
});
