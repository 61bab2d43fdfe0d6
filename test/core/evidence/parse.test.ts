import { describe, expect, it } from 'vitest';
import {
  HIGH_CONFIDENCE,
  evidenceFromOcr,
  type ScreenshotEvidence,
} from '../../../src/core/evidence/index.js';
import { line, page, row, scattered } from './ocr.js';

/** The Subscription page of GitLab 14+: details beside their labels, counts under card titles. */
function subscriptionOcr(o: { seats?: string; max?: string; over?: string; conf?: number } = {}) {
  const c = o.conf ?? 95;
  return page(
    line(20, 60, 'Admin Area', c),
    line(20, 100, 'Dashboard', c),
    line(300, 60, 'Subscription details', c),
    ...row(100, 'Plan', 'Premium', c),
    ...row(130, 'Started', 'Mar 7, 2025', c),
    ...row(160, 'Expires on', 'Mar 7, 2026', c),
    line(800, 60, 'Licensed to', c),
    line(800, 100, 'Name', c),
    line(1000, 100, 'Jane Doe', c),
    line(800, 130, 'Email', c),
    line(1000, 130, 'jane.doe@example.com', c),
    line(800, 160, 'Company', c),
    line(1000, 160, 'Acme Corp', c),
    line(300, 260, 'Users in subscription', c),
    line(300, 290, o.seats ?? '1,250', c, 32),
    line(560, 260, 'Billable users', c),
    line(560, 290, '1,187', c, 32),
    line(820, 260, 'Maximum users', c),
    line(820, 290, o.max ?? '1,243', c, 32),
    line(1080, 260, 'Users over subscription', c),
    line(1080, 290, o.over ?? '0', c, 32),
    line(300, 340, "Users with a Guest role or those who don't belong", c),
  );
}

const values = (e: ScreenshotEvidence): Record<string, unknown> => ({
  page: e.page,
  plan: e.plan?.value ?? null,
  startedAt: e.startedAt?.value ?? null,
  expiresAt: e.expiresAt?.value ?? null,
  previousSeats: e.previousSeats?.value ?? null,
  billableUsers: e.billableUsers?.value ?? null,
  maximumUsers: e.maximumUsers?.value ?? null,
  usersOverSubscription: e.usersOverSubscription?.value ?? null,
  name: e.licensee.name?.value ?? null,
  email: e.licensee.email?.value ?? null,
  company: e.licensee.company?.value ?? null,
  activeUsers: e.activeUsers?.value ?? null,
  gitlabVersion: e.gitlabVersion?.value ?? null,
});

describe('the Subscription page', () => {
  it('reads every field, with the text and box each came from', () => {
    const e = evidenceFromOcr(subscriptionOcr());
    expect(values(e)).toEqual({
      page: 'subscription',
      plan: 'premium',
      startedAt: '2025-03-07',
      expiresAt: '2026-03-07',
      previousSeats: 1250,
      billableUsers: 1187,
      maximumUsers: 1243,
      usersOverSubscription: 0,
      name: 'Jane Doe',
      email: 'jane.doe@example.com',
      company: 'Acme Corp',
      activeUsers: null,
      gitlabVersion: null,
    });
    expect(e.expiresAt).toEqual({
      value: '2026-03-07',
      confidence: 0.95,
      text: 'Mar 7, 2026',
      box: { x0: 500, y0: 160, x1: 582, y1: 176 },
    });
    expect(e.previousSeats?.box).toEqual({ x0: 300, y0: 290, x1: 380, y1: 322 });
  });

  it('does not care how tesseract split the page into blocks', () => {
    const lines = subscriptionOcr()[0]!.paragraphs[0]!.lines;
    expect(values(evidenceFromOcr(scattered(...lines)))).toEqual(values(evidenceFromOcr(subscriptionOcr())));
  });

  it('takes its confidence from the least sure word', () => {
    const e = evidenceFromOcr(subscriptionOcr({ conf: 70 }));
    expect(e.plan?.confidence).toBe(0.7);
    expect(e.plan?.value).toBe('premium');
  });

  it('reads a card whose number stands above its title, and a title wrapped over two lines', () => {
    const e = evidenceFromOcr(
      page(
        line(300, 100, '250', 95, 32),
        line(300, 140, 'Billable users'),
        line(600, 100, 'Users in'),
        line(600, 120, 'subscription'),
        line(600, 150, '300', 95, 32),
      ),
    );
    expect(e.billableUsers?.value).toBe(250);
    expect(e.billableUsers!.confidence).toBeLessThan(0.95); // above is the least usual place
    expect(e.previousSeats?.value).toBe(300);
  });

  it('reads a label and its value that OCR put in one cell ("Plan: Premium")', () => {
    const e = evidenceFromOcr(page(line(300, 100, 'Plan: Ultimate'), line(300, 130, 'Expired: 2026-11-21')));
    expect(e.plan?.value).toBe('ultimate');
    expect(e.expiresAt?.value).toBe('2026-11-21');
  });

  it('forgives one OCR slip in a long label, less surely', () => {
    const e = evidenceFromOcr(page(line(300, 100, 'Biliable users'), line(300, 130, '1,187', 95, 32)));
    expect(e.billableUsers?.value).toBe(1187);
    expect(e.billableUsers!.confidence).toBeLessThan(HIGH_CONFIDENCE);
    expect(evidenceFromOcr(page(...row(100, 'Pian', 'Premium'))).plan?.value).toBe('premium');
    expect(evidenceFromOcr(page(...row(100, 'Piun', 'Premium'))).plan).toBeNull(); // two slips in 4 letters
  });
});

describe('never guessed', () => {
  it('leaves a field null when its label has no value of its kind beside it', () => {
    const e = evidenceFromOcr(
      page(
        ...row(100, 'Plan', 'Manage'),
        ...row(130, 'Started', 'yesterday'),
        line(300, 160, 'Maximum users'),
      ),
    );
    expect(e.plan).toBeNull();
    expect(e.startedAt).toBeNull();
    expect(e.maximumUsers).toBeNull();
  });

  it('reads nothing from nothing', () => {
    const e = evidenceFromOcr([]);
    expect(values(e)).toEqual({
      page: 'unknown',
      ...Object.fromEntries(
        Object.keys(values(e))
          .filter((k) => k !== 'page')
          .map((k) => [k, null]),
      ),
    });
  });

  it('does not take a value from a cell far below its label, nor a number from the next row of a list', () => {
    const far = evidenceFromOcr(page(line(300, 100, 'Maximum users'), line(300, 400, '1,243', 95, 32)));
    expect(far.maximumUsers).toBeNull();
    // "Plan" alone in a list: the next row ("Started Mar 7, 2025") is not its value
    const list = evidenceFromOcr(page(line(300, 100, 'Plan'), ...row(130, 'Started', 'Mar 7, 2025')));
    expect(list.plan).toBeNull();
  });

  it('takes the licensee only under "Licensed to", not from a history table', () => {
    const e = evidenceFromOcr(
      page(
        line(300, 60, 'Licensed to'),
        ...row(100, 'Name', 'Jane Doe'),
        line(300, 600, 'Subscription history'),
        line(300, 640, 'Name'),
        line(500, 640, 'Email'),
        line(700, 640, 'Plan'),
        line(300, 670, 'Old Name'),
        line(500, 670, 'old@example.com'),
        line(700, 670, 'Premium'),
      ),
    );
    expect(e.licensee.name).toMatchObject({ value: 'Jane Doe', confidence: 0.95 }); // no second reading
    expect(e.licensee.email).toBeNull();
    expect(e.plan).toBeNull(); // the table's "Plan" header has "Premium" below it, not beside it
  });

  it('does not read "GitLab Shell 14.29.0" or "GitLab Workhorse v16.5.1" as the GitLab version', () => {
    const e = evidenceFromOcr(
      page(
        line(300, 100, 'GitLab Shell'),
        line(700, 100, '14.29.0'),
        line(300, 130, 'GitLab Workhorse'),
        line(700, 130, 'v16.5.1'),
      ),
    );
    expect(e.gitlabVersion).toBeNull();
    const ok = evidenceFromOcr(
      page(line(300, 160, 'GitLab'), line(700, 160, '16.5.1-ee'), line(300, 60, 'Components')),
    );
    expect(ok.gitlabVersion?.value).toBe('16.5.1-ee');
    expect(ok.page).toBe('dashboard');
  });
});

describe('confidence from agreement and contradiction', () => {
  it('raises the three counts when users over = maximum − seats, with some users over', () => {
    const e = evidenceFromOcr(subscriptionOcr({ seats: '1,200', max: '1,243', over: '43', conf: 80 }));
    for (const f of [e.previousSeats, e.maximumUsers, e.usersOverSubscription])
      expect(f?.confidence).toBe(0.95);
    expect(e.plan?.confidence).toBe(0.8);
  });

  it('caps the three counts when they contradict (one of them is misread)', () => {
    const e = evidenceFromOcr(subscriptionOcr({ seats: '1,200', max: '1,248', over: '43' }));
    for (const f of [e.previousSeats, e.maximumUsers, e.usersOverSubscription]) {
      expect(f!.confidence).toBeLessThan(HIGH_CONFIDENCE);
    }
    expect(e.maximumUsers?.value).toBe(1248); // values are kept as read, for the engineer to check
  });

  it('caps billable users above maximum users, and a start after the end', () => {
    const e = evidenceFromOcr(
      page(
        line(300, 100, 'Billable users'),
        line(300, 130, '2,000', 95, 32),
        line(600, 100, 'Maximum users'),
        line(600, 130, '1,500', 95, 32),
        ...row(200, 'Started', '2026-03-07'),
        ...row(230, 'Expires on', '2025-03-07'),
      ),
    );
    expect(e.billableUsers!.confidence).toBeLessThan(HIGH_CONFIDENCE);
    expect(e.maximumUsers!.confidence).toBeLessThan(HIGH_CONFIDENCE);
    expect(e.startedAt!.confidence).toBeLessThan(HIGH_CONFIDENCE);
    expect(e.expiresAt!.confidence).toBeLessThan(HIGH_CONFIDENCE);
  });

  it('caps a field read in two places with two values', () => {
    const e = evidenceFromOcr(page(...row(100, 'Plan', 'Premium'), ...row(300, 'Plan', 'Ultimate')));
    expect(e.plan!.confidence).toBeLessThan(HIGH_CONFIDENCE);
  });

  it('caps a value at the edge of the image (it may be cut off)', () => {
    const blocks = page(
      line(300, 100, 'Maximum users'),
      line(300, 130, '1,2', 95, 32),
      ...row(200, 'Plan', 'Premium'),
    );
    const e = evidenceFromOcr(
      page(line(900, 100, 'Maximum users'), line(900, 130, '12', 95, 32), ...row(200, 'Plan', 'Premium')),
      { width: 920, height: 800 },
    );
    expect(e.maximumUsers?.value).toBe(12);
    expect(e.maximumUsers!.confidence).toBeLessThanOrEqual(0.5);
    expect(e.plan!.confidence).toBe(0.95);
    expect(evidenceFromOcr(blocks).maximumUsers).toBeNull(); // "1,2" is no count at all
  });
});

describe('which page', () => {
  it('tells the older License page and the dashboard', () => {
    const license = evidenceFromOcr(
      page(
        line(300, 40, 'Your License'),
        line(300, 100, 'Users in License'),
        line(300, 130, '500', 95, 32),
        line(600, 100, 'Active users'),
        line(600, 130, '512', 95, 32),
        line(900, 100, 'Users over License'),
        line(900, 130, '30', 95, 32),
        line(1200, 100, 'Maximum users'),
        line(1200, 130, '530', 95, 32),
      ),
    );
    expect(values(license)).toMatchObject({
      page: 'license',
      previousSeats: 500,
      activeUsers: 512,
      usersOverSubscription: 30,
      maximumUsers: 530,
    });
    const dashboard = evidenceFromOcr(
      page(
        line(300, 40, 'Statistics'),
        ...row(100, 'Active users', '2,298'),
        line(900, 40, 'Components'),
        line(900, 100, 'GitLab'),
        line(1200, 100, '16.5.1-ee'),
      ),
    );
    expect(values(dashboard)).toMatchObject({
      page: 'dashboard',
      activeUsers: 2298,
      gitlabVersion: '16.5.1-ee',
    });
  });

  it('is unknown for a page with none of the markers', () => {
    expect(evidenceFromOcr(page(line(300, 40, 'Projects'), line(300, 80, 'Merge requests'))).page).toBe(
      'unknown',
    );
  });
});
