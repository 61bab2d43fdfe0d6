/**
 * §6.4 the ticket's internal note (HTML, Zendesk's `html_body`) and its follow-ups. Never the
 * license text.
 */
import { webUrl } from '../../text/format.js';
import type { TicketImage } from '../../ports.js';
import { html as f } from '../../text/html.js';
import type { ChannelDefinition } from './definition.js';
import {
  CANNOT_REVOKE,
  emailRecipient,
  emailStatusLine,
  followUpSentence,
  lastWorkingDay,
  overrideInWords,
  present,
  requireLicense,
  trackerLine,
  type MessageContext,
} from './common.js';

export interface TicketSystem {
  /**
   * Adds an INTERNAL (private) note to the ticket (§6.4); `html` is the note as HTML. Returns the
   * ticket's address for people, when the system has one.
   */
  addInternalNote(ticketId: string, html: string): Promise<void | { url: string | null }>;
  /** How many image attachments the ticket's comments carry (the screenshots of step 1). */
  imageAttachmentCount(ticketId: string): Promise<number>;
  /** The ticket's image attachments, oldest first. */
  imageAttachments(ticketId: string): Promise<TicketImage[]>;
  /** One attachment's bytes; null when larger than `maxBytes` (not read past it). */
  downloadAttachment(ticketId: string, image: TicketImage, maxBytes: number): Promise<Uint8Array | null>;
  verify(): Promise<string>;
}

/** How every follow-up note begins (people and tests tell them from the first note by it). */
export const TICKET_FOLLOW_UP_HEADING = 'Update on the emergency license:';

/** The ticket's internal note. Never the license text. */
export function buildTicketNote(ctx: MessageContext): string {
  const { request, license, delivery } = ctx;
  const tracker = trackerLine(ctx.tracker, f);

  switch (delivery.purpose) {
    case 'issue':
    case 'decision': {
      const deciding = delivery.purpose === 'decision';
      if (deciding && request.decision?.decision !== 'approved') {
        return f.lines(
          present([
            'Emergency license request rejected by the licensing team.',
            overrideInWords(request, f),
            'No license was issued.',
          ]),
        );
      }
      const l = requireLicense(ctx, 'The ticket note');
      return f.lines(
        present([
          `${deciding ? 'Override approved: emergency license' : 'Emergency license'} generated (10-day Ultimate trial).`,
          `Seats: ${l.seats}`,
          `Expires: ${l.expiresAt} (works through ${lastWorkingDay(l.expiresAt)})`,
          emailStatusLine(ctx, f),
          overrideInWords(request, f),
          tracker,
        ]),
      );
    }
    case 'resend':
      return f.lines(
        present([
          'Emergency license resent (the same license; no new one was generated).',
          emailStatusLine(ctx, f),
          tracker,
        ]),
      );
    case 'pending':
      return f.lines(
        present([
          'Emergency license requested with an override; waiting for approval by the licensing team.',
          overrideInWords(request, f),
          `Seats: ${request.seats}`,
          tracker,
        ]),
      );
    case 'void': {
      const v = request.voided;
      return f.lines(
        present([
          `Emergency license voided${v ? ` by ${f.text(v.by)}: ${f.text(v.reason)}` : ''}.`,
          `Note: ${CANNOT_REVOKE}; it keeps working until it expires` +
            (license ? ` on ${license.expiresAt}.` : '.'),
          tracker,
        ]),
      );
    }
    case 'follow_up':
    case 'email_failed':
    case 'email_unknown':
      return f.lines(
        present([
          `${TICKET_FOLLOW_UP_HEADING} ${
            followUpSentence(ctx, f) ?? `the license email to ${f.text(emailRecipient(ctx))} is not sent yet.`
          }`,
          tracker,
        ]),
      );
    case 'failure': {
      const failure = request.failure;
      return f.lines(
        present([
          `No emergency license could be generated${failure ? ` (${f.text(failure.code)})` : ''}; the licensing team has been told.`,
          tracker,
        ]),
      );
    }
  }
}

export const ticketChannel: ChannelDefinition<'ticket', 'tickets', TicketSystem> = {
  name: 'ticket',
  label: 'Ticket note',
  portKey: 'tickets',
  integration: 'tickets',
  // The engineer who asked for an override reads on the ticket that it waits, then the decision.
  purposes: ['issue', 'pending', 'decision'],
  marksSending: true,
  waitsForTracker: true,
  firstWave: () => false,
  verify: (port) => port.verify(),
  async send({ ctx, port, handOver }) {
    const note = buildTicketNote(ctx);
    if (!(await handOver())) return 'claim_lost';
    const added = await port.addInternalNote(ctx.request.ticketId, note);
    return { externalRef: null, externalUrl: added?.url ?? null, stated: ctx.email ?? null };
  },
  reference(delivery, { ticketId }) {
    return { text: `Internal note on ticket #${ticketId}`, url: webUrl(delivery.externalUrl ?? null) };
  },
};
