/**
 * HTML escaping (src/core/text/html.ts): escaped text holds no character that starts a tag or ends
 * an attribute, and decodes back to the text; links are made only to normalised http(s) URLs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneLine } from '../../../src/core/text/format.js';
import { escapeHtml, html, htmlLink, htmlText } from '../../../src/core/text/html.js';
import { HOSTILE } from './hostile.js';

/** The five entities escapeHtml writes, decoded. */
const decoded = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('htmlText and escapeHtml', () => {
  it.each(HOSTILE)('shows %j as text: no tag, no attribute break-out', (value) => {
    const escaped = htmlText(value);
    expect(escaped).not.toMatch(/[<>"']/);
    expect(decoded(escaped)).toBe(oneLine(value));
  });

  it('holds for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (value) => {
        const escaped = escapeHtml(value);
        expect(escaped).not.toMatch(/[<>"']|&(?!amp;|lt;|gt;|quot;|#39;)/);
        expect(decoded(escaped)).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('htmlLink', () => {
  it('links a normalised http(s) URL, with its label escaped', () => {
    expect(htmlLink('https://zd.example/t/1?a=1&b="x"', '<b>#1</b>')).toBe(
      '<a href="https://zd.example/t/1?a=1&amp;b=%22x%22">&lt;b&gt;#1&lt;/b&gt;</a>',
    );
  });

  it.each(['javascript:alert(1)', 'data:text/html,<b>x</b>', 'https://user:pw@evil.example/'])(
    'does not link %j',
    (value) => {
      expect(htmlLink(value, 'label')).not.toContain('<a');
    },
  );
});

describe('html.lines', () => {
  it('makes paragraphs of runs of lines, with line breaks inside', () => {
    expect(html.lines(['a', 'b', '', 'c'])).toBe('<p>a<br>\nb</p>\n<p>c</p>');
  });
});
