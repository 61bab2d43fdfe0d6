/** A request's summary: who, what, from where, when, and any override, decision, voiding or failure. */
import type { ComponentChildren } from 'preact';
import type { RecordJson } from '../../../shared/api.js';
import { Alert, ReportRows, StatusBadge } from '../../../shared/components.js';
import { formatInstant, webHref } from '../../../shared/format.js';
import { madeFromWords } from './DecisionEvidence.js';

const recordLink = (other: string) => <a href={`/requests/${encodeURIComponent(other)}`}>{other}</a>;

export function RequestSummary(props: { record: RecordJson }) {
  const r = props.record;
  return (
    <section aria-labelledby="detail-summary">
      <h2 id="detail-summary">
        Request <span class="mono break">{r.id}</span> <StatusBadge status={r.status} />
      </h2>
      <ReportRows
        rows={
          [
            [
              'Ticket',
              webHref(r.ticketUrl) ? (
                <a href={webHref(r.ticketUrl) ?? undefined} target="_blank" rel="noreferrer">
                  {r.ticketId}
                </a>
              ) : (
                r.ticketId
              ),
            ],
            ['Requester', <span class="break">{r.requesterEmail}</span>],
            ['Seats', r.seats],
            ['Engineer', r.engineer],
            ['Made from', madeFromWords(r)],
            [
              'Issue date',
              r.datePinned ? `${r.issueDate} (pinned by the caller, not the clock)` : r.issueDate,
            ],
            ...(r.replaces ? [['Replaces', recordLink(r.replaces)] as [string, ComponentChildren]] : []),
            ...(r.replacedBy
              ? [['Replaced by', recordLink(r.replacedBy)] as [string, ComponentChildren]]
              : []),
            ['Created', formatInstant(r.createdAt)],
            [
              'Tracker issue',
              r.tracker ? (
                webHref(r.tracker.url) ? (
                  <a href={webHref(r.tracker.url) ?? undefined} target="_blank" rel="noreferrer">
                    #{r.tracker.iid}
                  </a>
                ) : /^\d+$/.test(r.tracker.iid) ? (
                  `#${r.tracker.iid}`
                ) : (
                  'kept locally (embedded default)'
                )
              ) : (
                '—'
              ),
            ],
          ] as [string, ComponentChildren][]
        }
      />
      {r.override ? (
        <Alert kind="warning">
          Override by {r.override.by} ({r.override.role}) of {r.override.codes.join(', ')}: “
          {r.override.reason}”
        </Alert>
      ) : null}
      {r.decision ? (
        <p class="decision-line">
          {r.decision.decision === 'approved' ? 'Approved' : 'Rejected'} by {r.decision.by} on{' '}
          {formatInstant(r.decision.at)}
          {r.decision.reason ? ` with the note “${r.decision.reason}”` : ''}
        </p>
      ) : null}
      {r.voided ? (
        <Alert kind="warning">
          Voided by {r.voided.by} on {formatInstant(r.voided.at)}: “{r.voided.reason}”
        </Alert>
      ) : null}
      {r.failure ? (
        <Alert kind="error">
          {r.failure.message} ({r.failure.code})
        </Alert>
      ) : null}
    </section>
  );
}
