/**
 * GitLab Flavored Markdown (tracker issue descriptions and notes). GitLab renders CommonMark plus
 * its own references (`@user`, `@all`, `#12`, `!3`, `~label`, `%milestone`, `$snippet`, `&epic`) and
 * runs quick actions (`/close`) from any line that starts with a slash.
 *
 * Free text is put on one line (so it never starts a line of its own) and every ASCII punctuation
 * character that Markdown or GitLab gives a meaning inside a line is backslash-escaped: CommonMark
 * shows an escaped character literally, and GitLab makes no reference of an escaped reference
 * character. Those that mean something only at the start of a line (`-` `+` `=` `/` `1.`) are
 * escaped there only; `:` `.` `,` `;` `?` `'` `"` are left as they are.
 */
import { oneLine, webUrl, type TextFormat } from './format.js';

const INSIDE_A_LINE = /[\\`*_{}[\]()#!|<>~@$%&^]/g;
const AT_LINE_START = /^(?:[-+=/]|\d+(?=\.))/;

/** Free text, shown literally in GitLab Markdown wherever it is put. */
export function markdownText(value: string): string {
  return oneLine(value)
    .replace(INSIDE_A_LINE, (c) => `\\${c}`)
    .replace(AT_LINE_START, (start) => (/^\d/.test(start) ? start.replace(/$/, '\\') : `\\${start}`));
}

/** An inline code span holding `value` literally (fenced by more backticks than it contains). */
export function markdownCode(value: string): string {
  const text = oneLine(value);
  if (text === '') return '` `';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A space on both sides when the text starts or ends with a backtick (CommonMark strips one).
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * An autolink `<https://…>` to a normalised http(s) URL: it shows the URL itself, so the text of a
 * link can never disguise where it goes. Anything else is escaped text.
 */
export function markdownLink(url: string): string {
  const href = webUrl(url);
  return href === null ? markdownText(url) : `<${href}>`;
}

export const gitlabMarkdown: TextFormat = {
  text: markdownText,
  code: markdownCode,
  link: (url) => markdownLink(url),
  lines: (lines) => lines.join('\n'),
};
