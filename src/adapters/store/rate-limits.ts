/**
 * Issue/resend rate limits (PRODUCT.md §10) kept in the database, so that every `serve` process on
 * it counts together and a restart forgets nothing: a fixed window per key (the user; the customer
 * email), counted by one atomic upsert per key, which SQLite and PostgreSQL both run as one step.
 *
 * Every well-formed call counts, whatever its answer — also a repeat issue call that returns the
 * ticket's existing record (200), a 422 refusal, a 202 or a resend of an unknown id (per user only):
 * the limit guards against loops and abuse, and it is decided before the work is done. Calls refused
 * by validation (400) are not counted; a call refused by one limit uses up nothing of the other.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export const RATE_LIMIT_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_RATE_LIMIT_PER_USER = 60;
export const DEFAULT_RATE_LIMIT_PER_CUSTOMER = 5;

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window that refused resets (0 when allowed). */
  retryAfterSeconds: number;
}

/** What a route needs: count one issue/resend call for a user and (when known) a customer. */
export interface IssuanceLimiter {
  take(
    user: { name: string; role: string },
    customerEmail: string | null,
    now: number,
  ): Promise<RateDecision>;
}

const SWEEP_EVERY = 500;

export class StoreRateLimits implements IssuanceLimiter {
  readonly perUser: number;
  readonly perCustomer: number;
  private calls = 0;

  constructor(
    private readonly db: Kysely<Database>,
    limits: { perUser?: number; perCustomer?: number } = {},
    readonly windowMs: number = RATE_LIMIT_WINDOW_MS,
  ) {
    this.perUser = limits.perUser ?? DEFAULT_RATE_LIMIT_PER_USER;
    this.perCustomer = limits.perCustomer ?? DEFAULT_RATE_LIMIT_PER_CUSTOMER;
  }

  async take(
    user: { name: string; role: string },
    customerEmail: string | null,
    now: number,
  ): Promise<RateDecision> {
    if (++this.calls % SWEEP_EVERY === 0) await this.sweep(now);
    const keys = [{ key: JSON.stringify(['user', user.role, user.name]), limit: this.perUser }];
    if (customerEmail !== null) {
      keys.push({
        key: JSON.stringify(['customer', customerEmail.trim().toLowerCase()]),
        limit: this.perCustomer,
      });
    }
    const counted = await this.count(keys, now);
    const refused = counted.filter((c) => !c.allowed);
    if (refused.length === 0) return { allowed: true, retryAfterSeconds: 0 };
    // Refused by one limit: give back the call counted against the other.
    for (const c of counted.filter((c) => c.allowed)) {
      await this.db
        .updateTable('rate_windows')
        .set({ count: sql`count - 1` })
        .where('key', '=', c.key)
        .where('window_start', '=', c.windowStart)
        .where('count', '>', 0)
        .execute();
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
   * "refused"), so it uses up nothing.
   */
  private async count(
    keys: { key: string; limit: number }[],
    now: number,
  ): Promise<{ key: string; allowed: boolean; windowStart: number }[]> {
    const ended = now - this.windowMs;
    const values = sql.join(keys.map((k) => sql`(${k.key}, ${now}, 1, ${k.limit})`));
    const { rows } = await sql<{ key: string; window_start: number | string; count: number | string }>`
      insert into rate_windows (key, window_start, count, lim) values ${values}
      on conflict (key) do update set
        window_start = case when rate_windows.window_start <= ${ended} then excluded.window_start
          else rate_windows.window_start end,
        count = case
          when rate_windows.window_start <= ${ended} then 1
          when rate_windows.count <= excluded.lim then rate_windows.count + 1
          else rate_windows.count end,
        lim = excluded.lim
      returning key, window_start, count`.execute(this.db);
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
    await this.db
      .deleteFrom('rate_windows')
      .where('window_start', '<=', now - this.windowMs)
      .execute();
  }
}
