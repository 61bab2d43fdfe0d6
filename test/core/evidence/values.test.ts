import { describe, expect, it } from 'vitest';
import {
  parseCountText,
  parseDateText,
  parseEmailText,
  parsePlanText,
  parseVersionText,
} from '../../../src/core/evidence/index.js';

const value = <T>(p: { value: T } | null): T | null => (p ? p.value : null);

describe('dates as GitLab shows them', () => {
  it.each([
    ['Mar 7, 2026', '2026-03-07'],
    ['March 7, 2026', '2026-03-07'],
    ['Sept 30, 2025', '2025-09-30'],
    ['Dec 31, 2025', '2025-12-31'],
    ['2026-03-07', '2026-03-07'],
    ['28-11-2026', '2026-11-28'],
    ['7 March 2026', '2026-03-07'],
    ['| Mar 7, 2026 |', '2026-03-07'],
  ])('%s → %s', (text, date) => {
    expect(value(parseDateText(text))).toBe(date);
  });

  it('reads day-first, and marks a day that could be a month below high confidence', () => {
    expect(parseDateText('07-03-2026')).toEqual({ value: '2026-03-07', factor: 0.85 });
    expect(parseDateText('13-03-2026')).toEqual({ value: '2026-03-13', factor: 1 });
    expect(parseDateText('03-03-2026')).toEqual({ value: '2026-03-03', factor: 1 });
  });

  it('is a little less sure of a comma misread or stray marks, never of the value', () => {
    expect(parseDateText('Mar 7. 2026')).toEqual({ value: '2026-03-07', factor: 0.95 });
    expect(parseDateText('Mar 7, 2026')?.factor).toBe(1);
    expect(parseDateText('|2026-03-07')?.factor).toBe(0.95);
  });

  it.each([
    'Feb 30, 2026',
    '2026-02-30',
    '31-04-2026',
    'Mar 2026',
    'Marc 7, 2026',
    '2026-3-7',
    '7/3/2026',
    'in 3 days',
    '',
    'Mar 7, 20266',
  ])('%j is not a date', (text) => {
    expect(parseDateText(text)).toBeNull();
  });
});

describe('user counts', () => {
  it.each([
    ['1,250', 1250],
    ['12,500', 12500],
    ['1,234,567', 1234567],
    ['87', 87],
    ['0', 0],
    ['250 users', 250],
    ['12 500', 12500],
    ['12\u202f500', 12500],
    ['1.250', 1250],
  ])('%j → %d', (text, n) => {
    expect(value(parseCountText(text))).toBe(n);
  });

  it('trusts a comma fully, another separator or a lost one less', () => {
    expect(parseCountText('1,250')?.factor).toBe(1);
    expect(parseCountText('1.250')?.factor).toBe(0.95);
    expect(parseCountText('1250')?.factor).toBe(1);
    expect(parseCountText('12500')?.factor).toBe(0.9);
  });

  it.each([
    '1,2',
    '12,50',
    '1,2500',
    '12a',
    '007',
    '-5',
    '1.5',
    'users',
    '',
    '999,999,999',
    'l,250',
    '1,250 (+3)',
  ])('%j is not a count', (text) => {
    expect(parseCountText(text)).toBeNull();
  });
});

describe('plans', () => {
  it.each([
    ['Premium', 'premium'],
    ['Ultimate', 'ultimate'],
    ['Starter', 'starter'],
    ['GitLab Enterprise Edition Premium', 'premium'],
    ['Self-Managed Ultimate', 'ultimate'],
    ['EE Starter', 'starter'],
    ['Bronze', 'starter'],
    ['Silver', 'premium'],
    ['Gold', 'ultimate'],
    ['Free', 'free'],
    ['Core', 'free'],
    ['Ultimate Trial', 'ultimate_trial'],
    ['Premium trial', 'premium_trial'],
  ])('%j → %s', (text, plan) => {
    expect(value(parsePlanText(text))).toBe(plan);
  });

  it.each(['Upgrade your plan to Premium', 'Premium Ultimate', 'Starter Trial', 'Platinum', '', 'Manage'])(
    '%j is not a plan',
    (text) => {
      expect(parsePlanText(text)).toBeNull();
    },
  );
});

describe('emails and versions', () => {
  it('reads an email, joining spaces OCR put around @ and dots (less sure)', () => {
    expect(parseEmailText('jane.doe@example.com')).toEqual({ value: 'jane.doe@example.com', factor: 1 });
    expect(parseEmailText('a.laurent+licensing@globex.fr')?.value).toBe('a.laurent+licensing@globex.fr');
    expect(parseEmailText('jane.doe @ example.com')).toEqual({ value: 'jane.doe@example.com', factor: 0.9 });
    expect(parseEmailText('jane.doe(at)example.com')).toBeNull();
    expect(parseEmailText('Email')).toBeNull();
  });

  it('reads the GitLab version as written, without a leading v', () => {
    expect(value(parseVersionText('16.5.1-ee'))).toBe('16.5.1-ee');
    expect(value(parseVersionText('v13.12.15-ee Update ASAP'))).toBe('13.12.15-ee');
    expect(value(parseVersionText('17.0.0-pre'))).toBe('17.0.0-pre');
    expect(value(parseVersionText('16.5.1'))).toBe('16.5.1');
    expect(parseVersionText('v4')).toBeNull();
    expect(parseVersionText('Shell 14.29.0')).toBeNull();
  });
});
