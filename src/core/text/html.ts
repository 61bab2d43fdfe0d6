/**
 * HTML (the Zendesk ticket's internal note, sent as `html_body`, and the pages the server builds).
 * Every value is escaped for text and attribute positions alike; links are built here only, from
 * a normalised http(s) URL.
 */
import { oneLine, webUrl, type TextFormat } from './format.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text escaped for HTML content and quoted attribute values (line breaks kept). */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Free text, on one line, escaped for HTML. */
export function htmlText(value: string): string {
  return escapeHtml(oneLine(value));
}

/** `<a href="…">label</a>` for a normalised http(s) URL (the URL as its label by default); else text. */
export function htmlLink(url: string, label?: string): string {
  const href = webUrl(url);
  if (href === null) return htmlText(url);
  return `<a href="${escapeHtml(href)}">${htmlText(label ?? href)}</a>`;
}

export const html: TextFormat = {
  text: htmlText,
  code: (value) => `<code>${htmlText(value)}</code>`,
  link: htmlLink,
  // One paragraph per run of lines; a blank line starts the next.
  lines: (lines) =>
    lines
      .join('\n')
      .split(/\n{2,}/)
      .map((block) => `<p>${block.split('\n').join('<br>\n')}</p>`)
      .join('\n'),
};
