/**
 * What a delivery channel is (issue 19): its name and label, which events reach it, how the worker
 * treats it, and its send step. The catalogue (./index.ts) lists the channels once; the worker,
 * the use cases, metrics, the doctor and the views loop over it.
 */
import type { DeliveryPurpose, DeliveryRecord } from '../../ports.js';
import type { MessageContext } from './common.js';
import type { MailSettings } from './email.js';
import type { TrackerRef } from '../ports.js';

/** A delivery as people refer to it (the request's record shows it). */
export interface DeliveryReference {
  text: string;
  url: string | null;
}

/** What a channel's reference may name besides the delivery. */
export interface ReferenceContext {
  ticketId: string;
  tracker: TrackerRef | null;
}

/** What the worker hands a channel's send step. */
export interface SendStep<Port> {
  ctx: MessageContext;
  /** The request's other deliveries (empty for channels in the first wave). */
  siblings: readonly DeliveryRecord[];
  port: Port;
  mail: MailSettings;
  /**
   * Called just before the message leaves: for a channel that `marksSending`, the delivery is
   * marked `sending` (a stop after this is `unknown`, never repeated). False: the claim was lost.
   */
  handOver(): Promise<boolean>;
}

export type Sent =
  | {
      externalRef: string | null;
      /** Where people can see it (a tracker issue, a Slack permalink, a ticket), when known. */
      externalUrl?: string | null;
      /** The request's tracker issue, when this send created or found it. */
      trackerLink?: TrackerRef;
      /** The email as the sent text stated it (a post or note), for its follow-up. */
      stated?: DeliveryRecord | null;
    }
  | 'claim_lost';

export interface ChannelDefinition<
  Name extends string = string,
  PortKey extends string = string,
  Port = unknown,
> {
  name: Name;
  /** For people: "Email", "Tracker issue"… */
  label: string;
  /** Which member of DeliveryChannels is this channel's adapter. */
  portKey: PortKey;
  /** The integration its adapter is configured by (the config group, src/config/<name>.ts), for the doctor. */
  integration: string;
  /** The events (delivery purposes) that queue this channel; follow-ups are decided apart. */
  purposes: readonly DeliveryPurpose[];
  /** Cannot be looked up afterwards: marked `sending` before it leaves (see SendStep.handOver). */
  marksSending: boolean;
  /** Links to the tracker issue and says how the email went: waits a moment for both. */
  waitsForTracker: boolean;
  /** Runs in a batch's first wave (others wait on it). */
  firstWave(delivery: DeliveryRecord): boolean;
  send(step: SendStep<Port>): Promise<Sent>;
  /**
   * A sent delivery in words for people ("Issue #412", "Reply in the Slack thread"), with its link
   * when one is known: never an internal id or a server path.
   */
  reference(delivery: DeliveryRecord, context: ReferenceContext): DeliveryReference;
  /** Checks its integration for real (connects, authenticates) and says what it found, or throws. */
  verify(port: Port): Promise<string>;
  /** Only a type: the port this channel's adapter implements. */
  readonly port?: Port;
}
