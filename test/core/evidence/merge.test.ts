import { describe, expect, it } from 'vitest';
import {
  evidenceFromOcr,
  fieldsRead,
  mergeEvidence,
  missingScreenshots,
} from '../../../src/core/evidence/index.js';
import { line, page, row } from './ocr.js';

const subscription = evidenceFromOcr(
  page(
    line(300, 40, 'Subscription details'),
    ...row(100, 'Plan', 'Premium'),
    ...row(130, 'Expires on', 'Mar 7, 2026'),
  ),
);
const dashboard = evidenceFromOcr(
  page(line(300, 40, 'Statistics'), ...row(100, 'Active users', '2,298', 80), line(900, 40, 'Components')),
);
const license = evidenceFromOcr(
  page(line(300, 40, 'Users in License'), line(300, 70, '500', 95, 32), ...row(130, 'Active users', '2,301')),
);

describe('merging the screenshots of one ticket', () => {
  it('takes each field from the image that read it, and says which image that was', () => {
    const merged = mergeEvidence([subscription, null, dashboard]);
    expect(merged.pages).toEqual(['subscription', 'unknown', 'dashboard']);
    expect(merged.plan).toMatchObject({ value: 'premium', image: 0 });
    expect(merged.activeUsers).toMatchObject({ value: 2298, image: 2, confidence: 0.8 });
    expect(merged.previousSeats).toBeNull();
    expect(fieldsRead(merged)).toBe(3);
  });

  it('keeps the surer of two readings, capped below high confidence when they disagree', () => {
    const merged = mergeEvidence([dashboard, license]);
    expect(merged.activeUsers).toMatchObject({ value: 2301, image: 1, confidence: 0.6 });
    const same = mergeEvidence([dashboard, dashboard]);
    expect(same.activeUsers).toMatchObject({ value: 2298, confidence: 0.8 });
  });
});

describe('which screenshot is missing', () => {
  it('names the dashboard, the subscription page, both or none', () => {
    expect(missingScreenshots(['subscription', 'dashboard'])).toEqual([]);
    expect(missingScreenshots(['license', 'dashboard'])).toEqual([]);
    expect(missingScreenshots(['license'])).toEqual(['dashboard']);
    expect(missingScreenshots(['dashboard', 'unknown'])).toEqual(['subscription']);
    expect(missingScreenshots([])).toEqual(['dashboard', 'subscription']);
  });
});
