/**
 * The texts of PRODUCT.md §6, one module per channel in ./channels: the customer's email (§6.1,
 * plain text), the tracker issue and its notes (§6.2, GitLab Markdown), the team's chat message
 * (§6.3, Slack mrkdwn) and the ticket's internal note (§6.4, HTML), with the follow-ups that keep
 * them true about the email (§12). Pure builders: the worker loads the records and hands them in.
 *
 * Titles, label and subject are exact: people and tools search for them. Every other value is
 * written through its target's format (src/core/text/). The license text goes only to the customer
 * (email) and to the licensing team's confidential tracker issue — never into the chat message or
 * the ticket note.
 */
export {
  DEFAULT_CHAT_CHANNEL,
  EMAIL_SUBJECT,
  failureTitle,
  requestMarker,
  successTitle,
  TRACKER_LABEL,
  type MessageContext,
} from './channels/common.js';
export { buildEmail, type MailSettings } from './channels/email.js';
export { buildTrackerIssue, buildTrackerNote } from './channels/tracker.js';
export { buildChatMessage } from './channels/chat.js';
export { buildTicketNote, TICKET_FOLLOW_UP_HEADING } from './channels/ticket-note.js';
