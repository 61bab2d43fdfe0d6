import { useEffect, useState } from 'preact/hooks';
import { OVERRIDE_REASON_MIN_LENGTH } from '../../../src/core/limits.js';
import {
  describeFailure,
  type ApiClient,
  type LicenseReport,
  type RecordJson,
  type Role,
} from '../../shared/api.js';
import { Alert, deliveriesInFlight } from '../../shared/components.js';
import { ConfirmDialog } from '../../shared/ConfirmDialog.js';
import { navigate } from '../router.js';
import { DecisionEvidence } from './request/DecisionEvidence.js';
import { EmailProblem, troubledEmail } from './request/EmailProblem.js';
import { RequestHistory } from './request/RequestHistory.js';
import { RequestScreenshots } from './request/RequestScreenshots.js';
import { RequestSummary } from './request/RequestSummary.js';

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
  approve:
    'Approved: the license is generated and its deliveries queued; the engineer who asked is told on the ticket and in the team’s thread.',
  reject: 'Rejected. The engineer who asked is told on the ticket and in the team’s thread.',
  void: 'Voided. The license file cannot be revoked on the instance; the tracker and the team are told.',
  replace: 'Replaced: the corrected license is issued and its deliveries queued.',
};

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
  /** Licensing's note with an approval or a rejection: the engineer who asked reads it. */
  const [note, setNote] = useState('');
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
    if (action === 'void' || action === 'replace') {
      if (reason.trim() === '') {
        setMessage({ kind: 'error', text: `Write the reason to ${action} this request.` });
        document.getElementById('detail-reason')?.focus();
        return null;
      }
      body['reason'] = reason.trim();
    }
    if (action === 'reject' && note.trim() === '') {
      setMessage({
        kind: 'error',
        text: 'Write a note to reject this request: the engineer who asked reads it.',
      });
      document.getElementById('detail-note')?.focus();
      return null;
    }
    // The API names the note `reason`.
    if ((action === 'approve' || action === 'reject') && note.trim()) body['reason'] = note.trim();
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
        setNote('');
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
  const asked = confirming ? CONFIRM[confirming] : undefined;
  const trouble = troubledEmail(r.deliveries);

  return (
    <div class="detail">
      {trouble ? <EmailProblem email={trouble} record={r} /> : null}
      <RequestSummary record={r} />
      {pending ? <DecisionEvidence record={r} /> : null}
      {r.screenshots ? <RequestScreenshots screenshots={r.screenshots} /> : null}

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
        </div>
        {licensing && pending ? (
          <div class="field">
            <label for="detail-note">Note to the engineer (optional to approve, required to reject)</label>
            <textarea
              id="detail-note"
              rows={2}
              value={note}
              onInput={(e) => setNote(e.currentTarget.value)}
            />
            <div class="button-row">
              <button type="button" class="primary" disabled={busy !== null} onClick={() => start('approve')}>
                Approve
              </button>
              <button type="button" class="danger" disabled={busy !== null} onClick={() => start('reject')}>
                Reject
              </button>
            </div>
          </div>
        ) : null}
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
        {licensing && (canVoid || canReplace) ? (
          <div class="field">
            <label for="detail-reason">
              {canVoid
                ? `Reason (required to void or replace; at least ${OVERRIDE_REASON_MIN_LENGTH} characters to replace)`
                : `Reason (required to replace; at least ${OVERRIDE_REASON_MIN_LENGTH} characters)`}
            </label>
            <textarea
              id="detail-reason"
              rows={2}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
            <div class="button-row">
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
                taken back. {r.override?.by ?? r.engineer} is told on the ticket and in the team’s thread
                {note.trim() ? `, with your note “${note.trim()}”` : ''}.
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

      {pending ? null : <DecisionEvidence record={r} />}
      <RequestHistory record={r} report={report} />
    </div>
  );
}
