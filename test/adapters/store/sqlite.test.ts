import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/open.js';
import { storeContract } from './contract.js';

storeContract('SQLite', async () =>
  openSqliteStore(join(mkdtempSync(join(tmpdir(), 'lifeline-store-')), 'test.db')),
);
