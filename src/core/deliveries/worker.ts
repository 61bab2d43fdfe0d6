/**
 * The outbox worker: claims due deliveries and runs each through its channel, independently.
 * Temporary failures come back with exponential backoff and jitter (honouring Retry-After);
 * permanent ones are marked failed with the reason; an email whose outcome is unknown is marked
 * `unknown` for a human and never re-sent automatically. A delivery that succeeded is never repeated:
 * its completion is recorded only by the worker that still holds its claim.
 */
import { auditEntry, newDeliveries } from '../issuance/issue.js';
import type { Actor, Clock, DeliveryCompletion, DeliveryRecord, IdGenerator, Store } from '../ports.js';
import {
  buildChatMessage,
  buildEmail,
  buildTicketNote,
  buildTrackerIssue,
  buildTrackerNote,
  type MailSettings,
  type MessageContext,
} from './messages.js';
import { DeliveryError, type DeliveryChannels } from './ports.js';

export interface WorkerSettings {
  /** Unique per worker process (claims are recorded under it). */
  workerId: string;
  batchSize: number;
  /** How long a claim holds; a worker that stops releases its deliveries when it expires. */
  leaseMs: number;
  /** Temporary failures are retried this many times in all before the delivery is marked failed. */
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  mail: MailSettings;
  /** [0, 1) source for jitter; Math.random by default. */
  random?: () => number;
}

export const DEFAULT_WORKER_SETTINGS: Omit<WorkerSettings, 'workerId' | 'mail'> = {
  batchSize: 20,
  leaseMs: 120_000,
  maxAttempts: 12,
  baseBackoffMs: 5_000,
  maxBackoffMs: 15 * 60_000,
};

export interface WorkerPorts {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  channels: DeliveryChannels;
}

const WORKER: Actor = { name: 'delivery worker', role: 'admin' };

/** While the tracker issue is being created, the chat post and ticket note wait for its link. */
const WAIT_FOR_TRACKER_MS = 2_000;

export function backoffMs(attempt: number, settings: WorkerSettings, retryAfterMs?: number): number {
  const exponential = Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.8 + 0.4 * (settings.random ?? Math.random)();
  return Math.max(Math.round(exponential * jitter), retryAfterMs ?? 0);
}

type Outcome =
  | { kind: 'sent'; externalRef: string | null; trackerLink?: { iid: string; url: string | null } }
  | { kind: 'wait'; reason: string; delayMs: number }
  | { kind: 'error'; error: DeliveryError };

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError('temporary', error instanceof Error ? error.message : String(error));
}

async function attempt(
  delivery: DeliveryRecord,
  ports: WorkerPorts,
  settings: WorkerSettings,
): Promise<Outcome> {
  const { store, channels } = ports;
  const request = await store.getRequest(delivery.requestId);
  if (!request)
    return { kind: 'error', error: new DeliveryError('permanent', 'the request no longer exists') };
  const [license, tracker] = await Promise.all([
    store.getLicenseForRequest(request.id),
    store.getTrackerLink(request.id),
  ]);
  const ctx: MessageContext = { request, license, delivery, tracker };

  // A worker stopped while handing this to its channel: it may have arrived. Repeating it could
  // duplicate an email or a post, so a human decides (the tracker issue gets a note for emails).
  if (delivery.status === 'sending') {
    const what = delivery.channel === 'ticket' ? 'ticket note' : delivery.channel;
    return {
      kind: 'error',
      error: new DeliveryError(
        'unknown',
        `the worker stopped while sending this ${what}; it may have arrived`,
      ),
    };
  }

  // Chat posts and ticket notes link to the tracker issue: wait for it while it is on its way.
  if ((delivery.channel === 'chat' || delivery.channel === 'ticket') && !tracker) {
    const siblings = await store.listDeliveries(request.id);
    const trackerOnItsWay = siblings.some(
      (d) =>
        d.channel === 'tracker' &&
        (d.purpose === 'issue' || d.purpose === 'failure') &&
        ['queued', 'claimed', 'sending'].includes(d.status),
    );
    if (trackerOnItsWay && delivery.attempts < settings.maxAttempts - 1) {
      return { kind: 'wait', reason: 'waiting for the tracker issue', delayMs: WAIT_FOR_TRACKER_MS };
    }
  }

  // Emails, chat posts and ticket notes cannot be looked up afterwards to see whether they arrived:
  // they are marked `sending` just before the channel is called (see above for a stopped worker).
  const markSending = (): Promise<boolean> =>
    store.markSending(delivery.id, settings.workerId, ports.clock.now().toISOString());
  const claimLost: Outcome = {
    kind: 'error',
    error: new DeliveryError('temporary', 'the claim was lost before sending'),
  };
  try {
    switch (delivery.channel) {
      case 'email': {
        const message = buildEmail(ctx, settings.mail);
        if (!(await markSending())) return claimLost;
        const { response } = await channels.mailer.send(message);
        return { kind: 'sent', externalRef: response.slice(0, 500) };
      }
      case 'tracker': {
        if (delivery.purpose === 'issue' || delivery.purpose === 'failure') {
          const ref = await channels.tracker.createIssue(buildTrackerIssue(ctx));
          return { kind: 'sent', externalRef: ref.iid, trackerLink: ref };
        }
        if (!tracker) {
          throw new DeliveryError('temporary', 'the tracker issue for this request does not exist yet');
        }
        let event: Parameters<typeof buildTrackerNote>[1];
        if (delivery.purpose === 'email_failed' || delivery.purpose === 'email_unknown') {
          const emails = (await store.listDeliveries(request.id)).filter(
            (d) => d.channel === 'email' && (d.status === 'failed' || d.status === 'unknown'),
          );
          event = {
            kind: delivery.purpose,
            error: emails.at(-1)?.lastError ?? 'unknown error',
          };
        }
        await channels.tracker.addNote(tracker, buildTrackerNote(ctx, event));
        return { kind: 'sent', externalRef: tracker.iid };
      }
      case 'chat': {
        const text = buildChatMessage(ctx);
        if (!(await markSending())) return claimLost;
        const { ref } = await channels.chat.post(text, { requestId: request.id });
        return { kind: 'sent', externalRef: ref };
      }
      case 'ticket': {
        const note = buildTicketNote(ctx);
        if (!(await markSending())) return claimLost;
        await channels.tickets.addInternalNote(request.ticketId, note);
        return { kind: 'sent', externalRef: null };
      }
    }
  } catch (error) {
    return { kind: 'error', error: asDeliveryError(error) };
  }
}

export interface DeliveryResult {
  id: string;
  channel: DeliveryRecord['channel'];
  status: DeliveryCompletion['status'];
  error: string | null;
}

/** Runs one claimed delivery to its next state and records it (with its audit entry) in one transaction. */
export async function runDelivery(
  delivery: DeliveryRecord,
  ports: WorkerPorts,
  settings: WorkerSettings,
): Promise<DeliveryResult | null> {
  const outcome = await attempt(delivery, ports, settings);
  const nowDate = ports.clock.now();
  const now = nowDate.toISOString();
  let completion: DeliveryCompletion;
  if (outcome.kind === 'sent') {
    completion = {
      status: 'sent',
      lastError: null,
      nextAttemptAt: null,
      externalRef: outcome.externalRef,
      updatedAt: now,
    };
  } else if (outcome.kind === 'wait') {
    const at = new Date(nowDate.getTime() + outcome.delayMs).toISOString();
    completion = {
      status: 'queued',
      lastError: outcome.reason,
      nextAttemptAt: at,
      externalRef: null,
      updatedAt: now,
    };
  } else if (outcome.error.kind === 'temporary' && delivery.attempts < settings.maxAttempts) {
    const at = new Date(
      nowDate.getTime() + backoffMs(delivery.attempts, settings, outcome.error.retryAfterMs),
    );
    completion = {
      status: 'queued',
      lastError: outcome.error.message,
      nextAttemptAt: at.toISOString(),
      externalRef: null,
      updatedAt: now,
    };
  } else {
    const gaveUp = outcome.error.kind === 'temporary';
    completion = {
      status: outcome.error.kind === 'unknown' ? 'unknown' : 'failed',
      lastError: gaveUp
        ? `gave up after ${delivery.attempts} attempts: ${outcome.error.message}`
        : outcome.error.message,
      nextAttemptAt: null,
      externalRef: null,
      updatedAt: now,
    };
  }

  const recorded = await ports.store.transaction(async (tx) => {
    if (!(await tx.completeDelivery(delivery.id, settings.workerId, completion))) return false;
    if (outcome.kind === 'sent' && outcome.trackerLink)
      await tx.setTrackerLink(delivery.requestId, outcome.trackerLink);
    if (completion.status !== 'queued') {
      await tx.appendAudit(
        auditEntry(ports, now, WORKER, `delivery.${completion.status}`, delivery.requestId, {
          deliveryId: delivery.id,
          channel: delivery.channel,
          purpose: delivery.purpose,
          attempts: delivery.attempts,
          ...(completion.lastError ? { error: completion.lastError.slice(0, 500) } : {}),
        }),
      );
    }
    // A license email that failed for good, or may not have arrived, becomes a note on the tracker issue.
    if (delivery.channel === 'email' && (completion.status === 'failed' || completion.status === 'unknown')) {
      const purpose = completion.status === 'failed' ? 'email_failed' : 'email_unknown';
      await tx.insertDeliveries(newDeliveries(ports, delivery.requestId, purpose, ['tracker'], now, null));
    }
    return true;
  });
  if (!recorded) return null;
  return {
    id: delivery.id,
    channel: delivery.channel,
    status: completion.status,
    error: completion.lastError,
  };
}

/** Claims one batch of due deliveries and runs them side by side. */
export async function runDueDeliveries(
  ports: WorkerPorts,
  settings: WorkerSettings,
  requestId?: string,
): Promise<DeliveryResult[]> {
  const now = ports.clock.now();
  const claimed = await ports.store.claimDueDeliveries(
    now.toISOString(),
    new Date(now.getTime() + settings.leaseMs).toISOString(),
    settings.workerId,
    settings.batchSize,
    requestId,
  );
  // Emails and tracker issues first (side by side); then the chat posts and notes, which link to
  // the tracker issue. Nothing waits on email.
  const opensIssue = (d: DeliveryRecord): boolean =>
    d.channel === 'email' || (d.channel === 'tracker' && (d.purpose === 'issue' || d.purpose === 'failure'));
  const first = await Promise.all(claimed.filter(opensIssue).map((d) => runDelivery(d, ports, settings)));
  const rest = await Promise.all(
    claimed.filter((d) => !opensIssue(d)).map((d) => runDelivery(d, ports, settings)),
  );
  return [...first, ...rest].filter((r): r is DeliveryResult => r !== null);
}
