import { afterAll } from 'vitest';
import { openPostgresStore } from '../../../src/adapters/store/postgres/open.js';
import { dropSchema, POSTGRES_URL, postgresProblem, uniqueSchemaName } from '../../helpers/postgres.js';
import { storeContract } from './contract.js';

const schema = uniqueSchemaName();
storeContract('PostgreSQL', async () => openPostgresStore({ url: POSTGRES_URL, schema }), postgresProblem);
afterAll(async () => {
  if (!postgresProblem) await dropSchema(schema);
});
