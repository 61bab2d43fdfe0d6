/**
 * Rate limits on issue and resend (PRODUCT.md §10): a fixed one-hour window per key, counted in
 * memory in this process only — several `serve` processes each count on their own, and a restart
 * forgets the counts. Time comes from the app's clock so tests can pin it.
 *
 * Every well-formed call counts, whatever its answer — also a repeat issue call that returns the
 * ticket's existing record (200), a 422 refusal, a 202 or a resend of an unknown id (per user only):
 * the limit guards against loops and abuse, and it is decided before the work is done. Calls refused
 * by validation (400) are not counted; calls refused by the limit (429) use up nothing.
 */
export const RATE_LIMIT_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_RATE_LIMIT_PER_USER = 60;
export const DEFAULT_RATE_LIMIT_PER_CUSTOMER = 5;

interface Window {
  start: number;
  count: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window that refused resets (0 when allowed). */
  retryAfterSeconds: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number = RATE_LIMIT_WINDOW_MS,
  ) {}

  /** Counts one call for `key` at `now` (ms) unless it is over the limit. */
  take(key: string, now: number): RateDecision {
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) {
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)),
      };
    }
    window.count++;
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /** Would `key` be refused now, without counting. */
  peek(key: string, now: number): RateDecision {
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs || window.count < this.limit)
      return { allowed: true, retryAfterSeconds: 0 };
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)),
    };
  }

  /** Forgets windows that have ended, so memory stays bounded by the keys of the last hour. */
  private sweep(now: number): void {
    if (this.windows.size < 10_000) return;
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(key);
    }
  }
}

/** The two limits of issue/resend: per user (name + role) and per customer email (lower-cased). */
export class IssuanceRateLimits {
  readonly perUser: FixedWindowLimiter;
  readonly perCustomer: FixedWindowLimiter;

  constructor(limits: { perUser?: number; perCustomer?: number } = {}) {
    this.perUser = new FixedWindowLimiter(limits.perUser ?? DEFAULT_RATE_LIMIT_PER_USER);
    this.perCustomer = new FixedWindowLimiter(limits.perCustomer ?? DEFAULT_RATE_LIMIT_PER_CUSTOMER);
  }

  /**
   * Counts one call against both limits, or none when either refuses (a refused call does not use
   * up the other limit). Returns the longer wait when refused.
   */
  take(user: { name: string; role: string }, customerEmail: string | null, now: number): RateDecision {
    const userKey = `${user.role}\u0000${user.name}`;
    const customerKey = customerEmail === null ? null : customerEmail.trim().toLowerCase();
    const u = this.perUser.peek(userKey, now);
    const c: RateDecision =
      customerKey === null
        ? { allowed: true, retryAfterSeconds: 0 }
        : this.perCustomer.peek(customerKey, now);
    if (!u.allowed || !c.allowed)
      return { allowed: false, retryAfterSeconds: Math.max(u.retryAfterSeconds, c.retryAfterSeconds) };
    this.perUser.take(userKey, now);
    if (customerKey !== null) this.perCustomer.take(customerKey, now);
    return { allowed: true, retryAfterSeconds: 0 };
  }
}
