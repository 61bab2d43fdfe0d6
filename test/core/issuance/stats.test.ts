import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../../../src/core/dates.js';
import { dashboardStats, statsRange, weekOf } from '../../../src/core/issuance/stats.js';
import type { RequestSummary } from '../../../src/core/ports.js';

const d = (s: string) => s as CalendarDate;

describe('dashboard figures', () => {
  it('weeks start on Monday', () => {
    expect(weekOf(d('2026-11-28'))).toBe('2026-11-23'); // Saturday
    expect(weekOf(d('2026-11-29'))).toBe('2026-11-23'); // Sunday
    expect(weekOf(d('2026-11-30'))).toBe('2026-11-30'); // Monday
    expect(weekOf(d('2027-01-01'))).toBe('2026-12-28');
  });

  it('the default range is the 12 weeks up to today', () => {
    expect(statsRange({}, d('2026-11-28'))).toEqual({ from: '2026-09-07', to: '2026-11-28' });
  });

  it('counts by week and status, median minutes to the license email, refusals by code', () => {
    const s = (status: RequestSummary['status'], createdAt: string, extra: Partial<RequestSummary> = {}) => ({
      status,
      createdAt,
      refusalCodes: [],
      emailSentAt: null,
      ...extra,
    });
    const stats = dashboardStats(
      [
        s('issued', '2026-11-28T10:00:00.000Z', { emailSentAt: '2026-11-28T10:02:00.000Z' }),
        s('issued', '2026-11-29T10:00:00.000Z', { emailSentAt: '2026-11-29T10:10:00.000Z' }),
        s('issued', '2026-11-16T10:00:00.000Z', { emailSentAt: '2026-11-16T10:04:00.000Z' }),
        s('refused', '2026-11-28T11:00:00.000Z', { refusalCodes: ['NOT_WEEKEND', 'PROSPECT'] }),
        s('refused', '2026-11-17T11:00:00.000Z', { refusalCodes: ['NOT_WEEKEND'] }),
        s('pending_approval', '2026-11-28T12:00:00.000Z'),
        s('issued', '2026-10-01T10:00:00.000Z'), // outside the range
      ],
      { from: d('2026-11-16'), to: d('2026-11-29') },
    );
    expect(stats.weeks.map((w) => w.week)).toEqual(['2026-11-16', '2026-11-23']);
    expect(stats.weeks[0]).toMatchObject({ issued: 1, refused: 1, pending_approval: 0 });
    expect(stats.weeks[1]).toMatchObject({ issued: 2, refused: 1, pending_approval: 1 });
    expect(stats.medianMinutesToDelivery).toBe(4);
    expect(stats.medianSecondsToDelivery).toBe(240);
    expect(stats.deliveredCount).toBe(3);
    expect(stats.refusalsByCode).toEqual({ NOT_WEEKEND: 2, PROSPECT: 1 });
    expect(Object.keys(stats.refusalsByCode)[0]).toBe('NOT_WEEKEND');
  });

  it('gives the median in seconds too, so that a delivery within the minute is not "0 min"', () => {
    const fast = (createdAt: string, seconds: number): RequestSummary => ({
      status: 'issued',
      createdAt,
      refusalCodes: [],
      emailSentAt: new Date(Date.parse(createdAt) + seconds * 1000).toISOString(),
    });
    const stats = dashboardStats(
      [fast('2026-11-28T10:00:00.000Z', 3), fast('2026-11-28T11:00:00.000Z', 5.3)],
      { from: d('2026-11-23'), to: d('2026-11-29') },
    );
    expect(stats.medianSecondsToDelivery).toBe(4.2);
    expect(stats.medianMinutesToDelivery).toBe(0.07);
  });

  it('no deliveries: the median is null', () => {
    const none = dashboardStats([], { from: d('2026-11-23'), to: d('2026-11-28') });
    expect(none.medianMinutesToDelivery).toBeNull();
    expect(none.medianSecondsToDelivery).toBeNull();
  });
});
