import type { ApiClient, Session } from '../../shared/api.js';
import { IssueForm } from '../../shared/IssueForm.js';

/** The console's issue form; `?ticket=…&email=…&ticketUrl=…` pre-fill it (links from elsewhere). */
export function IssuePage(props: { api: ApiClient; session: Session; search: URLSearchParams }) {
  const prefill = {
    ticketId: props.search.get('ticket') ?? '',
    ticketUrl: props.search.get('ticketUrl') ?? '',
    requesterEmail: props.search.get('email') ?? '',
  };
  return (
    <IssueForm
      api={props.api}
      prefill={prefill}
      actor={props.session.user}
      requestHref={(id) => `/requests/${encodeURIComponent(id)}`}
    />
  );
}
