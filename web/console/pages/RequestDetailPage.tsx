import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  describeFailure,
  type ApiClient,
  type Delivery,
  type LicenseReport,
  type RecordJson,
  type Role,
} from '../../shared/api.js';
import {
  Alert,
  DeliveryList,
  deliveriesInFlight,
  LicenseActions,
  LicenseDownload,
  LicenseReportView,
  StatusBadge,
} from '../../shared/components.js';
import { ConfirmDialog } from '../../shared/ConfirmDialog.js';
import { formatInstant, IN_FLIGHT, plural, webHref } from '../../shared/format.js';
import { ruleRows } from '../../shared/rules.js';
import { navigate } from '../router.js';

type Action = 'resend' | 'retry' | 'approve' | 'reject' | 'void' | 'replace';

/** Actions that change what the customer holds: asked once more before they are taken. */
const CONFIRM: Partial<Record<Action, { title: string; label: string; danger: boolean }>> = {
  approve: { title: 'Approve this override?', label: 'Approve and issue', danger: false },
  void: { title: 'Void this license record?', label: 'Void', danger: true },
  replace: { title: 'Replace this license?', label: 'Void and issue the replacement', danger: true },
};

const DONE: Record<Action, string> = {
  resend: 'The license is queued to be sent again.',
  retry: 'The request was run again.',
  approve: 'Approved: the license is generated and its deliveries queued.',
  reject: 'Rejected.',
  void: 'Voided. The license file cannot be revoked on the instance; the tracker and the team are told.',
  replace: 'Replaced: the corrected license is issued and its deliveries queued.',
};

const LOCAL_KINDS: Record<string, string> = {
  tracker_issue: 'Tracker issue',
  tracker_note: 'Tracker note',
  chat_post: 'Team post',
  ticket_note: 'Ticket note',
};

/** The newest license email when it failed, its outcome is unknown, or it is failing and retried. */
function troubledEmail(deliveries: Delivery[]): Delivery | null {
  const email = deliveries.filter((d) => d.channel === 'email').at(-1);
  if (!email) return null;
  const failing = IN_FLIGHT.has(email.status) && email.lastError !== null;
  return email.status === 'failed' || email.status === 'unknown' || failing ? email : null;
}

/** At the top of the page: the customer may not have the license, and what to do about it. */
function EmailProblem(props: { email: Delivery; record: RecordJson }) {
  const { email, record } = props;
  const to = email.recipient ?? record.requesterEmail;
  const ticketHref = webHref(record.ticketUrl);
  const headline =
    email.status === 'failed'
      ? `The license email to ${to} failed`
      : email.status === 'unknown'
        ? `The license email to ${to} may not have arrived`
        : `The license email to ${to} is failing (${plural(email.attempts, 'attempt')} so far, still retrying)`;
  return (
    <section class="alert alert-error email-problem" role="alert" aria-labelledby="email-problem">
      <h2 id="email-problem">{headline}</h2>
      <p class="break">Last error: {email.lastError ?? 'none recorded'}</p>
      <p>
        What to do: download the license file and attach it to a reply on the ticket
        {ticketHref ? (
          <>
            {' '}
            (
            <a href={ticketHref} target="_blank" rel="noreferrer">
              ticket {record.ticketId}
            </a>
            )
          </>
        ) : (
          ` ${record.ticketId}`
        )}
        , or resend it once the address or the mail server is fixed.
      </p>
      {record.license ? (
        <LicenseDownload license={record.license}>
          Download the license file ({record.license.fileName})
        </LicenseDownload>
      ) : null}
    </section>
  );
}

/** One request: summary, decoded license, deliveries, events and the actions the role allows. */
export function RequestDetailPage(props: { api: ApiClient; id: string; role: Role }) {
  const { api, id, role } = props;
  const [record, setRecord] = useState<RecordJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<LicenseReport | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<Action | null>(null);
  const [resendTo, setResendTo] = useState('');
  const [reason, setReason] = useState('');
  const [replaceEmail, setReplaceEmail] = useState('');
  const [replaceSeats, setReplaceSeats] = useState('');
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [tick, setTick] = useState(0);

  const path = `/api/v1/emergency-licenses/${encodeURIComponent(id)}`;

  useEffect(() => {
    let live = true;
    api
      .get<RecordJson>(path)
      .then((res) => {
        if (!live) return;
        if (res.status === 200) {
          setRecord(res.body);
          setError(null);
        } else setError(describeFailure(res));
      })
      .catch(() => live && setError('Lifeline could not be reached.'));
    return () => {
      live = false;
    };
  }, [path, tick]);

  // While deliveries are moving, refresh every second.
  useEffect(() => {
    if (!record || !deliveriesInFlight(record.deliveries)) return;
    const timer = setTimeout(() => setTick((t) => t + 1), 1000);
    return () => clearTimeout(timer);
  }, [record]);

  const licenseText = record?.license?.text ?? null;
  useEffect(() => {
    if (!licenseText) {
      setReport(null);
      return;
    }
    api
      .post<LicenseReport>('/api/v1/licenses/decode', { text: licenseText })
      .then((res) => res.status === 200 && setReport(res.body))
      .catch(() => undefined);
  }, [licenseText]);

  /** The request body of an action, or null (with a message) when something it needs is missing. */
  function bodyOf(action: Action): Record<string, unknown> | null {
    const body: Record<string, unknown> = {};
    if (action === 'resend' && resendTo.trim()) body['to'] = resendTo.trim();
    if (action === 'reject' || action === 'void' || action === 'replace') {
      if (reason.trim() === '') {
        setMessage({ kind: 'error', text: `Write the reason to ${action} this request.` });
        document.getElementById('detail-reason')?.focus();
        return null;
      }
      body['reason'] = reason.trim();
    }
    if (action === 'approve' && reason.trim()) body['reason'] = reason.trim();
    if (action === 'replace') {
      if (replaceEmail.trim()) body['requesterEmail'] = replaceEmail.trim();
      if (replaceSeats.trim()) body['seats'] = Number(replaceSeats.trim());
    }
    return body;
  }

  /** Asks first for the actions in CONFIRM, then acts. */
  function start(action: Action): void {
    if (bodyOf(action) === null) return;
    if (CONFIRM[action]) setConfirming(action);
    else void act(action);
  }

  async function act(action: Action): Promise<void> {
    setConfirming(null);
    const body = bodyOf(action);
    if (body === null) return;
    setBusy(action);
    setMessage(null);
    try {
      const res = await api.post<RecordJson>(`${path}/${action}`, body);
      if (res.status >= 200 && res.status < 300 && action === 'replace') {
        // The replacement is a record of its own: open it.
        navigate(`/requests/${encodeURIComponent(res.body.id)}`);
      } else if (res.status >= 200 && res.status < 300) {
        setRecord(res.body);
        setMessage({ kind: 'success', text: DONE[action] });
        setReason('');
        setResendTo('');
        setTick((t) => t + 1);
      } else setMessage({ kind: 'error', text: describeFailure(res) });
    } catch {
      setMessage({ kind: 'error', text: 'Lifeline could not be reached.' });
    } finally {
      setBusy(null);
    }
  }

  if (error) return <Alert kind="error">{error}</Alert>;
  if (!record) return <p>Loading…</p>;
  const licensing = role === 'licensing';
  const r = record;
  const canResend = r.status === 'issued' && r.license !== null;
  const canRetry = r.status === 'failed';
  const pending = r.status === 'pending_approval';
  const canVoid = r.status === 'issued';
  const canReplace = (r.status === 'issued' || r.status === 'voided') && !r.replacedBy;
  const recordLink = (other: string) => <a href={`/requests/${encodeURIComponent(other)}`}>{other}</a>;
  const asked = confirming ? CONFIRM[confirming] : undefined;
  const trouble = troubledEmail(r.deliveries);

  return (
    <div class="detail">
      {trouble ? <EmailProblem email={trouble} record={r} /> : null}
      <section aria-labelledby="detail-summary">
        <h2 id="detail-summary">
          Request <span class="mono break">{r.id}</span> <StatusBadge status={r.status} />
        </h2>
        <dl class="report">
          {(
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
              [
                'Made from',
                r.origin?.via === 'zendesk'
                  ? `the Zendesk sidebar (${r.origin.agentName ?? r.origin.agentEmail ?? 'agent'})`
                  : 'the console, the API or the command line',
              ],
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
                  ) : (
                    `#${r.tracker.iid} (local)`
                  )
                ) : (
                  '—'
                ),
              ],
            ] as [string, ComponentChildren][]
          ).map(([k, v]) => (
            <div class="report-row" key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        {r.override ? (
          <Alert kind="warning">
            Override by {r.override.by} ({r.override.role}) of {r.override.codes.join(', ')}: “
            {r.override.reason}”
          </Alert>
        ) : null}
        {r.decision ? (
          <p>
            {r.decision.decision === 'approved' ? 'Approved' : 'Rejected'} by {r.decision.by} on{' '}
            {formatInstant(r.decision.at)}
            {r.decision.reason ? `: “${r.decision.reason}”` : ''}
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

      <section aria-labelledby="detail-actions" class="actions">
        <h2 id="detail-actions">Actions</h2>
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
        {!canResend && !canRetry && !(licensing && (pending || canVoid || canReplace)) ? (
          <p class="muted">Nothing to do for a request in this state{licensing ? '' : ' with your role'}.</p>
        ) : null}
        <div class="button-row">
          {canResend ? (
            <button type="button" disabled={busy !== null} onClick={() => start('resend')}>
              {licensing && resendTo.trim()
                ? `Resend to ${resendTo.trim()}`
                : `Resend to ${r.requesterEmail}`}
            </button>
          ) : null}
          {canRetry ? (
            <button type="button" disabled={busy !== null} onClick={() => start('retry')}>
              Retry
            </button>
          ) : null}
          {licensing && pending ? (
            <button type="button" class="primary" disabled={busy !== null} onClick={() => start('approve')}>
              Approve
            </button>
          ) : null}
        </div>
        {licensing && canResend ? (
          <div class="field">
            <label for="detail-resend-to">Resend to another address (licensing)</label>
            <input
              id="detail-resend-to"
              type="email"
              value={resendTo}
              onInput={(e) => setResendTo(e.currentTarget.value)}
            />
          </div>
        ) : null}
        {licensing && canReplace ? (
          <fieldset class="replace">
            <legend>Replace (wrong address or seats): voids this license and issues a corrected one</legend>
            <div class="field">
              <label for="detail-replace-email">Corrected requester email (empty: the same)</label>
              <input
                id="detail-replace-email"
                type="email"
                value={replaceEmail}
                onInput={(e) => setReplaceEmail(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="detail-replace-seats">Corrected seats (empty: the same)</label>
              <input
                id="detail-replace-seats"
                inputMode="numeric"
                value={replaceSeats}
                onInput={(e) => setReplaceSeats(e.currentTarget.value)}
              />
            </div>
          </fieldset>
        ) : null}
        {licensing && (pending || canVoid || canReplace) ? (
          <div class="field">
            <label for="detail-reason">
              {pending
                ? 'Reason (required to reject)'
                : canVoid
                  ? 'Reason (required to void or replace; at least 20 characters to replace)'
                  : 'Reason (required to replace; at least 20 characters)'}
            </label>
            <textarea
              id="detail-reason"
              rows={2}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
            <div class="button-row">
              {pending ? (
                <button type="button" class="danger" disabled={busy !== null} onClick={() => start('reject')}>
                  Reject
                </button>
              ) : null}
              {canVoid ? (
                <button type="button" class="danger" disabled={busy !== null} onClick={() => start('void')}>
                  Void
                </button>
              ) : null}
              {canReplace ? (
                <button
                  type="button"
                  class="danger"
                  disabled={busy !== null}
                  onClick={() => start('replace')}
                >
                  Replace…
                </button>
              ) : null}
            </div>
          </div>
        ) : null}
        {confirming && asked ? (
          <ConfirmDialog
            title={asked.title}
            confirmLabel={asked.label}
            danger={asked.danger}
            onConfirm={() => void act(confirming)}
            onCancel={() => setConfirming(null)}
          >
            {confirming === 'approve' ? (
              <p>
                A license for {r.seats} seats is generated now and emailed to {r.requesterEmail}; it cannot be
                taken back.
              </p>
            ) : (
              <p>
                The license already sent to {r.requesterEmail} cannot be revoked on the customer’s instance:
                it keeps working until it expires. The tracker and the team are told.
                {confirming === 'replace'
                  ? ` A corrected license is emailed to ${replaceEmail.trim() || r.requesterEmail}.`
                  : ''}
              </p>
            )}
          </ConfirmDialog>
        ) : null}
      </section>

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
            {ruleRows(r.eligibility)
              .filter((row) => row.state === 'failed')
              .map((row) => (
                <li key={row.info.code}>
                  <code class="code">{row.info.code}</code> {row.message}
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
    </div>
  );
}
