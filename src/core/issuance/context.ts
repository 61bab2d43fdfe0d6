/** What every use case of issuance receives: its ports and its settings. */
import type { EligibilityConfig } from '../eligibility/index.js';
import type { EvidenceStore } from '../evidence/ports.js';
import type { ScreenshotReader } from '../evidence/types.js';
import type {
  Clock,
  IdGenerator,
  LicenseSigner,
  LicenseVerifier,
  RateLimiter,
  Store,
  TicketEvidence,
} from '../ports.js';

export interface IssuancePorts {
  store: Store;
  signer: LicenseSigner;
  verifier: LicenseVerifier;
  clock: Clock;
  ids: IdGenerator;
  /** Present when the ticket system is connected. */
  tickets?: TicketEvidence;
  /** Issue/resend limits (the HTTP API's; the CLI, run by the server's operator, has none). */
  limits?: RateLimiter;
  /** Screenshot reads kept on the server (issue 21), which an issue call may refer to. */
  evidence?: EvidenceStore;
  /** The screenshot reader (OCR), started on first use. */
  reader?: ScreenshotReader;
}

export interface IssuanceSettings {
  eligibility: EligibilityConfig;
  /** IANA zone in which `today`, weekends and holidays are reckoned. */
  supportTimeZone: string;
  /** Base URL of the ticket system, for a default ticket URL (`<base>/agent/tickets/<id>`). */
  ticketUrlBase?: string | null;
  /** LIFELINE_ALLOW_PINNED_DATES: callers may pin `today` (tests and demos); otherwise refused. */
  allowPinnedDates?: boolean;
}
