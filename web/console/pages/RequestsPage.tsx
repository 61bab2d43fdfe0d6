import { useEffect, useState } from 'preact/hooks';
import { describeFailure, query, type ApiClient, type RecordJson, type Role } from '../../shared/api.js';
import { Alert, StatusBadge } from '../../shared/components.js';
import { formatInstant, STATUS_LABELS } from '../../shared/format.js';

interface Filters {
  email: string;
  ticket: string;
  /** A license fingerprint (sha256:<hex> or hex), from any copy of the license; alone, it finds one request. */
  fingerprint: string;
  status: string;
  engineer: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { email: '', ticket: '', fingerprint: '', status: '', engineer: '', from: '', to: '' };
const PAGE_SIZE = 25;

interface Page {
  requests: RecordJson[];
  next: string | null;
}

/** Loads one page for the filters and cursor. */
function usePage(api: ApiClient, filters: Filters, cursor: string | null, reload: number) {
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .get<Page>(
        `/api/v1/emergency-licenses${query({
          ...filters,
          // "Created to" includes that whole day (UTC): the API compares instants.
          to: /^\d{4}-\d{2}-\d{2}$/.test(filters.to) ? `${filters.to}T23:59:59.999Z` : filters.to,
          limit: PAGE_SIZE,
          before: cursor,
        })}`,
      )
      .then((res) => {
        if (!live) return;
        if (res.status === 200) {
          setPage(res.body);
          setError(null);
        } else setError(describeFailure(res));
      })
      .catch(() => live && setError('Lifeline could not be reached.'))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [api, JSON.stringify(filters), cursor, reload]);
  return { page, error, loading };
}

function RequestTable(props: { requests: RecordJson[]; caption: string; showOverride?: boolean }) {
  if (props.requests.length === 0) return <p role="status">No requests match.</p>;
  return (
    <table class="list">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Created</th>
          <th scope="col">Ticket</th>
          <th scope="col">Requester</th>
          <th scope="col">Seats</th>
          <th scope="col">Status</th>
          <th scope="col">Engineer</th>
          {props.showOverride ? <th scope="col">Override</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.requests.map((r) => (
          <tr key={r.id}>
            <td data-label="Created">
              <a href={`/requests/${encodeURIComponent(r.id)}`}>{formatInstant(r.createdAt)}</a>
            </td>
            <td data-label="Ticket">{r.ticketId}</td>
            <td data-label="Requester" class="break">
              {r.requesterEmail}
            </td>
            <td data-label="Seats">{r.seats}</td>
            <td data-label="Status">
              <StatusBadge status={r.status} />
            </td>
            <td data-label="Engineer">{r.engineer}</td>
            {props.showOverride ? (
              <td data-label="Override">
                {r.override ? (
                  <>
                    <span>{r.override.reason}</span>{' '}
                    <span class="muted small">({(r.override.codes ?? []).join(', ')})</span>
                  </>
                ) : (
                  '—'
                )}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every request, newest first, with search, filters and pages. */
export function RequestsPage(props: { api: ApiClient }) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const { page, error, loading } = usePage(props.api, filters, cursor, 0);

  const field = (name: keyof Filters, label: string, type = 'text') => (
    <div class="field">
      <label for={`filter-${name}`}>{label}</label>
      <input
        id={`filter-${name}`}
        type={type}
        value={draft[name]}
        onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })}
      />
    </div>
  );

  return (
    <>
      <form
        class="filters"
        role="search"
        aria-label="Filter requests"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
          setCursors([null]);
        }}
      >
        <div class="grid">
          {field('email', 'Customer email')}
          {field('ticket', 'Ticket')}
          {field('fingerprint', 'License fingerprint (sha256:…)')}
          <div class="field">
            <label for="filter-status">Status</label>
            <select
              id="filter-status"
              value={draft.status}
              onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value })}
            >
              <option value="">Any</option>
              {Object.entries(STATUS_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          {field('engineer', 'Engineer')}
          {field('from', 'Created from', 'date')}
          {field('to', 'Created to', 'date')}
        </div>
        <div class="button-row">
          <button type="submit" class="primary">
            Search
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
              setCursors([null]);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <div aria-live="polite" aria-busy={loading}>
        {error ? <Alert kind="error">{error}</Alert> : null}
        {page ? <RequestTable requests={page.requests} caption="Requests, newest first" /> : <p>Loading…</p>}
      </div>
      <nav class="pager button-row" aria-label="Pages">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span class="muted">Page {cursors.length}</span>
        <button
          type="button"
          disabled={!page?.next}
          onClick={() => page?.next && setCursors([...cursors, page.next])}
        >
          Older
        </button>
      </nav>
    </>
  );
}

/** The licensing team's queue: engineers' overrides waiting for a decision. */
export function ApprovalsPage(props: { api: ApiClient; role: Role }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const { page, error, loading } = usePage(props.api, { ...EMPTY, status: 'pending_approval' }, cursor, 0);
  return (
    <>
      <p>
        Engineers' overrides waiting for a licensing decision. Open one to approve or reject it.
        {props.role === 'engineer' ? ' (Only the licensing team can decide.)' : ''}
      </p>
      <div aria-live="polite" aria-busy={loading}>
        {error ? <Alert kind="error">{error}</Alert> : null}
        {page ? (
          <RequestTable requests={page.requests} caption="Requests pending approval" showOverride />
        ) : (
          <p>Loading…</p>
        )}
      </div>
      {page?.next || cursors.length > 1 ? (
        <nav class="pager button-row" aria-label="Pages">
          <button
            type="button"
            disabled={cursors.length <= 1}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Newer
          </button>
          <button
            type="button"
            disabled={!page?.next}
            onClick={() => page?.next && setCursors([...cursors, page.next])}
          >
            Older
          </button>
        </nav>
      ) : null}
    </>
  );
}
