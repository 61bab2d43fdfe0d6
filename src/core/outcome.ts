/**
 * The one failure shape of the use cases (issue 19): a use case returns `Result<T, DomainError>`,
 * where DomainError carries a code of the one table (errors.ts), a sentence for people, and the
 * field at fault. Inside a use case, a guard ends it early with `fail(…)`; `useCase` turns that into
 * the error value. Anything else thrown (a database down) is infrastructure and propagates.
 */
import type { Code } from './errors.js';
import type { JsonObject } from './license/attributes.js';
import { err, ok, type Result } from './result.js';

export interface DomainError {
  code: Code;
  message: string;
  /** The input at fault, when one is. */
  field?: string;
  /** RATE_LIMITED: when to try again. */
  retryAfterSeconds?: number;
  /** What a caller may show beside the sentence (e.g. the eligibility of a refusal). */
  details?: JsonObject;
}

export type Outcome<T> = Promise<Result<T, DomainError>>;

/** Carries a DomainError out of the guards of a use case to its `useCase` boundary (and out of `unwrap`). */
export class DomainFailure extends Error {
  constructor(readonly error: DomainError) {
    super(error.message);
    this.name = 'DomainFailure';
  }
}

/** Ends the running use case with this error. */
export function fail(code: Code, message: string, extra: Omit<DomainError, 'code' | 'message'> = {}): never {
  throw new DomainFailure({ code, message, ...extra });
}

/** Runs a use case's body: its `fail(…)` becomes an error value; other errors propagate. */
export async function useCase<T>(body: () => Promise<T>): Outcome<T> {
  try {
    return ok(await body());
  } catch (error) {
    if (error instanceof DomainFailure) return err(error.error);
    throw error;
  }
}

/** For callers that answer a failure by stopping (the interfaces' error handlers render it). */
export function unwrap<T>(result: Result<T, DomainError>): T {
  if (result.ok) return result.value;
  throw new DomainFailure(result.error);
}
