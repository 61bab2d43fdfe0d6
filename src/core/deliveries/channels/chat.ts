/**
 * §6.3 the team's chat message (Slack mrkdwn) and its follow-ups. Never the license text.
 */
import { webUrl } from '../../text/format.js';
import { slackMrkdwn as f } from '../../text/slack-mrkdwn.js';
import { threadOf } from '../follow-ups.js';
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
  ticketRef,
  trackerLine,
  type MessageContext,
} from './common.js';

export interface ChatNotifier {
  /**
   * Posts the message (§6.3); returns the message reference (Slack `ts`) when there is one. With
   * `threadRef` (a decision, a follow-up), the message answers that post in its thread where the
   * channel can; otherwise it is a message of its own (the text names the request). `url`: the
   * message's permalink, when the channel gives one.
   */
  post(
    text: string,
    meta: { requestId: string; threadRef?: string | null },
  ): Promise<{ ref: string | null; url?: string | null }>;
  verify(): Promise<string>;
}

export function buildChatMessage(ctx: MessageContext): string {
  const { request, license, delivery } = ctx;
  const ticket = ticketRef(request, f);
  const tracker = trackerLine(ctx.tracker, f);
  const engineer = `Engineer: ${f.text(request.engineer)}`;
  const approve = f.code(`lifeline approve ${request.id}`);
  const retry = f.code(`lifeline retry ${request.id}`);

  const issued = (heading: string): string => {
    const l = requireLicense(ctx, 'The chat message');
    return f.lines(
      present([
        `${heading} for ${ticket}`,
        `Customer: ${f.text(l.email)}`,
        `Seats: ${l.seats}`,
        `Expires: ${l.expiresAt} (works through ${lastWorkingDay(l.expiresAt)})`,
        engineer,
        emailStatusLine(ctx, f),
        tracker,
        overrideInWords(request, f),
      ]),
    );
  };

  switch (delivery.purpose) {
    case 'issue':
      return issued('Emergency license issued');
    case 'resend':
      return f.lines(
        present([
          `Emergency license resent for ${ticket} (the same license; no new one was generated)`,
          emailStatusLine(ctx, f),
          tracker,
        ]),
      );
    case 'pending': {
      const o = request.override;
      return f.lines(
        present([
          `Approval needed: emergency license for ${ticket}`,
          `Customer: ${f.text(request.requesterEmail)}`,
          `Seats: ${request.seats}`,
          engineer,
          o ? `Override by ${f.text(o.by)} (${f.text(o.codes.join(', '))}): ${f.text(o.reason)}` : null,
          `Licensing, please review and approve with ${approve} (or reject it).`,
        ]),
      );
    }
    case 'decision': {
      const d = request.decision;
      if (d?.decision === 'approved' && license) return issued('Override approved; emergency license issued');
      const by = d ? f.text(d.by) : 'licensing';
      const reason = d?.reason ? `: ${f.text(d.reason)}` : '';
      return f.lines([
        `Emergency license request rejected for ${ticket}`,
        `Rejected by ${by}${reason}`,
        `Customer: ${f.text(request.requesterEmail)}`,
        `Seats: ${request.seats}`,
        engineer,
        'No license was issued.',
      ]);
    }
    case 'void': {
      const v = request.voided;
      return f.lines(
        present([
          `Emergency license voided for ${ticket}`,
          v ? `Voided by ${f.text(v.by)}: ${f.text(v.reason)}` : 'Voided by licensing',
          `Customer: ${f.text(license?.email ?? request.requesterEmail)}`,
          license ? `Seats: ${license.seats}, expires ${license.expiresAt}` : null,
          `Note: ${CANNOT_REVOKE}; it keeps working until it expires.`,
          tracker,
        ]),
      );
    }
    case 'follow_up':
    case 'email_failed':
    case 'email_unknown':
      return buildChatFollowUp(ctx);
    case 'failure': {
      const failure = request.failure;
      return f.lines(
        present([
          `No emergency license could be generated for ${ticket}`,
          `Customer: ${f.text(request.requesterEmail)}`,
          `Seats: ${request.seats}`,
          engineer,
          `Error: ${failure ? `${f.text(failure.code)}: ${f.text(failure.message)}` : 'unknown'}`,
          tracker,
          `Fix the cause, then ${retry}.`,
        ]),
      );
    }
  }
}

/**
 * A follow-up (§12): a reply in the post's thread where Slack gives one, else a message of its own,
 * so it names the ticket and the request either way.
 */
function buildChatFollowUp(ctx: MessageContext): string {
  const { request } = ctx;
  const sentence =
    followUpSentence(ctx, f) ?? `The license email to ${f.text(emailRecipient(ctx))} is not sent yet.`;
  return `Update on the emergency license for ${ticketRef(request, f)} (request ${f.code(request.id)}): ${sentence}`;
}

export const chatChannel: ChannelDefinition<'chat', 'chat', ChatNotifier> = {
  name: 'chat',
  label: 'Team notification',
  portKey: 'chat',
  integration: 'chat',
  purposes: ['issue', 'failure', 'void', 'pending', 'decision'],
  marksSending: true,
  waitsForTracker: true,
  firstWave: () => false,
  verify: (port) => port.verify(),
  async send({ ctx, port, siblings, handOver }) {
    const text = buildChatMessage(ctx);
    const email = ctx.email ?? null;
    // A decision answers the request's first post, a follow-up the post it follows, in its thread.
    const thread = threadOf(ctx.delivery, email, siblings);
    if (!(await handOver())) return 'claim_lost';
    const { ref, url } = await port.post(text, {
      requestId: ctx.request.id,
      threadRef: thread?.externalRef ?? null,
    });
    return { externalRef: ref, externalUrl: url ?? null, stated: email };
  },
  reference(delivery) {
    const reply = delivery.purpose === 'decision' || delivery.purpose === 'follow_up';
    return {
      text: reply ? 'Reply in the thread of the team post' : 'Team post',
      url: webUrl(delivery.externalUrl ?? null),
    };
  },
};
