/**
 * Slack mrkdwn escaping (src/core/text/slack-mrkdwn.ts): Slack reads `<…>` as links, mentions and
 * commands and `&…;` as entities; escaped text holds neither, and reads back as the text it holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneLine } from '../../../src/core/text/format.js';
import { slackLink, slackText } from '../../../src/core/text/slack-mrkdwn.js';
import { HOSTILE } from './hostile.js';

/** What Slack shows for mrkdwn text: its three entities decoded. */
const shown = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The `<…>` sequences Slack would act on: links, mentions, `<!channel>`. */
const controls = (text: string): string[] => text.match(/<[^>]*>/g) ?? [];

describe('slackText', () => {
  it.each(HOSTILE)('shows %j literally, with no control sequence', (value) => {
    const escaped = slackText(value);
    expect(controls(escaped)).toEqual([]);
    expect(shown(escaped)).toBe(oneLine(value));
  });

  it('holds for any text: no `<`, `>` or bare `&`, and reads back as the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (value) => {
        const escaped = slackText(value);
        expect(escaped).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
        expect(shown(escaped)).toBe(oneLine(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('slackLink', () => {
  it('builds one link to the normalised URL, whose label cannot be forged', () => {
    const hostile = 'https://zd.example/agent/tickets/3001<!channel>|<https://evil.example|Click>';
    const link = slackLink(hostile, 'ticket #3001');
    const [only, ...more] = controls(link);
    expect(more).toEqual([]);
    expect(only).toBe(link);
    // Slack splits a link at its first `|`: the URL part is the whole normalised URL.
    const [url, label] = (only ?? '').slice(1, -1).split('|');
    expect(new URL(shown(url ?? '')).host).toBe('zd.example');
    expect(label).toBe('ticket #3001');
    expect(link).not.toContain('<!channel>');
    expect(link).not.toContain('|Click');
  });

  it('escapes an ampersand of the URL and the label', () => {
    expect(slackLink('https://zd.example/t?a=1&b=2', 'a <b> & c')).toBe(
      '<https://zd.example/t?a=1&amp;b=2|a &lt;b&gt; &amp; c>',
    );
  });

  it.each(['javascript:alert(1)', 'not a url', 'https://user@evil.example/x'])(
    'does not link %j',
    (value) => {
      expect(controls(slackLink(value, 'label'))).toEqual([]);
    },
  );
});
