/**
 * The issue form of the console and the sidebar: pre-filled fields, the customer's previous license
 * (pasted or dropped, decoded by the API) or the figures from the screenshots, live eligibility as
 * the fields change, an override with a reason, a final confirmation, then the four deliveries'
 * progress, the license to copy or download and the tracker link. Every decision is the API's.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import {
  describeFailure,
  errorOf,
  query,
  type ApiClient,
  type CheckResult,
  type LicenseReport,
  type RecordJson,
  type Role,
} from './api.js';
import {
  Alert,
  DeliveryList,
  deliveriesInFlight,
  EligibilityPanel,
  LicenseActions,
  LicenseInput,
  StatusBadge,
  todayFromFacts,
} from './components.js';
import { addDays } from './format.js';
import { MIN_OVERRIDE_REASON } from './rules.js';

export interface IssuePrefill {
  ticketId?: string;
  ticketUrl?: string;
  requesterEmail?: string;
}

export interface IssueFormProps {
  api: ApiClient;
  prefill?: IssuePrefill;
  /** Who is signed in: shown as the engineer; decides whether an override waits for approval. */
  actor: { name: string; role: Role } | null;
  /** Where a request's detail page is, when there is one (the console). */
  requestHref?: (id: string) => string;
  /** The sidebar: ticket id fixed by Zendesk, narrow layout. */
  sidebar?: boolean;
  /** Poll interval of the delivery progress (ms). */
  pollMs?: number;
}

interface Fields {
  ticketId: string;
  ticketUrl: string;
  requesterEmail: string;
  seats: string;
  plan: string;
  expiresAt: string;
  previousSeats: string;
  maximumUsers: string;
  billableUsers: string;
  previousLicense: string;
}

/** Input ids by API field name, to focus the field an error names. */
const FIELD_IDS: Record<string, string> = {
  ticketId: 'issue-ticket',
  ticketUrl: 'issue-ticket-url',
  requesterEmail: 'issue-email',
  seats: 'issue-seats',
  plan: 'issue-plan',
  expiresAt: 'issue-expires',
  previousSeats: 'issue-previous-seats',
  maximumUsers: 'issue-maximum-users',
  billableUsers: 'issue-billable-users',
  previousLicense: 'issue-license',
  overrideReason: 'issue-override-reason',
};

/** Whole numbers go as numbers; anything else as typed, so that rule 1 names the field. */
function numberish(value: string): number | string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return /^\d{1,9}$/.test(v) ? Number(v) : v;
}

function bodyOf(fields: Fields): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ticketId: fields.ticketId.trim(),
    requesterEmail: fields.requesterEmail.trim(),
    seats: numberish(fields.seats) ?? '',
  };
  const optional: Record<string, unknown> = {
    ticketUrl: fields.ticketUrl.trim() || undefined,
    plan: fields.plan.trim() || undefined,
    expiresAt: fields.expiresAt.trim() || undefined,
    previousSeats: numberish(fields.previousSeats),
    maximumUsers: numberish(fields.maximumUsers),
    billableUsers: numberish(fields.billableUsers),
    // Sent exactly as given: its fingerprint identifies it (e.g. as one of Lifeline's own).
    previousLicense: fields.previousLicense.trim() === '' ? undefined : fields.previousLicense,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) body[k] = v;
  return body;
}

const focusField = (field: string | undefined): void => {
  const id = field ? FIELD_IDS[field] : undefined;
  if (id) document.getElementById(id)?.focus();
};

type Phase = 'edit' | 'confirm' | 'submitting' | 'done';

export function IssueForm(props: IssueFormProps) {
  const { api } = props;
  const [fields, setFields] = useState<Fields>({
    ticketId: props.prefill?.ticketId ?? '',
    ticketUrl: props.prefill?.ticketUrl ?? '',
    requesterEmail: props.prefill?.requesterEmail ?? '',
    seats: '',
    plan: '',
    expiresAt: '',
    previousSeats: '',
    maximumUsers: '',
    billableUsers: '',
    previousLicense: '',
  });
  const [check, setCheck] = useState<CheckResult | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const [decoded, setDecoded] = useState<LicenseReport | null>(null);
  const [override, setOverride] = useState(false);
  const [reason, setReason] = useState('');
  const [phase, setPhase] = useState<Phase>('edit');
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [record, setRecord] = useState<RecordJson | null>(null);
  const [outcome, setOutcome] = useState<number | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const [earlier, setEarlier] = useState<RecordJson[]>([]);
  const seq = useRef(0);
  const confirmRef = useRef<HTMLHeadingElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);

  const set = (name: keyof Fields) => (value: string) => setFields((f) => ({ ...f, [name]: value }));
  const body = bodyOf(fields);
  const bodyKey = JSON.stringify(body);
  const ready =
    fields.ticketId.trim() !== '' && fields.requesterEmail.trim() !== '' && fields.seats.trim() !== '';

  // Live eligibility: debounced, and only the latest answer counts.
  useEffect(() => {
    if (!ready || phase === 'done') return;
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      setChecking(true);
      api
        .post<CheckResult>('/api/v1/eligibility', body)
        .then((res) => {
          if (mine !== seq.current) return;
          if (res.status === 200) {
            setCheck(res.body);
            setCheckError(null);
          } else {
            setCheck(null);
            setCheckError(describeFailure(res));
          }
        })
        .catch(() => {
          if (mine === seq.current) setCheckError('Lifeline could not be reached; eligibility is unknown.');
        })
        .finally(() => {
          if (mine === seq.current) setChecking(false);
        });
    }, 350);
    return () => clearTimeout(timer);
  }, [bodyKey, ready]);

  // The previous license: decoded by the API, its plan, dates and seats fill the fields.
  useEffect(() => {
    const text = fields.previousLicense;
    if (text.trim() === '') {
      setDecoded(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api
        .post<LicenseReport>('/api/v1/licenses/decode', { text })
        .then((res) => {
          if (!live) return;
          if (res.status !== 200) {
            setDecoded(null);
            setCheckError(describeFailure(res));
            return;
          }
          setDecoded(res.body);
          if (res.body.valid) {
            const r = res.body;
            setFields((f) => ({
              ...f,
              plan: r.plan ?? f.plan,
              expiresAt: r.expiresAt ?? f.expiresAt,
              previousSeats: r.activeUserCount !== null ? String(r.activeUserCount) : f.previousSeats,
            }));
          }
        })
        .catch(() => live && setDecoded(null));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [fields.previousLicense, api]);

  // Earlier requests for the ticket: the engineer sees them before issuing (a ticket gets one license).
  const ticketKey = fields.ticketId.trim();
  useEffect(() => {
    if (ticketKey === '' || phase === 'done') {
      setEarlier([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api
        .get<{ requests: RecordJson[] }>(
          `/api/v1/emergency-licenses${query({ ticket: ticketKey, limit: 5 })}`,
        )
        .then((res) => {
          if (live)
            setEarlier(res.status === 200 && Array.isArray(res.body.requests) ? res.body.requests : []);
        })
        .catch(() => live && setEarlier([]));
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [ticketKey, phase, api]);

  // Delivery progress: poll the record until no delivery is queued or sending.
  useEffect(() => {
    if (phase !== 'done' || !record || !deliveriesInFlight(record.deliveries)) return;
    const timer = setTimeout(() => {
      api
        .get<RecordJson>(`/api/v1/emergency-licenses/${encodeURIComponent(record.id)}`)
        .then((res) => {
          if (res.status === 200) {
            setRecord(res.body);
            setPollError(null);
          } else setPollError(describeFailure(res));
        })
        .catch(() => setPollError('Lifeline could not be reached; retrying.'))
        .finally(() => {
          // A failed poll leaves the record as it was; touch it so that the effect runs again.
          setRecord((r) => (r ? { ...r } : r));
        });
    }, props.pollMs ?? 1000);
    return () => clearTimeout(timer);
  }, [phase, record, api, props.pollMs]);

  // Focus follows the step (confirmation, result) at once, before the next key press.
  useLayoutEffect(() => {
    if (phase === 'confirm') confirmRef.current?.focus();
    if (phase === 'done') resultRef.current?.focus();
  }, [phase]);

  const canOverride = check !== null && !check.eligible && check.overridable;
  const overriding = canOverride && override;
  const reasonShort = reason.trim().length < MIN_OVERRIDE_REASON;
  const waitsForApproval = overriding && props.actor?.role === 'engineer';
  const today = check ? todayFromFacts(check) : null;
  const expiry = today ? addDays(today, 10) : null;

  function review(event: Event): void {
    event.preventDefault();
    setSubmitError(null);
    if (!ready) {
      setSubmitError('Fill in the ticket, the requester email and the seats.');
      focusField(
        !fields.ticketId.trim() ? 'ticketId' : !fields.requesterEmail.trim() ? 'requesterEmail' : 'seats',
      );
      return;
    }
    if (check && !check.eligible && !overriding) {
      setSubmitError(
        check.overridable
          ? 'The request is refused. Fix the fields, or override the refusal with a reason.'
          : 'The request is refused and these rules cannot be overridden: fix the input.',
      );
      return;
    }
    if (overriding && reasonShort) {
      setSubmitError(`Write the override reason: at least ${MIN_OVERRIDE_REASON} characters.`);
      focusField('overrideReason');
      return;
    }
    setPhase('confirm');
  }

  async function submit(): Promise<void> {
    setPhase('submitting');
    setSubmitError(null);
    try {
      const res = await api.post<Record<string, unknown>>('/api/v1/emergency-licenses', {
        ...body,
        ...(overriding ? { overrideReason: reason.trim() } : {}),
      });
      if (res.status === 200 || res.status === 201 || res.status === 202) {
        setRecord(res.body as unknown as RecordJson);
        setOutcome(res.status);
        setPhase('done');
        return;
      }
      const error = errorOf(res.body);
      if (res.status === 422 && Array.isArray(res.body['refusals']))
        setCheck(res.body as unknown as CheckResult);
      if (res.status === 500 && res.body['record']) {
        setRecord(res.body['record'] as RecordJson);
        setOutcome(500);
        setPhase('done');
        return;
      }
      setSubmitError(describeFailure(res));
      setPhase('edit');
      focusField(error?.field);
    } catch {
      setSubmitError('Lifeline could not be reached. Nothing was issued; try again.');
      setPhase('edit');
    }
  }

  function startOver(): void {
    setFields((f) => ({
      ...f,
      ticketId: props.sidebar ? f.ticketId : '',
      ticketUrl: props.sidebar ? f.ticketUrl : '',
      requesterEmail: props.sidebar ? f.requesterEmail : '',
      seats: '',
      plan: '',
      expiresAt: '',
      previousSeats: '',
      maximumUsers: '',
      billableUsers: '',
      previousLicense: '',
    }));
    setRecord(null);
    setOutcome(null);
    setCheck(null);
    setOverride(false);
    setReason('');
    setPhase('edit');
  }

  if (phase === 'done' && record) {
    const inFlight = deliveriesInFlight(record.deliveries);
    const title =
      outcome === 202 || record.status === 'pending_approval'
        ? 'Waiting for approval'
        : outcome === 200
          ? 'This ticket already has a request'
          : outcome === 500 || record.status === 'failed'
            ? 'No license could be generated'
            : 'Emergency license issued';
    return (
      <section class={`issue-result${props.sidebar ? ' narrow' : ''}`} aria-labelledby="issue-result-title">
        <h2 id="issue-result-title" tabIndex={-1} ref={resultRef}>
          {title}
        </h2>
        <p>
          <StatusBadge status={record.status} /> Ticket {record.ticketId} · {record.requesterEmail} ·{' '}
          {record.seats} seats
          {record.license ? ` · expires ${record.license.expiresAt}` : ''}
        </p>
        {record.status === 'pending_approval' ? (
          <Alert kind="info">
            Your override is recorded. A licensing user must approve it before the license is generated and
            sent; the team has been told.
          </Alert>
        ) : null}
        {record.failure ? (
          <Alert kind="error">
            {record.failure.message} ({record.failure.code}). It can be retried from the request page.
          </Alert>
        ) : null}
        <h3>Deliveries {inFlight ? <span class="muted">(in progress…)</span> : null}</h3>
        <DeliveryList deliveries={record.deliveries} live />
        {pollError ? <p class="field-error">{pollError}</p> : null}
        {record.tracker ? (
          <p>
            Tracker issue:{' '}
            {record.tracker.url ? (
              <a href={record.tracker.url} target="_blank" rel="noreferrer">
                #{record.tracker.iid}
              </a>
            ) : (
              `#${record.tracker.iid} (kept in Lifeline's database)`
            )}
          </p>
        ) : null}
        {record.license ? <LicenseActions license={record.license} /> : null}
        <div class="button-row">
          {props.requestHref ? (
            <a
              class="button"
              href={props.requestHref(record.id)}
              {...(props.sidebar ? { target: '_blank', rel: 'noreferrer' } : {})}
            >
              Open request {record.id}
            </a>
          ) : null}
          <button type="button" onClick={startOver}>
            {props.sidebar ? 'Back to the form' : 'Issue another'}
          </button>
        </div>
      </section>
    );
  }

  const input = (name: keyof Fields, label: string, extra: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={FIELD_IDS[name]}>{label}</label>
      <input
        id={FIELD_IDS[name]}
        name={name}
        value={fields[name]}
        onInput={(e) => set(name)(e.currentTarget.value)}
        {...extra}
      />
    </div>
  );

  return (
    <div class={`issue${props.sidebar ? ' narrow' : ''}`}>
      <form class="issue-form" onSubmit={review} noValidate aria-describedby="issue-form-help">
        <p id="issue-form-help" class="muted small">
          Eligibility updates as you type. Nothing is issued until you confirm.
        </p>
        <fieldset disabled={phase !== 'edit'}>
          <legend>Ticket and customer</legend>
          <div class="grid">
            {input('ticketId', 'Ticket', {
              // In Zendesk the ticket is the one the sidebar is on (the API refuses another).
              readOnly: props.sidebar === true && (props.prefill?.ticketId ?? '') !== '',
              autoComplete: 'off',
            })}
            {props.sidebar
              ? null
              : input('ticketUrl', 'Ticket URL (optional)', { type: 'url', autoComplete: 'off' })}
            {input('requesterEmail', 'Requester email', { type: 'email', autoComplete: 'off' })}
            <div class="field">
              <span class="label-like" id="issue-engineer-label">
                Engineer
              </span>
              <output aria-labelledby="issue-engineer-label" class="engineer">
                {props.actor ? `${props.actor.name} (${props.actor.role})` : '—'}
              </output>
            </div>
          </div>
        </fieldset>
        <fieldset disabled={phase !== 'edit'}>
          <legend>Previous license</legend>
          <LicenseInput
            label="Customer's expired license (optional, the strongest evidence)"
            value={fields.previousLicense}
            onChange={set('previousLicense')}
            rows={props.sidebar ? 3 : 4}
          />
          {decoded ? (
            decoded.valid ? (
              <p class="decoded" role="status">
                Decoded: {decoded.plan} plan{decoded.trial ? ' (trial)' : ''}, {decoded.activeUserCount}{' '}
                seats, expired {decoded.expiresAt}
                {decoded.licensee ? `, ${decoded.licensee.company}` : ''}. The fields below are filled from
                it.
              </p>
            ) : (
              <p class="field-error" role="status">
                This license cannot be read ({decoded.code}): {decoded.message}
              </p>
            )
          ) : null}
          <p class="muted small">Or enter what the customer's screenshots show:</p>
          <div class="grid">
            <div class="field">
              <label for={FIELD_IDS['plan']}>Plan</label>
              <select
                id={FIELD_IDS['plan']}
                name="plan"
                value={fields.plan}
                onChange={(e) => set('plan')(e.currentTarget.value)}
              >
                <option value="">—</option>
                <option value="starter">Starter</option>
                <option value="premium">Premium</option>
                <option value="ultimate">Ultimate</option>
                {fields.plan && !['starter', 'premium', 'ultimate'].includes(fields.plan) ? (
                  <option value={fields.plan}>{fields.plan}</option>
                ) : null}
              </select>
            </div>
            {input('expiresAt', 'Expired on', { type: 'date' })}
            {input('previousSeats', 'Seats of the previous license', { inputMode: 'numeric' })}
            {input('maximumUsers', 'Maximum users', { inputMode: 'numeric' })}
            {input('billableUsers', 'Billable users', { inputMode: 'numeric' })}
          </div>
        </fieldset>
        <fieldset disabled={phase !== 'edit'}>
          <legend>Emergency license</legend>
          <div class="grid">
            {input('seats', 'Seats', { inputMode: 'numeric', 'aria-describedby': 'issue-seats-hint' })}
          </div>
          <p id="issue-seats-hint" class="muted small">
            The license lasts 10 days; its licensee details are fixed.
          </p>
        </fieldset>

        {earlier.length > 0 ? (
          <div class="alert alert-warning earlier" role="status">
            <strong>
              Ticket {ticketKey} already has {earlier.length === 1 ? 'a request' : 'requests'}:
            </strong>
            <ul>
              {earlier.map((r) => (
                <li key={r.id}>
                  <StatusBadge status={r.status} /> {r.requesterEmail}, {r.seats} seats
                  {r.license ? `, expires ${r.license.expiresAt}` : ''}
                  {props.requestHref ? (
                    <>
                      {' '}
                      <a
                        href={props.requestHref(r.id)}
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
        ) : null}

        <section class="eligibility-box" aria-labelledby="issue-eligibility-title" aria-busy={checking}>
          <h3 id="issue-eligibility-title">
            Eligibility {checking ? <span class="muted small">(checking…)</span> : null}
          </h3>
          {/* Screen readers hear the verdict only, not the whole list, as it changes. */}
          <p class="visually-hidden" role="status">
            {checking
              ? ''
              : check
                ? check.eligible
                  ? 'Eligibility: eligible.'
                  : `Eligibility: refused by ${check.refusals.map((r) => r.code).join(', ')}.`
                : ''}
          </p>
          <div>
            {!ready ? (
              <p class="muted">Fill in the ticket, the requester email and the seats to see eligibility.</p>
            ) : checkError ? (
              <Alert kind="error">{checkError}</Alert>
            ) : check ? (
              <EligibilityPanel
                result={check}
                seats={Number(fields.seats) || null}
                onUseSeats={(n) => set('seats')(String(n))}
              />
            ) : (
              <p class="muted">Checking…</p>
            )}
          </div>
        </section>

        {canOverride ? (
          <fieldset class="override" disabled={phase !== 'edit'}>
            <legend>Override</legend>
            <div class="check">
              <input
                id="issue-override"
                type="checkbox"
                checked={override}
                onChange={(e) => setOverride(e.currentTarget.checked)}
              />
              <label for="issue-override">Override the refusal with a written reason</label>
            </div>
            {override ? (
              <div class="field">
                <label for={FIELD_IDS['overrideReason']}>
                  Reason (at least {MIN_OVERRIDE_REASON} characters)
                </label>
                <textarea
                  id={FIELD_IDS['overrideReason']}
                  rows={3}
                  value={reason}
                  aria-describedby="issue-override-hint"
                  onInput={(e) => setReason(e.currentTarget.value)}
                />
                <p id="issue-override-hint" class="muted small">
                  {reason.trim().length}/{MIN_OVERRIDE_REASON} characters.{' '}
                  {props.actor?.role === 'engineer'
                    ? 'As an engineer, your override creates a request pending approval by licensing.'
                    : 'Your override takes effect at once and is recorded.'}
                </p>
              </div>
            ) : null}
          </fieldset>
        ) : null}

        {submitError ? <Alert kind="error">{submitError}</Alert> : null}
        {phase === 'edit' ? (
          <div class="button-row">
            <button type="submit" class="primary">
              {waitsForApproval ? 'Review override request…' : 'Review and issue…'}
            </button>
          </div>
        ) : null}
      </form>

      {phase === 'confirm' || phase === 'submitting' ? (
        <section class="confirm" aria-labelledby="issue-confirm-title">
          <h3 id="issue-confirm-title" tabIndex={-1} ref={confirmRef}>
            {waitsForApproval ? 'Confirm the override request' : 'Confirm the emergency license'}
          </h3>
          <p class="confirm-text">
            {waitsForApproval ? 'Ask licensing to approve' : 'Send'} a 10-day emergency license for{' '}
            <strong>{fields.seats.trim()} seats</strong> to <strong>{fields.requesterEmail.trim()}</strong>
            {expiry ? (
              <>
                , expiring on <strong>{expiry}</strong>
              </>
            ) : null}
            , for ticket {fields.ticketId.trim()}
            {overriding ? ', overriding the refusal' : ''}?
          </p>
          <div class="button-row">
            <button
              type="button"
              class="primary"
              disabled={phase === 'submitting'}
              onClick={() => void submit()}
            >
              {phase === 'submitting'
                ? 'Working…'
                : waitsForApproval
                  ? 'Send for approval'
                  : `Issue and send to ${fields.requesterEmail.trim()}`}
            </button>
            <button type="button" disabled={phase === 'submitting'} onClick={() => setPhase('edit')}>
              Back to the form
            </button>
          </div>
        </section>
      ) : null}
    </div>
  );
}
