/**
 * How text is written for one target format (GitLab Markdown, Slack mrkdwn, HTML, plain text).
 * Each target has ONE module implementing this; message builders write every value through it, so
 * no value a person or a caller typed can become markup, a mention, a link or a command there.
 */
export interface TextFormat {
  /** Free text (a reason, a name, an error), on one line, shown literally. */
  text(value: string): string;
  /** A value shown as code: commands, ids, fingerprints. */
  code(value: string): string;
  /**
   * A link to an http(s) URL, in its normalised form (`new URL(x).href`), showing the URL or
   * `label`; anything else is shown as text, never linked.
   */
  link(url: string, label?: string): string;
  /** Lines of a message, in order (empty strings are blank lines where the format has them). */
  lines(lines: readonly string[]): string;
}

/**
 * Free text on one line: every run of whitespace or control characters becomes one space (so no
 * value can start a line of its own: a GitLab quick action, a list item, a heading), and the
 * invisible direction overrides that can disguise text are dropped.
 */
export function oneLine(value: string): string {
  return value
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim();
}

/**
 * An http(s) URL in its normalised form (WHATWG `href`: spaces, quotes and angle brackets
 * percent-encoded), or null: another scheme, no URL at all, or user info (`https://a@b/`) that
 * disguises the host.
 */
export function webUrl(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

/** Plain text (the customer's email): values on one line, links as their normalised URL. */
export const plainText: TextFormat = {
  text: oneLine,
  code: oneLine,
  link: (url, label) => {
    const href = webUrl(url);
    if (href === null) return oneLine(url);
    return label === undefined ? href : `${oneLine(label)} (${href})`;
  },
  lines: (lines) => lines.join('\n'),
};
