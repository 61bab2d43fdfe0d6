/**
 * Issue/resend rate limits (PRODUCT.md §10) kept in the database, so that every `serve` process on
 * it counts together and a restart forgets nothing: a fixed window per key (the user, or for a
 * Zendesk signed request its ticket; the customer email), counted by one atomic upsert per key, which SQLite and PostgreSQL both run as one step.
 *
 * Every well-formed call counts, whatever its answer — also a repeat issue call that returns the
 * ticket's existing record (200), a 422 refusal, a 202 or a resend of an unknown id (per user only):
 * the limit guards against loops and abuse, and it is decided before the work is done. Calls refused
 * by validation (400) are not counted; a call refused by one limit uses up nothing of the other.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { CompiledStatements } from './compiled-statements.js';
import type { RequestOrigin } from '../../core/ports.js';
import type { Database } from './schema.js';

/** Runs rate-limit writes (KyselyStore.inTransactionUnsynced: on SQLite, in the commit batch). */
export interface RateLimitStore {
  inTransactionUnsynced<T>(work: (db: Kysely<Database> | Transaction<Database>) => Promise<T>): Promise<T>;
}

export const RATE_LIMIT_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_RATE_LIMIT_PER_USER = 60;
export const DEFAULT_RATE_LIMIT_PER_CUSTOMER = 5;

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window that refused resets (0 when allowed). */
  retryAfterSeconds: number;
}

/** Who is counted: the caller, and for a Zendesk signed request the ticket it was signed on. */
export interface LimitedCaller {
  name: string;
  role: string;
  origin?: Pick<RequestOrigin, 'via' | 'ticketId'> | undefined;
}

/** What a route needs: count one issue/resend call for a caller and (when known) a customer. */
export interface IssuanceLimiter {
  take(user: LimitedCaller, customerEmail: string | null, now: number): Promise<RateDecision>;
}

/**
 * The caller's window. A sidebar request counts against the ticket it was signed on: its agent
 * claims are whatever the sidebar's code put in them, so a caller could vary them to escape a
 * per-agent window. Tokens and console sessions count against their name and role.
 */
export function callerLimitKey(user: LimitedCaller): string {
  const ticket = user.origin?.via === 'zendesk' ? user.origin.ticketId : null;
  return JSON.stringify(ticket ? ['zendesk-ticket', ticket] : ['user', user.role, user.name]);
}

const SWEEP_EVERY = 500;

export class StoreRateLimits implements IssuanceLimiter {
  readonly perUser: number;
  readonly perCustomer: number;
  private calls = 0;
  private readonly statements = new CompiledStatements();

  constructor(
    private readonly store: RateLimitStore,
    limits: { perUser?: number; perCustomer?: number } = {},
    readonly windowMs: number = RATE_LIMIT_WINDOW_MS,
  ) {
    this.perUser = limits.perUser ?? DEFAULT_RATE_LIMIT_PER_USER;
    this.perCustomer = limits.perCustomer ?? DEFAULT_RATE_LIMIT_PER_CUSTOMER;
  }

  async take(user: LimitedCaller, customerEmail: string | null, now: number): Promise<RateDecision> {
    if (++this.calls % SWEEP_EVERY === 0) await this.sweep(now);
    const keys = [{ key: callerLimitKey(user), limit: this.perUser }];
    if (customerEmail !== null) {
      keys.push({
        key: JSON.stringify(['customer', customerEmail.trim().toLowerCase()]),
        limit: this.perCustomer,
      });
    }
    const counted = await this.store.inTransactionUnsynced((db) => this.count(db, keys, now));
    const refused = counted.filter((c) => !c.allowed);
    if (refused.length === 0) return { allowed: true, retryAfterSeconds: 0 };
    // Refused by one limit: give back the call counted against the other.
    const giveBack = counted.filter((c) => c.allowed);
    if (giveBack.length > 0) {
      await this.store.inTransactionUnsynced(async (db) => {
        for (const c of giveBack) {
          await db
            .updateTable('rate_windows')
            .set({ count: sql`count - 1` })
            .where('key', '=', c.key)
            .where('window_start', '=', c.windowStart)
            .where('count', '>', 0)
            .execute();
        }
      });
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(
        ...refused.map((c) => Math.max(1, Math.ceil((c.windowStart + this.windowMs - now) / 1000))),
      ),
    };
  }

  /**
   * One call for each key, in ONE statement (one commit): a new window when the last one ended;
   * else one more while under the limit. A refused call leaves the count at limit + 1 (the mark of
   * "refused"), so it uses up nothing. Run in the store's commit batch (one commit shared with the
   * writes of the same moment), not awaiting the WAL sync: a count lost in a power cut does no harm.
   */
  private async count(
    db: Kysely<Database> | Transaction<Database>,
    keys: { key: string; limit: number }[],
    now: number,
  ): Promise<{ key: string; allowed: boolean; windowStart: number }[]> {
    const values: Record<string, string | number> = { now, ended: now - this.windowMs };
    keys.forEach((k, i) => {
      values[`key${i}`] = k.key;
      values[`limit${i}`] = k.limit;
    });
    // Run on every issue and resend: compiled once per number of keys (compiled-statements.ts).
    const { rows } = await this.statements.execute(db, `rate_windows.take×${keys.length}`, values, (v) => {
      const rows = sql.join(keys.map((_, i) => sql`(${v[`key${i}`]}, ${v['now']}, 1, ${v[`limit${i}`]})`));
      return sql<{ key: string; window_start: number | string; count: number | string }>`
        insert into rate_windows (key, window_start, count, lim) values ${rows}
        on conflict (key) do update set
          window_start = case when rate_windows.window_start <= ${v['ended']} then excluded.window_start
            else rate_windows.window_start end,
          count = case
            when rate_windows.window_start <= ${v['ended']} then 1
            when rate_windows.count <= excluded.lim then rate_windows.count + 1
            else rate_windows.count end,
          lim = excluded.lim
        returning key, window_start, count`.compile(db);
    });
    return keys.map((k) => {
      const row = rows.find((r) => r.key === k.key);
      return {
        key: k.key,
        windowStart: Number(row?.window_start ?? now),
        allowed: Number(row?.count ?? 1) <= k.limit,
      };
    });
  }

  /** Forgets windows that have ended, so the table holds only the keys of the last hour. */
  async sweep(now: number): Promise<void> {
    await this.store.inTransactionUnsynced((db) =>
      db
        .deleteFrom('rate_windows')
        .where('window_start', '<=', now - this.windowMs)
        .execute(),
    );
  }
}
