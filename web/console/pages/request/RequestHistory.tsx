/** The rest of a request's page: deliveries, what was kept locally, the license, the eligibility, the events. */
import type { LicenseReport, RecordJson } from '../../../shared/api.js';
import {
  DeliveryList,
  formatInstant,
  LicenseActions,
  LicenseReportView,
} from '../../../shared/components.js';
import { refusalsByCode } from '../../../shared/rules.js';

const LOCAL_KINDS: Record<string, string> = {
  tracker_issue: 'Tracker issue',
  tracker_note: 'Tracker note',
  chat_post: 'Team post',
  ticket_note: 'Ticket note',
};

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
                {rec.ref ? ` ${rec.ref}` : ''}
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

      {r.eligibility ? (
        <section aria-labelledby="detail-eligibility">
          <h2 id="detail-eligibility">Eligibility when requested</h2>
          <ul class="rules compact">
            {[...refusalsByCode(r.eligibility)].map(([code, refusals]) => (
              <li key={code}>
                <code class="code">{code}</code> {refusals.map((f) => f.message).join(' ')}
              </li>
            ))}
          </ul>
          {r.eligibility.eligible ? <p>Every rule passed.</p> : null}
        </section>
      ) : null}

      <section aria-labelledby="detail-events">
        <h2 id="detail-events">Events</h2>
        <ol class="events">
          {r.events.map((e) => (
            <li key={e.seq}>
              <time dateTime={e.at}>{formatInstant(e.at)}</time> <strong>{e.action}</strong> by {e.actor}
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
