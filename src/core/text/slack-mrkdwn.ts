/**
 * Slack mrkdwn (the team's channel). Slack reads `<…>` as links, mentions and commands
 * (`<!channel>`, `<@U123>`, `<https://x|label>`) and `&…;` as entities; escaping `&`, `<` and `>`
 * is what Slack documents to show text literally. Links are built here only, as
 * `<normalised-url|label>`, with the `|` of the URL percent-encoded so the label cannot be forged.
 */
import { oneLine, webUrl, type TextFormat } from './format.js';

const escapeControl = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Free text, shown literally in a Slack message. */
export function slackText(value: string): string {
  return escapeControl(oneLine(value));
}

/** `<https://…|label>` for a normalised http(s) URL (the URL itself without a label); else text. */
export function slackLink(url: string, label?: string): string {
  const href = webUrl(url);
  if (href === null) return slackText(url);
  const target = escapeControl(href.replace(/\|/g, '%7C'));
  return label === undefined ? `<${target}>` : `<${target}|${slackText(label)}>`;
}

export const slackMrkdwn: TextFormat = {
  text: slackText,
  // Backticks cannot be escaped in mrkdwn: a value holding one is shown as plain text instead.
  code: (value) => (value.includes('`') ? slackText(value) : `\`${slackText(value)}\``),
  link: slackLink,
  lines: (lines) => lines.join('\n'),
};
