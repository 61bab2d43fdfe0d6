/**
 * The ticket's request as the sidebar shows it first: its status and when, each delivery's state and
 * when, resend, the license to copy or download, and a link to its record in the console (where
 * licensing replaces or voids it). Deliveries on their way are followed until they finish.
 */
import { useEffect, useState } from 'preact/hooks';
import { describeFailure, type ApiClient, type RecordJson } from '../shared/api.js';
import {
  Alert,
  DeliveryList,
  deliveriesInFlight,
  formatInstant,
  LicenseActions,
  StatusBadge,
} from '../shared/components.js';
import { useDeliveryProgress } from '../shared/hooks/useDeliveryProgress.js';
import './sidebar.css';

const TITLES: Record<string, string> = {
  issued: 'Emergency license issued',
  pending_approval: 'Waiting for approval by licensing',
  voided: 'License voided',
  refused: 'Refused',
  failed: 'No license could be generated',
  rejected: 'Override rejected',
};

/** When each step happened, in order. */
function timeline(r: RecordJson): [string, string][] {
  const rows: [string, string][] = [[`Asked by ${r.engineer}`, formatInstant(r.createdAt)]];
  if (r.decision)
    rows.push([
      `${r.decision.decision === 'approved' ? 'Approved' : 'Rejected'} by ${r.decision.by}`,
      formatInstant(r.decision.at),
    ]);
  // A license is dated (its first day), not timed.
  if (r.license) rows.push(['License dated', r.license.issuedAt.slice(0, 10)]);
  if (r.voided) rows.push([`Voided by ${r.voided.by}`, formatInstant(r.voided.at)]);
  return rows;
}

export function RequestState(props: {
  api: ApiClient;
  record: RecordJson;
  /** The record's page in the console. */
  href: string;
  pollMs?: number;
}) {
  const { api } = props;
  const progress = useDeliveryProgress(api, true, props.pollMs);
  useEffect(() => progress.setRecord(props.record), [props.record]);
  const r = progress.record ?? props.record;
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function resend(): Promise<void> {
    setBusy(true);
    setMessage(null);
    try {
      const res = await api.post<RecordJson>(
        `/api/v1/emergency-licenses/${encodeURIComponent(r.id)}/resend`,
        {},
      );
      if (res.status === 200) {
        progress.setRecord(res.body);
        setMessage({
          kind: 'success',
          text: `The license is queued to be sent again to ${r.requesterEmail}.`,
        });
      } else setMessage({ kind: 'error', text: describeFailure(res) });
    } catch {
      setMessage({ kind: 'error', text: 'Lifeline could not be reached; nothing was sent.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="request-state" aria-labelledby="request-state-title" data-status={r.status}>
      <h2 id="request-state-title">{TITLES[r.status] ?? r.status}</h2>
      <p>
        <StatusBadge status={r.status} /> Ticket {r.ticketId} · {r.requesterEmail} · {r.seats} seats
        {r.license ? ` · expires ${r.license.expiresAt}` : ''}
      </p>
      <dl class="request-times">
        {timeline(r).map(([what, when]) => (
          <div key={what}>
            <dt>{what}</dt>
            <dd>{when}</dd>
          </div>
        ))}
      </dl>
      {r.voided ? <p class="break">Reason: {r.voided.reason}</p> : null}
      {r.failure ? (
        <Alert kind="error">
          {r.failure.message} ({r.failure.code})
        </Alert>
      ) : null}
      <h3>
        Deliveries {deliveriesInFlight(r.deliveries) ? <span class="muted">(in progress…)</span> : null}
      </h3>
      <DeliveryList deliveries={r.deliveries} live times />
      {progress.error ? <p class="field-error">{progress.error}</p> : null}
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {r.status === 'issued' && r.license ? (
        <div class="button-row">
          <button type="button" disabled={busy} onClick={() => void resend()}>
            {busy ? 'Resending…' : `Resend to ${r.requesterEmail}`}
          </button>
        </div>
      ) : null}
      {r.license ? <LicenseActions license={r.license} /> : null}
      <p>
        <a class="break" href={props.href} target="_blank" rel="noreferrer">
          Open request {r.id} in the console
        </a>
      </p>
      {r.status === 'voided' || r.status === 'issued' ? (
        <p class="muted small">
          A wrong address or seat count is corrected in the console (Replace, licensing).
        </p>
      ) : null}
    </section>
  );
}
