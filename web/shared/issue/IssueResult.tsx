/**
 * After the issue call: the outcome, the deliveries as they finish, the tracker link, the license
 * to copy or download. Takes the focus when shown.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { RecordJson } from '../api.js';
import { Alert, DeliveryList, deliveriesInFlight, LicenseActions, StatusBadge } from '../components.js';

function titleOf(record: RecordJson, outcome: number | null): string {
  if (outcome === 202 || record.status === 'pending_approval') return 'Waiting for approval';
  if (outcome === 200) return 'This ticket already has a request';
  if (outcome === 500 || record.status === 'failed') return 'No license could be generated';
  return 'Emergency license issued';
}

export function IssueResult(props: {
  record: RecordJson;
  /** The HTTP status of the issue call. */
  outcome: number | null;
  pollError: string | null;
  requestHref?: (id: string) => string;
  sidebar: boolean;
  /** The button after the result: issue another, or what the page offers instead. */
  next: { label: string; onClick: () => void };
}) {
  const { record, sidebar } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  // At once, before the next key press.
  useLayoutEffect(() => heading.current?.focus(), []);
  const inFlight = deliveriesInFlight(record.deliveries);
  return (
    <section class={`issue-result${sidebar ? ' narrow' : ''}`} aria-labelledby="issue-result-title">
      <h2 id="issue-result-title" tabIndex={-1} ref={heading}>
        {titleOf(record, props.outcome)}
      </h2>
      <p>
        <StatusBadge status={record.status} /> Ticket {record.ticketId} · {record.requesterEmail} ·{' '}
        {record.seats} seats
        {record.license ? ` · expires ${record.license.expiresAt}` : ''}
      </p>
      {record.status === 'pending_approval' ? (
        <Alert kind="info">
          Your override is recorded. A licensing user must approve it before the license is generated and
          sent; the team has been told.
        </Alert>
      ) : null}
      {record.failure ? (
        <Alert kind="error">
          {record.failure.message} ({record.failure.code}). It can be retried from the request page.
        </Alert>
      ) : null}
      <h3>Deliveries {inFlight ? <span class="muted">(in progress…)</span> : null}</h3>
      <DeliveryList deliveries={record.deliveries} live />
      {props.pollError ? <p class="field-error">{props.pollError}</p> : null}
      {record.tracker ? (
        <p>
          Tracker issue:{' '}
          {record.tracker.url ? (
            <a href={record.tracker.url} target="_blank" rel="noreferrer">
              #{record.tracker.iid}
            </a>
          ) : (
            `#${record.tracker.iid} (kept in Lifeline's database)`
          )}
        </p>
      ) : null}
      {record.license ? <LicenseActions license={record.license} /> : null}
      <div class="button-row">
        {props.requestHref ? (
          <a
            class="button"
            href={props.requestHref(record.id)}
            {...(sidebar ? { target: '_blank', rel: 'noreferrer' } : {})}
          >
            Open request {record.id}
          </a>
        ) : null}
        <button type="button" onClick={props.next.onClick}>
          {props.next.label}
        </button>
      </div>
    </section>
  );
}
