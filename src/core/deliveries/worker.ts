/**
 * The outbox worker: claims due deliveries and runs each through its channel, independently.
 * Temporary failures come back with exponential backoff and jitter (honouring Retry-After);
 * permanent ones are marked failed with the reason; an email whose outcome is unknown is marked
 * `unknown` for a human and never re-sent automatically. A delivery that succeeded is never repeated:
 * its completion is recorded only by the worker that still holds its claim.
 */
import { auditEntry, newDeliveries } from '../issuance/records.js';
import type { Actor, Clock, DeliveryCompletion, DeliveryRecord, IdGenerator, Store } from '../ports.js';
import { channelNamed, portOf, type DeliveryChannels } from './channels/index.js';
import { opensIssue } from './channels/tracker.js';
import { emailOnFirstAttempt, followUpsDue, isFinal, reportedEmail } from './follow-ups.js';
import type { MailSettings, MessageContext } from './messages.js';
import { DeliveryError } from './ports.js';

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

/**
 * While the tracker issue is being created, the chat post and ticket note wait for its link; while
 * the email is on its first try (due now, usually done within a poll or two), for its outcome.
 */
const WAIT_FOR_TRACKER_MS = 2_000;
const WAIT_FOR_EMAIL_MS = 500;
const WAIT_FOR_EARLIER_MS = 1_000;

export function backoffMs(attempt: number, settings: WorkerSettings, retryAfterMs?: number): number {
  const exponential = Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.8 + 0.4 * (settings.random ?? Math.random)();
  return Math.max(Math.round(exponential * jitter), retryAfterMs ?? 0);
}

type Outcome =
  | {
      kind: 'sent';
      externalRef: string | null;
      externalUrl?: string | null;
      trackerLink?: { iid: string; url: string | null };
      /** The email as the sent text stated it (a chat post or ticket note), for its follow-up. */
      stated?: DeliveryRecord | null;
    }
  | { kind: 'wait'; reason: string; delayMs: number }
  | { kind: 'error'; error: DeliveryError };

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError('temporary', error instanceof Error ? error.message : String(error));
}

/** Why a chat post or ticket note should wait a moment, and how long; null to write it now. */
function reasonToWait(
  delivery: DeliveryRecord,
  siblings: readonly DeliveryRecord[],
  tracker: unknown,
  email: DeliveryRecord | null,
): { reason: string; delayMs: number } | null {
  // Posts and notes link to the tracker issue: wait for it while it is on its way.
  const trackerOnItsWay = siblings.some(
    (d) => opensIssue(d) && ['queued', 'claimed', 'sending'].includes(d.status),
  );
  if (!tracker && trackerOnItsWay)
    return { reason: 'waiting for the tracker issue', delayMs: WAIT_FOR_TRACKER_MS };
  // An earlier post or note on the same channel goes first (a decision answers in its thread).
  const earlierOnItsWay = siblings.some(
    (d) =>
      d.channel === delivery.channel &&
      d.createdAt < delivery.createdAt &&
      ['queued', 'claimed', 'sending'].includes(d.status),
  );
  if (earlierOnItsWay)
    return {
      reason: `waiting for the request's earlier ${delivery.channel} delivery`,
      delayMs: WAIT_FOR_EARLIER_MS,
    };
  // They say how the email went: wait for its first try, so that they rarely need a follow-up.
  if (delivery.purpose !== 'follow_up' && email && emailOnFirstAttempt(email))
    return { reason: 'waiting for the first try of the license email', delayMs: WAIT_FOR_EMAIL_MS };
  return null;
}

async function attempt(
  delivery: DeliveryRecord,
  ports: WorkerPorts,
  settings: WorkerSettings,
): Promise<Outcome> {
  const { store } = ports;
  const channel = channelNamed(delivery.channel);
  if (!channel) {
    return { kind: 'error', error: new DeliveryError('permanent', `no channel named ${delivery.channel}`) };
  }
  const request = await store.getRequest(delivery.requestId);
  if (!request)
    return { kind: 'error', error: new DeliveryError('permanent', 'the request no longer exists') };
  const [license, tracker, siblings] = await Promise.all([
    store.getLicenseForRequest(request.id),
    store.getTrackerLink(request.id),
    channel.firstWave(delivery) ? [] : store.listDeliveries(request.id),
  ]);
  const email = reportedEmail(delivery, siblings);
  const ctx: MessageContext = { request, license, delivery, tracker, email };

  // A worker stopped while handing this to its channel: it may have arrived. Repeating it could
  // duplicate an email or a post, so a human decides (the tracker issue gets a note for emails).
  if (delivery.status === 'sending') {
    return {
      kind: 'error',
      error: new DeliveryError(
        'unknown',
        `the worker stopped while sending this ${channel.label.toLowerCase()}; it may have arrived`,
      ),
    };
  }

  const wait = channel.waitsForTracker ? reasonToWait(delivery, siblings, tracker, email) : null;
  if (wait !== null && delivery.attempts < settings.maxAttempts - 1) return { kind: 'wait', ...wait };

  // What cannot be looked up afterwards to see whether it arrived is marked `sending` just before
  // it leaves (see above for a stopped worker).
  const handOver = async (): Promise<boolean> =>
    !channel.marksSending ||
    store.markSending(delivery.id, settings.workerId, ports.clock.now().toISOString());
  try {
    const sent = await channel.send({
      ctx,
      siblings,
      port: portOf(ports.channels, channel),
      mail: settings.mail,
      handOver,
    });
    if (sent === 'claim_lost') {
      return { kind: 'error', error: new DeliveryError('temporary', 'the claim was lost before sending') };
    }
    return { kind: 'sent', ...sent };
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
      externalUrl: outcome.externalUrl ?? null,
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
    // Follow-ups (follow-ups.ts), read after the audit entry: its head row's lock orders this
    // transaction with the other deliveries' of the request, so each sees what the other wrote.
    const stated = outcome.kind === 'sent' ? (outcome.stated ?? null) : null;
    const mayNeedFollowUps =
      delivery.channel === 'email' ? completion.status !== 'queued' : stated !== null && !isFinal(stated);
    if (mayNeedFollowUps) {
      const siblings = await tx.listDeliveries(delivery.requestId);
      const done = siblings.find((d) => d.id === delivery.id);
      const due = done ? followUpsDue(done, stated, siblings) : [];
      if (due.length > 0) {
        await tx.insertDeliveries(
          due.flatMap(({ channel, about }) =>
            newDeliveries(ports, delivery.requestId, 'follow_up', [channel], now, about.recipient).map(
              (d) => ({
                ...d,
                about: about.id,
              }),
            ),
          ),
        );
      }
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
  // the tracker issue and say how the email went.
  const first = (d: DeliveryRecord): boolean => channelNamed(d.channel)?.firstWave(d) ?? true;
  const done = await Promise.all(claimed.filter(first).map((d) => runDelivery(d, ports, settings)));
  const rest = await Promise.all(
    claimed.filter((d) => !first(d)).map((d) => runDelivery(d, ports, settings)),
  );
  return [...done, ...rest].filter((r): r is DeliveryResult => r !== null);
}
