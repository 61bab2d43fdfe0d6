/**
 * The delivery ports: the four channels of PRODUCT.md §6 as small interfaces. Adapters return on
 * success and throw `DeliveryError` to say how a failure should be treated; anything else they throw
 * counts as temporary. The worker (./worker.ts) decides retries, never the adapters.
 */

/** How a failed attempt is treated: try again later, give up, or (email) ask a human. */
export type DeliveryErrorKind = 'temporary' | 'permanent' | 'unknown';

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryErrorKind,
    message: string,
    /** From a `Retry-After` reply: the earliest moment to try again, in milliseconds from now. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface EmailAttachment {
  filename: string;
  content: string;
  contentType: string;
}

export interface EmailMessage {
  /** Stable, derived from the delivery: `<dlv_…@lifeline>`. */
  messageId: string;
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  attachments: EmailAttachment[];
}

export interface Mailer {
  /**
   * Sends one message. Throws DeliveryError: 'temporary' when the server could not be reached or
   * refused temporarily (4xx) BEFORE the message was handed over; 'permanent' for a 5xx refusal;
   * 'unknown' when the connection was lost after the DATA was sent (it may have been delivered).
   */
  send(message: EmailMessage): Promise<{ response: string }>;
  /** For `doctor`: connects (and authenticates) and says what it found, or throws with the reason. */
  verify(): Promise<string>;
  close(): Promise<void>;
}

/** The issue the licensing team reads (§6.2). */
export interface TrackerIssue {
  requestId: string;
  title: string;
  /** Markdown. Contains the marker `lifeline-request: <requestId>` so a crash can find it again. */
  description: string;
  labels: string[];
  confidential: true;
  /** Success issues are created closed; failure issues stay open. */
  closed: boolean;
}

export interface TrackerRef {
  /** The issue's number in the project (GitLab iid), or the local record id. */
  iid: string;
  url: string | null;
}

export interface IssueTracker {
  /** The issue already created for this request (after a crash), found by its marker; null if none. */
  findIssueForRequest(requestId: string): Promise<TrackerRef | null>;
  /**
   * Creates the request's issue, or, when one with its marker exists (a crash, or an earlier state
   * of the request such as a failure before a retry), makes that one this issue: title, description
   * and state. Never a second issue for a request.
   */
  createIssue(issue: TrackerIssue): Promise<TrackerRef>;
  /** Makes the request's existing issue this one: title, description, and closed or open. */
  updateIssue(ref: TrackerRef, issue: TrackerIssue): Promise<TrackerRef>;
  addNote(ref: TrackerRef, body: string): Promise<void>;
  verify(): Promise<string>;
}

export interface ChatNotifier {
  /**
   * Posts the message (§6.3); returns the message reference (Slack `ts`) when there is one. With
   * `threadRef` (a follow-up), the message answers that post in its thread where the channel can;
   * otherwise it is a message of its own (the text names the request).
   */
  post(text: string, meta: { requestId: string; threadRef?: string | null }): Promise<{ ref: string | null }>;
  verify(): Promise<string>;
}

export interface TicketSystem {
  /** Adds an INTERNAL (private) note to the ticket (§6.4); `html` is the note as HTML. */
  addInternalNote(ticketId: string, html: string): Promise<void>;
  /** How many image attachments the ticket's comments carry (the screenshots of step 1). */
  imageAttachmentCount(ticketId: string): Promise<number>;
  verify(): Promise<string>;
}

export interface DeliveryChannels {
  mailer: Mailer;
  tracker: IssueTracker;
  chat: ChatNotifier;
  tickets: TicketSystem;
}
