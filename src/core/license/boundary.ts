/**
 * The optional `BEGIN <NAME> LICENSE` / `END <NAME> LICENSE` marker lines around a license body,
 * with the gem's rules: any number of dashes, "\r\n" or "\n", any product name; the body is what
 * follows the last BEGIN line up to the next END line.
 */

// `[^\n]` stands for Ruby's `.`, which (unlike JavaScript's) also matches "\r".
const BOUNDARY_START = /(?:^|\r?\n)-*BEGIN [^\n]+? LICENSE-*\r?\n/g;
const BOUNDARY_END = /\r?\n-*END [^\n]+? LICENSE-*(?:\r?\n|$)/;

/** The body inside the markers, or the whole text when it has none; "" when nothing is left. */
export function removeBoundary(text: string): string {
  let start = 0;
  for (const m of text.matchAll(BOUNDARY_START)) start = (m.index ?? 0) + m[0].length;
  const after = text.slice(start);
  const end = BOUNDARY_END.exec(after);
  return end ? after.slice(0, end.index) : after;
}

function pad(message: string, width: number): string {
  const total = Math.max(width - message.length, 0);
  return '-'.repeat(Math.ceil(total / 2)) + message + '-'.repeat(Math.floor(total / 2));
}

/** Frames a body the way the gem's `export(boundary:)` does: centred markers, no final newline. */
export function addBoundary(body: string, productName: string): string {
  const name = productName.toUpperCase();
  return [pad(`BEGIN ${name} LICENSE`, 60), removeBoundary(body).trim(), pad(`END ${name} LICENSE`, 60)].join(
    '\n',
  );
}

/** A product name usable in the markers: letters, digits, spaces, dots, dashes and underscores. */
export function isValidBoundaryName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$/.test(name) && !/ LICENSE/i.test(name);
}
