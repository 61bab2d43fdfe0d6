/**
 * What the sidebar shows on a ticket: the ticket's request first when it has one (RequestState),
 * the issue form only when it has none that holds the ticket (a refused, failed or rejected request
 * is shown above the form, which may try again). Replacing a license stays in the console.
 */
import { useEffect, useState } from 'preact/hooks';
import { describeFailure, query, type ApiClient, type RecordJson } from '../shared/api.js';
import { Alert } from '../shared/components.js';
import { IssueForm } from '../shared/IssueForm.js';
import { RequestState } from './RequestState.js';
import type { SidebarContext } from './zaf.js';

/** A request that holds its ticket: issuing again would return it (one license per ticket). */
const holdsTicket = (r: RecordJson): boolean =>
  ['issued', 'pending_approval', 'voided'].includes(r.status) && !r.replacedBy;

export function TicketSidebar(props: { api: ApiClient; context: SidebarContext; pollMs?: number }) {
  const { api, context } = props;
  const [requests, setRequests] = useState<RecordJson[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loads, setLoads] = useState(0);
  const href = (id: string) => `${context.backendUrl}/requests/${encodeURIComponent(id)}`;

  useEffect(() => {
    let live = true;
    api
      .get<{ requests: RecordJson[] }>(
        `/api/v1/emergency-licenses${query({ ticket: context.ticketId, limit: 5 })}`,
      )
      .then((res) => {
        if (!live) return;
        if (res.status === 200 && Array.isArray(res.body.requests)) {
          setRequests(res.body.requests);
          setError(null);
        } else setError(describeFailure(res));
      })
      .catch(() => live && setError('Lifeline could not be reached.'));
    return () => {
      live = false;
    };
  }, [context.ticketId, loads]);

  if (error)
    return (
      <>
        <Alert kind="error">{error}</Alert>
        <button type="button" onClick={() => setLoads((n) => n + 1)}>
          Try again
        </button>
      </>
    );
  if (!requests) return <p>Looking up the ticket’s request…</p>;
  const holder = requests.find(holdsTicket);
  const latest = holder ?? requests[0];
  return (
    <>
      {latest ? (
        <RequestState
          key={latest.id}
          api={api}
          record={latest}
          href={href(latest.id)}
          {...(props.pollMs ? { pollMs: props.pollMs } : {})}
        />
      ) : null}
      {holder ? null : (
        <>
          {latest ? <h2>Try again for this ticket</h2> : null}
          <IssueForm
            api={api}
            sidebar
            prefill={{
              ticketId: context.ticketId,
              requesterEmail: context.requesterEmail,
              ticketUrl: context.ticketUrl,
            }}
            actor={{ name: context.agentName || context.agentEmail, role: 'engineer' }}
            requestHref={href}
            afterIssue={{ label: 'Show the ticket’s request', onClick: () => setLoads((n) => n + 1) }}
          />
        </>
      )}
    </>
  );
}
