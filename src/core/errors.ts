/**
 * The one table of codes: every expected refusal and every failure Lifeline reports carries one of
 * these, and this table alone decides its HTTP status and CLI exit code.
 *
 * CLI exit codes: 0 ok, 1 refused/invalid, 2 usage, 3 configuration, 4 infrastructure.
 */
import { ELIGIBILITY_RULES, type RefusalCode } from './eligibility/rules.js';

export const EXIT = { OK: 0, REFUSED: 1, USAGE: 2, CONFIG: 3, INFRA: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface CodeEntry {
  http: number;
  exit: ExitCode;
}

const REFUSED = { http: 422, exit: EXIT.REFUSED } as const;
const ELIGIBILITY_CODES = Object.fromEntries(ELIGIBILITY_RULES.map((r) => [r.code, REFUSED])) as Record<
  RefusalCode,
  typeof REFUSED
>;

export const CODES = {
  // The license format (src/core/license/errors.ts).
  MALFORMED_ENVELOPE: { http: 422, exit: EXIT.REFUSED },
  WRONG_KEY: { http: 422, exit: EXIT.REFUSED },
  DECRYPT_FAILED: { http: 422, exit: EXIT.REFUSED },
  NOT_JSON: { http: 422, exit: EXIT.REFUSED },
  UNSUPPORTED_VERSION: { http: 422, exit: EXIT.REFUSED },
  INVALID_ATTRIBUTES: { http: 422, exit: EXIT.REFUSED },
  KEY_UNUSABLE: { http: 500, exit: EXIT.CONFIG },
  // Eligibility (product spec §4): one row per rule of the catalogue, in rule order.
  ...ELIGIBILITY_CODES,
  // Requests and records.
  NOT_FOUND: { http: 404, exit: EXIT.REFUSED },
  FORBIDDEN: { http: 403, exit: EXIT.REFUSED },
  UNAUTHENTICATED: { http: 401, exit: EXIT.REFUSED },
  /** A console (cookie) request that changes something without the session's CSRF token. */
  CSRF_FAILED: { http: 403, exit: EXIT.REFUSED },
  RATE_LIMITED: { http: 429, exit: EXIT.REFUSED },
  INVALID_STATE: { http: 409, exit: EXIT.REFUSED },
  OVERRIDE_NOT_ALLOWED: { http: 422, exit: EXIT.REFUSED },
  // Screenshots (src/core/evidence): an image refused before or while reading it. A refused image
  // is the customer's file, not a usage error; an image past the OCR time limit is refused too
  // (422, not 503: it is the image that is pathological, and trying again gives the same).
  IMAGE_UNSUPPORTED: { http: 415, exit: EXIT.REFUSED },
  IMAGE_TOO_LARGE: { http: 413, exit: EXIT.REFUSED },
  IMAGE_UNREADABLE: { http: 422, exit: EXIT.REFUSED },
  OCR_TIMEOUT: { http: 422, exit: EXIT.REFUSED },
  // Edges.
  USAGE: { http: 400, exit: EXIT.USAGE },
  VALIDATION_FAILED: { http: 400, exit: EXIT.USAGE },
  PAYLOAD_TOO_LARGE: { http: 413, exit: EXIT.USAGE },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, exit: EXIT.USAGE },
  CONFIG_INVALID: { http: 500, exit: EXIT.CONFIG },
  KEY_FILE_INSECURE: { http: 500, exit: EXIT.CONFIG },
  INFRASTRUCTURE: { http: 503, exit: EXIT.INFRA },
  INTERNAL: { http: 500, exit: EXIT.INFRA },
} as const satisfies Record<string, CodeEntry>;

export type Code = keyof typeof CODES;

export const httpStatusOf = (code: Code): number => CODES[code].http;
export const exitCodeOf = (code: Code): ExitCode => CODES[code].exit;

/**
 * An unexpected failure of infrastructure or configuration (not a refusal, which is a value).
 * `retryable` says whether trying again later may succeed.
 */
export class LifelineError extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly options: {
      retryable?: boolean;
      field?: string;
      cause?: unknown;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'LifelineError';
  }
  get retryable(): boolean {
    return this.options.retryable ?? false;
  }
}
