/**
 * The forgiving readings of the issue form and the CLI (src/core/forgiving-input.ts): what people
 * paste is read as they meant it, what cannot be read is refused in words that say what to type,
 * and hostile input (huge, invisible, look-alike, `javascript:`) is refused quickly or flagged.
 */
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  countExpectation,
  groupDigits,
  readCount,
  readEmail,
  readTicket,
  type Reading,
} from '../../src/core/forgiving-input.js';
import { isEmailAddress, MAX_SEATS } from '../../src/core/limits.js';

function value<T>(reading: Reading<T>): T | null {
  if (!reading.ok) throw new Error(`refused: ${reading.problem}`);
  return reading.value;
}
function problem<T>(reading: Reading<T>): string {
  if (reading.ok) throw new Error(`read as ${JSON.stringify(reading.value)}`);
  return reading.problem;
}

describe('readCount', () => {
  it.each([
    ['140', 140, null],
    [' 140 ', 140, null],
    ['1,200', 1200, '1200'],
    ['1 200', 1200, '1200'],
    ['1\u00a0200', 1200, '1200'],
    ["1'200", 1200, '1200'],
    ['1,000,000', 1_000_000, '1000000'],
    ['１４０', 140, '140'],
    ['\u200b140\ufeff', 140, '140'],
    ['0', 0, null],
  ])('reads %j as %d', (text, expected, understood) => {
    const reading = readCount(text);
    expect(value(reading)).toBe(expected);
    expect(reading.ok && reading.understood).toBe(understood);
  });

  it('reads nothing typed as no value', () => {
    expect(readCount('   ')).toEqual({ ok: true, value: null, understood: null, warning: null });
  });

  it('says what to type, with the limits of src/core/limits.ts, and what was wrong', () => {
    expect(countExpectation(1, MAX_SEATS)).toBe('a whole number from 1 to 1,000,000');
    const range = { min: 1, max: MAX_SEATS };
    expect(problem(readCount('ten', range))).toBe(
      'a whole number from 1 to 1,000,000 (“ten” is not a number)',
    );
    expect(problem(readCount('0', range))).toMatch(/^a whole number from 1 to 1,000,000 \(“0” is below 1\)$/);
    expect(problem(readCount('-5', range))).toMatch(/“-5” is below 1/);
    expect(problem(readCount('−5', range))).toMatch(/below 1/);
    expect(problem(readCount('2.5', range))).toMatch(/has a dot: write whole numbers like 1200 or 1,200/);
    // 1.200 is 1200 in Germany and 1.2 in England: not guessed.
    expect(problem(readCount('1.200', range))).toMatch(/has a dot/);
    expect(problem(readCount('1,000,001', range))).toMatch(/is above 1,000,000\)$/);
    expect(problem(readCount('12,00', range))).toMatch(/is not a number/);
    expect(problem(readCount('1, 200', range))).toMatch(/is not a number/);
    expect(problem(readCount('99999999999999999999', range))).toMatch(/is above 1,000,000/);
  });

  it('refuses hostile input quickly, without echoing it whole', () => {
    const huge = '1'.repeat(5_000_000);
    const started = performance.now();
    const reading = readCount(huge);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(problem(reading)).toBe('a whole number from 0 to 1,000,000 (this is far too long to be one)');
    expect(problem(readCount('1,'.repeat(1000)))).toMatch(/too long to be one/);
    expect(problem(readCount('14\u00000'))).toMatch(/invisible control characters/);
    expect(problem(readCount('140\u202e'))).toMatch(/invisible control characters/);
    // Arabic-Indic digits are digits, but not the ones rule 1 counts with.
    expect(problem(readCount('١٤٠'))).toMatch(/is not a number/);
    expect(problem(readCount('x'.repeat(39)))).toMatch(/“x{30}…” is not a number/);
  });

  it('groups digits by threes', () => {
    expect([0, 999, 1000, 1_000_000, 12_345_678].map(groupDigits)).toEqual([
      '0',
      '999',
      '1,000',
      '1,000,000',
      '12,345,678',
    ]);
  });
});

describe('readTicket', () => {
  it.each([
    ['50300', '50300', null, null],
    [' 50300 ', '50300', null, null],
    ['#50300', '50300', null, 'ticket 50300'],
    ['# 50300', '50300', null, 'ticket 50300'],
    ['Ticket #50300', '50300', null, 'ticket 50300'],
    ['ticket 50300', '50300', null, 'ticket 50300'],
    ['＃５０３００', '50300', null, 'ticket 50300'],
    ['T-100', 'T-100', null, null],
    [
      'https://acme.zendesk.com/agent/tickets/50300',
      '50300',
      'https://acme.zendesk.com/agent/tickets/50300',
      'ticket 50300 (from its link)',
    ],
    [
      'https://acme.zendesk.com/agent/tickets/50300/events?x=1#top',
      '50300',
      'https://acme.zendesk.com/agent/tickets/50300',
      'ticket 50300 (from its link)',
    ],
    [
      'acme.zendesk.com/agent/tickets/50300',
      '50300',
      'https://acme.zendesk.com/agent/tickets/50300',
      'ticket 50300 (from its link)',
    ],
    [
      'https://support.acme.example/hc/en-us/requests/50300',
      '50300',
      'https://support.acme.example/agent/tickets/50300',
      'ticket 50300 (from its link)',
    ],
    ['https://acme.zendesk.com/api/v2/tickets/50300.json', null, null, null],
  ])('reads %j', (text, id, url, understood) => {
    const reading = readTicket(text);
    if (id === null) {
      expect(reading.ok).toBe(false);
      return;
    }
    expect(value(reading)).toEqual({ id, url });
    expect(reading.ok && reading.understood).toBe(understood);
  });

  it('refuses what is no ticket, saying what to type', () => {
    const expected = /^the ticket number, like 50300, or the ticket’s link \(/;
    for (const text of [
      'javascript:alert(1)',
      'JavaScript://acme.zendesk.com/agent/tickets/50300%0aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      'https://user:pw@acme.zendesk.com/agent/tickets/50300',
      'https://acme.zendesk.com/agent/users/7',
      'ftp://acme.zendesk.com/agent/tickets/5',
      "T 1'; drop table requests; --",
      '<img src=x onerror=alert(1)>',
      'A'.repeat(65),
    ])
      expect(problem(readTicket(text)), text).toMatch(expected);
    expect(problem(readTicket('javascript:alert(1)'))).toMatch(/only http and https links are read/);
    expect(problem(readTicket('https://user:pw@acme.zendesk.com/agent/tickets/1'))).toMatch(
      /user name or password/,
    );
  });

  it('refuses hostile input quickly: huge, control characters, look-alike letters', () => {
    const started = performance.now();
    expect(problem(readTicket('#'.repeat(10_000_000)))).toMatch(/far too long/);
    expect(problem(readTicket(`https://a.example/agent/tickets/${'1'.repeat(4000)}`))).toMatch(
      /does not name a ticket/,
    );
    expect(problem(readTicket('a.b/'.repeat(1000)))).toMatch(/^the ticket number/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(problem(readTicket('50300\u0007'))).toMatch(/invisible control characters/);
    expect(problem(readTicket('50\u202e300'))).toMatch(/invisible control characters/);
    // A Cyrillic "Т" is not the Latin T of a ticket id.
    expect(problem(readTicket('Т-100'))).toMatch(/letters, digits/);
    // Zero-width characters copied along are dropped.
    expect(value(readTicket('\u200b50300\u200d'))).toEqual({ id: '50300', url: null });
  });
});

describe('readEmail', () => {
  it.each([
    ['ops@beta.example', 'ops@beta.example', null],
    ['  Ops@Beta.Example ', 'ops@beta.example', null],
    ['Ops Team <ops@beta.example>', 'ops@beta.example', 'ops@beta.example'],
    ['"Team, Ops" <ops@beta.example>', 'ops@beta.example', 'ops@beta.example'],
    ['<ops@beta.example>', 'ops@beta.example', 'ops@beta.example'],
    ['mailto:ops@beta.example?subject=Help', 'ops@beta.example', 'ops@beta.example'],
    ['ops@beta.example,', 'ops@beta.example', 'ops@beta.example'],
    ['ops@beta.example (Ops Team)', 'ops@beta.example', 'ops@beta.example'],
    ['ｏｐｓ＠ｂｅｔａ．ｅｘａｍｐｌｅ', 'ops@beta.example', 'ops@beta.example'],
    ['ops+tag?x@beta.example', 'ops+tag?x@beta.example', null],
  ])('reads %j', (text, email, understood) => {
    const reading = readEmail(text);
    expect(value(reading)).toBe(email);
    expect(reading.ok && reading.understood).toBe(understood);
    expect(isEmailAddress(email)).toBe(true);
  });

  it('writes an internationalised domain in punycode, as Node’s domainToASCII does', () => {
    for (const domain of ['bücher.example', 'münchen.de', 'пример.рф', '例え.jp', 'straße.de']) {
      const reading = readEmail(`ops@${domain}`);
      const ascii = domainToASCII(domain);
      expect(value(reading)).toBe(`ops@${ascii}`);
      expect(reading.ok && reading.understood).toBe(`ops@${ascii} (${domain}, written for email)`);
      expect(reading.ok && reading.warning).toBeNull();
      expect(isEmailAddress(`ops@${ascii}`)).toBe(true);
    }
    expect(value(readEmail('Ops <ops@bücher。example>'))).toBe('ops@xn--bcher-kva.example');
  });

  it('flags a domain mixing alphabets (a look-alike) but still reads it', () => {
    // "exаmple" with a Cyrillic "а".
    const reading = readEmail('ops@ex\u0430mple.com');
    expect(value(reading)).toBe(`ops@${domainToASCII('ex\u0430mple.com')}`);
    expect(reading.ok && reading.warning).toMatch(/mixes Latin and Cyrillic letters/);
  });

  it('refuses what is not one address, saying what to type', () => {
    const expected = /^one email address, like ops@example\.com \(/;
    for (const text of [
      'ops',
      'ops@',
      '@beta.example',
      'a@x.example, b@y.example',
      'a@b@c.example',
      'ops@beta',
      'ops@localhost',
      'ops@1.2.3.4',
      'оps@beta.example',
      'ops@beta.example/evil.example',
      'ops@evil.example?@beta.example',
      'javascript:alert(1)@x.example',
      'ops@beta..example',
      `${'a'.repeat(65)}@beta.example`,
      `ops@${'a'.repeat(250)}.example`,
    ])
      expect(problem(readEmail(text)), text).toMatch(expected);
    expect(problem(readEmail('a@x.example; b@y.example'))).toMatch(/looks like several/);
    expect(problem(readEmail('оps@beta.example'))).toMatch(/before “@” may use only plain letters/);
  });

  it('refuses hostile input quickly', () => {
    const started = performance.now();
    expect(problem(readEmail('a'.repeat(5_000_000)))).toMatch(/far too long/);
    expect(problem(readEmail(`${'<'.repeat(1000)}a@b.example`))).toMatch(/^one email address/);
    expect(problem(readEmail(`"${','.repeat(1010)}`))).toMatch(/^one email address/);
    expect(value(readEmail(`${'('.repeat(500)}a@b.example${')'.repeat(500)}`))).toBe('a@b.example');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(problem(readEmail('ops@beta.example\u0000'))).toMatch(/invisible control characters/);
    expect(problem(readEmail('ops@beta\u202e.example'))).toMatch(/invisible control characters/);
    expect(problem(readEmail('ops@beta.example\nBcc: x@evil.example'))).toMatch(/^one email address/);
  });
});
