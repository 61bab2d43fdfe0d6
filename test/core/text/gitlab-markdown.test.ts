/**
 * GitLab Markdown escaping (src/core/text/gitlab-markdown.ts), checked with the CommonMark
 * reference parser (GitLab renders CommonMark): escaped text parses back to exactly the text it
 * holds, as one text run, never a link, an image, HTML, code, emphasis or a block of its own; and
 * every GitLab reference character is escaped, so no mention, reference or quick action remains.
 */
import { Parser, type Node } from 'commonmark';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneLine } from '../../../src/core/text/format.js';
import { markdownCode, markdownLink, markdownText } from '../../../src/core/text/gitlab-markdown.js';
import { HOSTILE } from './hostile.js';

/**
 * The node types of a parsed document (each once, in order of first appearance), its text as
 * rendered (text and code contents) and its links' and images' destinations.
 */
function parse(markdown: string): { types: string[]; text: string; links: string[] } {
  const types: string[] = [];
  const links: string[] = [];
  let text = '';
  const walker = new Parser().parse(markdown).walker();
  for (let step = walker.next(); step; step = walker.next()) {
    if (!step.entering) continue;
    const node: Node = step.node;
    if (!types.includes(node.type)) types.push(node.type);
    if (node.type === 'text' || node.type === 'code') text += node.literal ?? '';
    if (node.type === 'link' || node.type === 'image') links.push(node.destination ?? '');
  }
  return { types, text, links };
}

/** No GitLab reference character (`@user`, `#1`, `!2`, `~label`, `%m`, `$3`, `&4`) is unescaped. */
const unescapedReference = /(^|[^\\])(\\\\)*[@#!~%$&]/;

describe('markdownText', () => {
  it.each(HOSTILE)('shows %j literally: one paragraph of text, no markup', (value) => {
    const escaped = markdownText(value);
    expect(parse(escaped)).toEqual({
      types: ['document', 'paragraph', 'text'],
      text: oneLine(value),
      links: [],
    });
    expect(escaped).not.toMatch(unescapedReference);
    expect(escaped).not.toContain('\n');
  });

  it('never lets a value start a quick action, a list or a heading, even at the start of a line', () => {
    for (const value of ['/close', '- item', '+ item', '1. item', '= x', '# h']) {
      const line = `${markdownText(value)}\n`;
      expect(line).not.toMatch(/^\/[a-z]/m);
      expect(parse(line).types).toEqual(['document', 'paragraph', 'text']);
    }
  });

  it('holds for any text: parses back to the same text, with every reference escaped', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (value) => {
        const escaped = markdownText(value);
        const parsed = parse(`Reason: ${escaped}`);
        expect(parsed.links).toEqual([]);
        expect(parsed.types).toEqual(['document', 'paragraph', 'text']);
        expect(parsed.text).toBe(oneLine(`Reason: ${oneLine(value)}`));
        expect(escaped).not.toMatch(unescapedReference);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves plain words, dates and times readable', () => {
    expect(markdownText('Production down during upgrade, 2026-11-28 10:00.')).toBe(
      'Production down during upgrade, 2026-11-28 10:00.',
    );
  });
});

describe('markdownCode', () => {
  it.each(HOSTILE)('holds %j as one code span', (value) => {
    const parsed = parse(markdownCode(value));
    expect(parsed.types).toEqual(['document', 'paragraph', 'code']);
    expect(parsed.text).toBe(oneLine(value));
  });
});

describe('markdownLink', () => {
  it('links a normalised http(s) URL as an autolink showing the URL itself', () => {
    const hostile = 'https://zd.example/agent/tickets/3001<!channel>|<https://evil.example|Click>';
    const link = markdownLink(hostile);
    const parsed = parse(link);
    expect(parsed.links).toHaveLength(1);
    expect(new URL(parsed.links[0] ?? '').host).toBe('zd.example');
    expect(link).not.toContain('<!channel>');
    expect(parsed.text).toBe(new URL(hostile).href);
  });

  it.each(['javascript:alert(1)', 'data:text/html,<b>x</b>', 'not a url', 'https://user@evil.example/'])(
    'does not link %j',
    (value) => {
      const parsed = parse(markdownLink(value));
      expect(parsed.links).toEqual([]);
      expect(parsed.text).toBe(value);
    },
  );
});
