/** The ticket's earlier requests, shown before issuing: issuing again returns the ticket's request. */
import type { RecordJson } from '../api.js';
import { StatusBadge } from '../components.js';

export function EarlierRequests(props: {
  ticket: string;
  earlier: RecordJson[];
  requestHref?: (id: string) => string;
  sidebar: boolean;
}) {
  const { earlier, requestHref } = props;
  if (earlier.length === 0) return null;
  return (
    <div class="alert alert-warning earlier" role="status">
      <strong>
        Ticket {props.ticket} already has {earlier.length === 1 ? 'a request' : 'requests'}:
      </strong>
      <ul>
        {earlier.map((r) => (
          <li key={r.id}>
            <StatusBadge status={r.status} /> {r.requesterEmail}, {r.seats} seats
            {r.license ? `, expires ${r.license.expiresAt}` : ''}
            {requestHref ? (
              <>
                {' '}
                <a
                  href={requestHref(r.id)}
                  {...(props.sidebar ? { target: '_blank', rel: 'noreferrer' } : {})}
                >
                  open {r.id}
                </a>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      {earlier.some((r) => ['issued', 'pending_approval', 'voided'].includes(r.status)) ? (
        <p class="small">Issuing again returns that request: a ticket gets one emergency license.</p>
      ) : null}
    </div>
  );
}
