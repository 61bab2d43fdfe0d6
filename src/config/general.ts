/** General settings: environment, data folder, database. */
import { z } from 'zod';
import { choice, databaseUrl, spec, type ValuesOf } from './fields.js';

export type LifelineEnvironment = 'development' | 'production';

export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface GeneralConfig {
  env: LifelineEnvironment;
  /** As configured (not resolved); the composition root resolves it against the working directory. */
  dataDir: string;
  /** `url` is secret (it may hold a password). */
  database: DatabaseConfig;
  /** The config file that was read, if any. */
  configFile?: string;
}

export const GENERAL = {
  LIFELINE_CONFIG_FILE: spec({
    group: 'general',
    default: null,
    secret: false,
    description:
      'Path of an optional dotenv-style file (KEY=VALUE lines, # comments, optional quotes) that may set any of these variables; the environment wins over the file. Not settable inside the file itself.',
    schema: z.string().optional(),
  }),
  LIFELINE_ENV: spec({
    group: 'general',
    default: 'development',
    secret: false,
    description:
      'development or production. Production refuses a development signing key, and outbox/local deliveries unless LIFELINE_ALLOW_LOCAL_DELIVERIES is true.',
    schema: choice(['development', 'production']).default('development'),
  }),
  LIFELINE_DATA_DIR: spec({
    group: 'general',
    default: './data',
    secret: false,
    description:
      'Where the embedded default keeps its SQLite database, development keys and mail outbox (relative paths are resolved against the working directory).',
    schema: z.string().default('./data'),
  }),
  DATABASE_URL: spec({
    group: 'general',
    default: 'sqlite:$LIFELINE_DATA_DIR/lifeline.db',
    secret: true,
    description:
      'postgres://USER:PASSWORD@HOST:PORT/DB (or postgresql://…) for PostgreSQL, or sqlite:PATH for a SQLite file. Secret: may contain a password.',
    schema: databaseUrl.optional(),
  }),
};

export function generalConfig(v: ValuesOf<typeof GENERAL>): GeneralConfig {
  const dataDir = v.LIFELINE_DATA_DIR;
  return {
    env: v.LIFELINE_ENV,
    dataDir,
    database: v.DATABASE_URL ?? { kind: 'sqlite', path: `${dataDir.replace(/(.)\/+$/, '$1')}/lifeline.db` },
    ...(v.LIFELINE_CONFIG_FILE !== undefined ? { configFile: v.LIFELINE_CONFIG_FILE } : {}),
  };
}
