/** The rest of a request's page: deliveries, what was kept locally, the license, the events in words. */
import type { LicenseReport, LocalRecord, RecordJson } from '../../../shared/api.js';
import {
  DeliveryList,
  formatInstant,
  LicenseActions,
  LicenseReportView,
} from '../../../shared/components.js';

const LOCAL_KINDS: Record<string, string> = {
  tracker_issue: 'Tracker issue',
  tracker_note: 'Tracker note',
  chat_post: 'Team post',
  ticket_note: 'Ticket note',
};

/** Where a local record went, in words (its reference is an internal id, never shown). */
function localWhere(rec: LocalRecord): string {
  if (rec.kind === 'ticket_note' && rec.ref) return ` on ticket #${rec.ref}`;
  if (rec.kind === 'chat_post' && rec.ref) return ' (a reply in the thread of an earlier post)';
  return '';
}

export function RequestHistory(props: { record: RecordJson; report: LicenseReport | null }) {
  const { record: r, report } = props;
  return (
    <>
      <section aria-labelledby="detail-deliveries">
        <h2 id="detail-deliveries">Deliveries</h2>
        <DeliveryList deliveries={r.deliveries} live />
      </section>

      {r.localRecords && r.localRecords.length > 0 ? (
        <section aria-labelledby="detail-local">
          <h2 id="detail-local">Kept locally (embedded default)</h2>
          <p class="muted">
            No GitLab, Slack or Zendesk is configured: what would have been posted there is kept here.
          </p>
          <ul class="events">
            {r.localRecords.map((rec) => (
              <li key={rec.id}>
                <time dateTime={rec.createdAt}>{formatInstant(rec.createdAt)}</time>{' '}
                <strong>{LOCAL_KINDS[rec.kind] ?? rec.kind}</strong>
                {localWhere(rec)}
                {rec.title ? <div class="break">{rec.title}</div> : null}
                <details>
                  <summary>Text</summary>
                  <pre class="mono">{rec.body}</pre>
                </details>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {r.license ? (
        <section aria-labelledby="detail-license">
          <h2 id="detail-license">License</h2>
          {report ? <LicenseReportView report={report} /> : null}
          <LicenseActions license={r.license} />
        </section>
      ) : null}

      <section aria-labelledby="detail-events">
        <h2 id="detail-events">Events</h2>
        <ol class="events">
          {r.events.map((e) => (
            <li key={e.seq} data-action={e.action}>
              <time dateTime={e.at}>{formatInstant(e.at)}</time> <strong>{e.text ?? e.action}</strong>{' '}
              <span class="event-who">by {e.actor}</span>
              {Object.keys(e.details).length > 0 ? (
                <details>
                  <summary>Details</summary>
                  <pre class="mono">{JSON.stringify(e.details, null, 2)}</pre>
                </details>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
