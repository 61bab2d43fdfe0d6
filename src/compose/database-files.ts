/** Composition for `lifeline backup` and `restore`: the SQLite file adapter behind the core's port. */
import type { DatabaseFiles } from '../core/operations/ports.js';
import {
  backupSqlite,
  describeTarget,
  inspectLifelineDatabase,
  POSTGRES_BACKUP_ADVICE,
  restoreSqlite,
} from '../adapters/store/sqlite/backup.js';

export const databaseFiles: DatabaseFiles = {
  inspect: inspectLifelineDatabase,
  backup: backupSqlite,
  restore: restoreSqlite,
  describe: describeTarget,
  postgresAdvice: POSTGRES_BACKUP_ADVICE,
};
