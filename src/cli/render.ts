/** Human-readable renderings of records and eligibility results for the terminal. */
import type { LocalRecord } from '../core/operations/ports.js';
import { describeScreenshots } from '../core/evidence/used.js';
import type { EligibilityResult } from '../core/eligibility/index.js';
import type { RequestView } from '../core/issuance/view.js';
import { addDays, relativeDays, type CalendarDate } from '../core/dates.js';
import { OVERRIDE_REASON_MIN_LENGTH } from '../core/limits.js';

/** "grace ended on 2026-11-27 (1 day ago)", "grace ends on 2026-12-04 (in 6 days)". */
function graceFact(graceEndsOn: string, daysSince: number | null): string {
  if (daysSince === null) return `grace ends on ${graceEndsOn}`;
  return `grace ${daysSince > 0 ? 'ended' : 'ends'} on ${graceEndsOn} (${relativeDays(daysSince)})`;
}

export function renderEligibility(result: EligibilityResult): string {
  const lines: string[] = [result.eligible ? 'Eligible for an emergency license.' : 'Not eligible:'];
  for (const r of result.refusals) lines.push(`  ✗ ${r.code}${r.field ? ` (${r.field})` : ''}: ${r.message}`);
  for (const w of result.warnings) lines.push(`  ! ${w.code}: ${w.message}`);
  const f = result.facts;
  const facts: string[] = [];
  if (f.graceEndsOn) facts.push(graceFact(f.graceEndsOn, f.daysSinceGraceEnd));
  if (f.recommendedSeats !== null) facts.push(`recommended seats ${f.recommendedSeats}`);
  if (f.minimumSeats !== null) facts.push(`smallest count GitLab accepts ${f.minimumSeats}`);
  if (facts.length) lines.push(`  ${facts.join('; ')}`);
  if (!result.eligible && result.overridable) {
    lines.push(
      `  Every refusal can be overridden with --override-reason (at least ${OVERRIDE_REASON_MIN_LENGTH} characters).`,
    );
  }
  return lines.join('\n');
}

export function renderView(view: RequestView): string {
  const { request: r, license } = view;
  const lines = [`${r.id}  ${r.status.toUpperCase().replace('_', ' ')}`];
  lines.push(
    `  ticket ${r.ticketId}${r.ticketUrl ? ` (${r.ticketUrl})` : ''}, requester ${r.requesterEmail}`,
  );
  lines.push(`  engineer ${r.engineer} (${r.actorRole}), ${r.seats} seats, requested ${r.createdAt}`);
  if (license) {
    const lastDay = addDays(license.expiresAt as CalendarDate, -1);
    lines.push(
      `  license ${license.fileName}: ${license.issuedAt} to ${license.expiresAt} (works through ${lastDay})`,
    );
    lines.push(`  fingerprint ${license.fingerprint}`);
  }
  const shots = r.evidence.screenshots;
  if (shots) {
    const said = describeScreenshots(shots);
    lines.push(
      `  read from screenshots (${shots.evidenceId}): ${said.read}; changed by the engineer: ${said.changed}`,
    );
  }
  if (r.override)
    lines.push(`  override by ${r.override.by} (${r.override.codes.join(', ')}): ${r.override.reason}`);
  if (r.decision)
    lines.push(
      `  ${r.decision.decision} by ${r.decision.by} at ${r.decision.at}${r.decision.reason ? `: ${r.decision.reason}` : ''}`,
    );
  if (r.failure) lines.push(`  failed: ${r.failure.code}: ${r.failure.message}`);
  if (r.voided) lines.push(`  voided by ${r.voided.by} at ${r.voided.at}: ${r.voided.reason}`);
  if (r.status === 'refused')
    lines.push(`  refused: ${r.eligibility.refusals.map((x) => x.code).join(', ')}`);
  if (view.tracker)
    lines.push(`  tracker issue ${view.tracker.iid}${view.tracker.url ? ` ${view.tracker.url}` : ''}`);
  if (view.deliveries.length) {
    lines.push('  deliveries:');
    for (const d of view.deliveries) {
      lines.push(
        `    ${d.channel.padEnd(7)} ${d.purpose.padEnd(8)} ${d.status}${d.recipient ? ` → ${d.recipient}` : ''}${d.lastError ? ` (${d.lastError})` : ''}`,
      );
    }
  }
  if (view.events.length) {
    lines.push('  events:');
    for (const e of view.events) {
      const channel = typeof e.details['channel'] === 'string' ? ` (${e.details['channel']})` : '';
      lines.push(`    ${e.at}  ${e.action}${channel}  by ${e.actor}`);
    }
  }
  return lines.join('\n');
}

/** The embedded default's tracker issue, notes, chat posts and ticket notes of a request. */
export function renderLocalRecords(records: readonly LocalRecord[]): string {
  if (records.length === 0) return '';
  const lines = ['', '  kept locally (embedded default):'];
  for (const r of records) {
    const head = r.title ?? r.body.split('\n')[0] ?? '';
    lines.push(`    ${r.kind.padEnd(12)} ${r.state ? `[${r.state}] ` : ''}${head.slice(0, 120)}`);
  }
  return lines.join('\n');
}
