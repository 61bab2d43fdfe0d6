/**
 * The request list: one search box and filters, kept in the address (`/requests?q=acme&status=issued`
 * can be shared, and Back and Forward bring a search back); a click anywhere on a row opens it.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { SEARCH_MIN_LENGTH } from '../../../src/core/limits.js';
import { describeFailure, query, type ApiClient, type RecordJson, type Role } from '../../shared/api.js';
import { Alert, StatusBadge } from '../../shared/components.js';
import { formatInstant, STATUS_LABELS } from '../../shared/format.js';
import { navigate, type Location } from '../router.js';

/** The filters, as the address and the API name them. */
const FILTERS = ['q', 'ticket', 'status', 'attention', 'engineer', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const EMPTY: Filters = { q: '', ticket: '', status: '', attention: '', engineer: '', from: '', to: '' };
const PAGE_SIZE = 25;

/** What a human should look at (the dashboard links here with `attention=`). */
export const ATTENTION_LABELS: Record<string, string> = {
  failed_delivery: 'A delivery failed',
  unknown_email: 'Email outcome unknown',
  delivering: 'Still delivering',
};

export function filtersOf(search: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((k) => [k, search.get(k) ?? ''])) as Filters;
}

/** The list's address for these filters (empty ones left out). */
export const listHref = (filters: Partial<Filters>): string => `/requests${query(filters)}`;

interface Page {
  requests: RecordJson[];
  next: string | null;
}

/** Loads one page for the filters and cursor. */
function usePage(api: ApiClient, filters: Filters, cursor: string | null) {
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
        } else {
          setPage(null);
          setError(describeFailure(res));
        }
      })
      .catch(() => live && setError('Lifeline could not be reached.'))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [api, JSON.stringify(filters), cursor]);
  return { page, error, loading };
}

/** A click on a row (not on its link or with a modifier) opens the request, like its link. */
function openRow(event: JSX.TargetedMouseEvent<HTMLTableRowElement>, href: string): void {
  const target = event.target as Element;
  if (target.closest('a, button, input, select, textarea')) return;
  if (event.button !== 0) return;
  if (event.metaKey || event.ctrlKey) window.open(href, '_blank', 'noopener');
  else navigate(href);
}

function RequestTable(props: { requests: RecordJson[]; caption: string; showOverride?: boolean }) {
  if (props.requests.length === 0) return <p role="status">No requests match.</p>;
  return (
    <table class="list rows-open">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Ticket</th>
          <th scope="col">Created</th>
          <th scope="col">Requester</th>
          <th scope="col">Seats</th>
          <th scope="col">Status</th>
          <th scope="col">Engineer</th>
          {props.showOverride ? <th scope="col">Override</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.requests.map((r) => {
          const href = `/requests/${encodeURIComponent(r.id)}`;
          return (
            <tr key={r.id} data-id={r.id} onClick={(e) => openRow(e, href)}>
              <td data-label="Ticket">
                <a href={href} aria-label={`Request for ticket ${r.ticketId}, ${r.requesterEmail}`}>
                  #{r.ticketId}
                </a>
              </td>
              <td data-label="Created">{formatInstant(r.createdAt)}</td>
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
          );
        })}
      </tbody>
    </table>
  );
}

/** Newer / Older over the pages of one search. */
function Pager(props: {
  cursors: (string | null)[];
  next: string | null;
  onMove(c: (string | null)[]): void;
}) {
  const { cursors, next, onMove } = props;
  return (
    <nav class="pager button-row" aria-label="Pages">
      <button type="button" disabled={cursors.length <= 1} onClick={() => onMove(cursors.slice(0, -1))}>
        Newer
      </button>
      <span class="muted">Page {cursors.length}</span>
      <button type="button" disabled={!next} onClick={() => next && onMove([...cursors, next])}>
        Older
      </button>
    </nav>
  );
}

/** Every request, newest first, with the search and filters of the address, in pages. */
export function RequestsPage(props: { api: ApiClient; loc: Location }) {
  const searchKey = props.loc.search.toString();
  const filters = filtersOf(props.loc.search);
  const [draft, setDraft] = useState<Filters>(filters);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [qProblem, setQProblem] = useState<string | null>(null);
  // Back, Forward or a link changed the address: its filters are the form's, from the first page.
  // Not on the first render: Preact runs effects after paint, and what was typed by then must stay.
  const shownKey = useRef(searchKey);
  useEffect(() => {
    if (shownKey.current === searchKey) return;
    shownKey.current = searchKey;
    setDraft(filtersOf(new URLSearchParams(searchKey)));
    setCursors([null]);
    setQProblem(null);
  }, [searchKey]);
  const { page, error, loading } = usePage(props.api, filters, cursors[cursors.length - 1] ?? null);

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
  const choice = (name: keyof Filters, label: string, options: Record<string, string>) => (
    <div class="field">
      <label for={`filter-${name}`}>{label}</label>
      <select
        id={`filter-${name}`}
        value={draft[name]}
        onChange={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })}
      >
        <option value="">Any</option>
        {Object.entries(options).map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );

  function search(event: Event): void {
    event.preventDefault();
    const q = draft.q.trim();
    if (q !== '' && q.replace(/^@/, '').length < SEARCH_MIN_LENGTH) {
      setQProblem(`Type at least ${SEARCH_MIN_LENGTH} characters, or leave it empty.`);
      document.getElementById('filter-q')?.focus();
      return;
    }
    navigate(listHref({ ...draft, q }));
  }

  return (
    <>
      <form class="filters" role="search" aria-label="Find requests" onSubmit={search}>
        <div class="field search-field">
          <label for="filter-q">Search</label>
          <input
            id="filter-q"
            type="search"
            value={draft.q}
            aria-invalid={qProblem ? 'true' : undefined}
            aria-describedby={qProblem ? 'filter-q-hint filter-q-problem' : 'filter-q-hint'}
            onInput={(e) => {
              setDraft({ ...draft, q: e.currentTarget.value });
              setQProblem(null);
            }}
          />
          <span id="filter-q-hint" class="hint">
            The start of an email, a domain, a company, or 8+ characters of a license fingerprint
          </span>
          {qProblem ? (
            <span id="filter-q-problem" class="field-error">
              {qProblem}
            </span>
          ) : null}
        </div>
        <div class="grid">
          {field('ticket', 'Ticket')}
          {choice('status', 'Status', STATUS_LABELS)}
          {choice('attention', 'Needs attention', ATTENTION_LABELS)}
          {field('engineer', 'Engineer')}
          {field('from', 'Created from', 'date')}
          {field('to', 'Created to', 'date')}
        </div>
        <div class="button-row">
          <button type="submit" class="primary">
            Search
          </button>
          <button type="button" onClick={() => navigate('/requests')}>
            Clear
          </button>
        </div>
      </form>
      <div aria-live="polite" aria-busy={loading}>
        {error ? <Alert kind="error">{error}</Alert> : null}
        {page ? (
          <RequestTable requests={page.requests} caption="Requests, newest first" />
        ) : error ? null : (
          <p>Loading…</p>
        )}
      </div>
      <Pager cursors={cursors} next={page?.next ?? null} onMove={setCursors} />
    </>
  );
}

/** The licensing team's queue: engineers' overrides waiting for a decision. */
export function ApprovalsPage(props: { api: ApiClient; role: Role }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const { page, error, loading } = usePage(props.api, { ...EMPTY, status: 'pending_approval' }, cursor);
  return (
    <>
      <p>
        Engineers' overrides waiting for a licensing decision. Open one to see the evidence and approve or
        reject it.
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
        <Pager cursors={cursors} next={page?.next ?? null} onMove={setCursors} />
      ) : null}
    </>
  );
}
