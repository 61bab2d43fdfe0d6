/**
 * The composition root: turns a validated configuration into the ports the use cases run on.
 * Every interface (CLI, HTTP, worker) builds its app here, so they all run the same wiring.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  generateKeyPair,
  loadPrivateKeyFile,
  loadPublicKeyFiles,
  parsePrivateKeyPem,
  PRIVATE_KEY_FILE,
} from './adapters/keys/key-files.js';
import type { KyselyStore } from './adapters/store/kysely-store.js';
import { openPostgresStore } from './adapters/store/postgres/open.js';
import { openSqliteStore } from './adapters/store/sqlite/open.js';
import { createChannels, outboxDir } from './adapters/channels.js';
import { SigningThreads } from './adapters/signing/signing-threads.js';
import { randomHex } from './runtime/random-pool.js';
import { storeSessions, storeTokens } from './adapters/store/access.js';
import { storeOidcFlows } from './adapters/store/oidc-flows.js';
import { lazyOpenIdProvider } from './adapters/oidc/lazy.js';
import {
  storeHealth,
  storeLocalRecords,
  storeMaintenance,
  storeRetention,
  storeStats,
} from './adapters/store/operations.js';
import { StoreRateLimits } from './adapters/store/rate-limits.js';
import type { OidcPorts, OidcSettings } from './core/access/oidc.js';
import { readerOnFirstUse } from './adapters/ocr/on-first-use.js';
import { createEvidenceStore } from './adapters/store/evidence.js';
import { ticketEvidence } from './adapters/zendesk/evidence.js';
import type { DeliveryChannels } from './core/deliveries/ports.js';
import type {
  Health,
  LocalRecords,
  Maintenance,
  RetentionStore,
  StatsReader,
} from './core/operations/ports.js';
import type { Config } from './config.js';
import { oidcRedirectUri } from './config/oidc.js';
import { DEFAULT_ELIGIBILITY_CONFIG, type EligibilityConfig } from './core/eligibility/index.js';
import type { IssuancePorts, IssuanceSettings } from './core/issuance/context.js';
import { createPublicKey } from 'node:crypto';
import type { IdGenerator, RateLimiter } from './core/ports.js';

/** Every port the interfaces reach the outside through. */
export interface AppPorts extends IssuancePorts, OidcPorts {
  /** The HTTP API's issue/resend limits (the CLI, run by the operator on the server, has none). */
  apiLimits: RateLimiter;
  stats: StatsReader;
  retention: RetentionStore;
  localRecords: LocalRecords;
  health: Health;
  maintenance: Maintenance;
}

/** What the use cases are told besides their ports. */
export interface AppSettings extends IssuanceSettings {
  /** Signing in with the identity provider: null when OIDC_ISSUER is not set. */
  oidc: OidcSettings | null;
}

export interface App {
  config: Config;
  ports: AppPorts;
  settings: AppSettings;
  /** The four delivery channels (local in the embedded default). */
  channels: DeliveryChannels;
  /** Said once on start when the development key is in use. */
  warnings: string[];
  close(): Promise<void>;
}

/**
 * Record ids: the creation time (milliseconds, 12 hex digits) then 64 random bits. Ids made later sort
 * later, so the primary-key indexes grow at their end (rows written together share index pages, and
 * a commit writes fewer pages) instead of touching a random page per row.
 */
export const randomIds: IdGenerator = {
  next: (prefix) => `${prefix}_${Date.now().toString(16).padStart(12, '0')}${randomHex(8)}`,
};

export function eligibilityConfigFrom(config: Config): EligibilityConfig {
  // The tunables carry the rules' own names (a new one flows through), but the overage in percent.
  const { seatOveragePercent, ...tunables } = config.eligibility;
  return {
    ...DEFAULT_ELIGIBILITY_CONFIG,
    ...tunables,
    seatOverage: seatOveragePercent / 100,
    holidays: config.holidays,
    ticketHost: ticketHost(config),
  };
}

/** The host of the ticket system's URL: ticket URLs elsewhere are refused (PRODUCT.md §12). */
function ticketHost(config: Config): string | null {
  const base = config.tickets.kind === 'zendesk' ? config.tickets.url : config.zendeskUrl;
  return base ? new URL(base).host : null;
}

export const DEVELOPMENT_KEY_WARNING =
  'Lifeline is signing with a DEVELOPMENT key generated in {dir}. Real GitLab instances will NOT accept ' +
  'these licenses. Set LIFELINE_SIGNING_KEY_FILE to the production license key.';

function signer(config: Config, dataDir: string, warnings: string[]): IssuancePorts['signer'] {
  const key = config.signingKey;
  if (key.kind === 'file') return { privateKey: loadPrivateKeyFile(key.path), development: false };
  if (key.kind === 'inline')
    return { privateKey: parsePrivateKeyPem(key.pem, 'LIFELINE_SIGNING_KEY'), development: false };
  const dir = join(dataDir, 'keys');
  if (!existsSync(join(dir, PRIVATE_KEY_FILE))) generateKeyPair(dir);
  warnings.push(DEVELOPMENT_KEY_WARNING.replace('{dir}', dir));
  return { privateKey: loadPrivateKeyFile(join(dir, PRIVATE_KEY_FILE)), development: true };
}

export function openStore(config: Config, dataDir: string): KyselyStore {
  return config.database.kind === 'postgres'
    ? openPostgresStore({ url: config.database.url })
    : openSqliteStore(resolve(config.database.path.replace('$LIFELINE_DATA_DIR', dataDir)));
}

/**
 * How many signing threads `LIFELINE_SIGNING_THREADS` asks for in each of `processes` serve
 * processes: auto gives them the CPUs the processes leave (at most 4). On the bench machine a thread
 * on a core of its own raised one process's issuing by about a third, while threads competing with
 * the processes for their cores only added the cost of passing each license over (bench http).
 */
export function signingThreadCount(
  setting: Config['signingThreads'],
  processes = 1,
  cpus = availableParallelism(),
): number {
  return setting === 'auto' ? Math.max(0, Math.min(4, cpus - processes)) : setting;
}

export interface CreateAppOptions {
  /** Run pending migrations (default true). */
  migrate?: boolean;
  /**
   * Write licenses on LIFELINE_SIGNING_THREADS threads, as one of `processes` serve processes;
   * default: on the event loop.
   */
  signingThreads?: { processes: number };
}

/** Builds the app; runs pending migrations (as `lifeline migrate` does) unless told not to. */
export async function createApp(config: Config, options: CreateAppOptions = {}): Promise<App> {
  const dataDir = resolve(config.dataDir);
  const warnings: string[] = [];
  const key = signer(config, dataDir, warnings);
  const threads = options.signingThreads
    ? signingThreadCount(config.signingThreads, options.signingThreads.processes)
    : 0;
  const pool =
    threads > 0
      ? new SigningThreads(key.privateKey, threads, {
          onDisabled: (reason) =>
            process.stderr.write(`warning: ${reason}; licenses are signed on the event loop\n`),
        })
      : null;
  const sign: IssuancePorts['signer'] = pool ? { ...key, encode: (a) => pool.encode(a) } : key;
  const publicKeys =
    config.verifyKeyFiles.length > 0
      ? loadPublicKeyFiles(config.verifyKeyFiles)
      : [createPublicKey(sign.privateKey)];
  const store = openStore(config, dataDir);
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  const channels = createChannels(config, store);
  const reader = readerOnFirstUse();
  const app: App = {
    config,
    warnings,
    channels,
    ports: {
      store,
      tokens: storeTokens(store.db),
      sessions: storeSessions(store.db),
      oidcFlows: storeOidcFlows(store.db),
      identity: config.oidc
        ? lazyOpenIdProvider({ ...config.oidc, redirectUri: oidcRedirectUri(config) })
        : null,
      apiLimits: new StoreRateLimits(store, config.rateLimit ?? {}),
      stats: storeStats(store),
      retention: storeRetention(store, config.mail.transport === 'outbox' ? outboxDir(config) : null),
      localRecords: storeLocalRecords(store),
      health: storeHealth(store, () => sign.privateKey !== undefined),
      maintenance: storeMaintenance(store),
      signer: sign,
      verifier: { publicKeys },
      clock: { now: () => new Date() },
      ids: randomIds,
      evidence: createEvidenceStore(store),
      reader,
      // The screenshots of step 1 are checked only when the ticket system is connected.
      ...(config.tickets.kind === 'zendesk' ? { tickets: ticketEvidence(channels.tickets) } : {}),
    },
    settings: {
      eligibility: eligibilityConfigFrom(config),
      supportTimeZone: config.supportTimeZone,
      ticketUrlBase: config.tickets.kind === 'zendesk' ? config.tickets.url : (config.zendeskUrl ?? null),
      allowPinnedDates: config.allowPinnedDates,
      oidc: config.oidc ? { roleClaim: config.oidc.roleClaim, roles: config.oidc.roles } : null,
    },
    close: async () => {
      await pool?.close();
      await reader.close();
      await channels.mailer.close();
      await store.close();
    },
  };
  stores.set(app, store);
  return app;
}

const stores = new WeakMap<App, KyselyStore>();

/** The store adapter behind an app: for tests and benches that look at the database itself. */
export function storeOf(app: App): KyselyStore {
  const store = stores.get(app);
  if (!store) throw new Error('not an app made by createApp');
  return store;
}
