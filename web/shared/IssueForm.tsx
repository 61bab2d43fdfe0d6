/**
 * The issue form of the console and the sidebar: pre-filled fields, the customer's previous license
 * (pasted or dropped, decoded by the API) or the figures from the screenshots, live eligibility as
 * the fields change, an override with a reason, a final confirmation, then the four deliveries'
 * progress, the license to copy or download and the tracker link. Every decision is the API's.
 */
import { useState } from 'preact/hooks';
import './issue/issue.css';
import { EMERGENCY_TERM_DAYS, OVERRIDE_REASON_MIN_LENGTH } from '../../src/core/limits.js';
import {
  describeFailure,
  errorOf,
  type ApiClient,
  type CheckResult,
  type Finding,
  type RecordJson,
  type Role,
} from './api.js';
import { Alert } from './components.js';
import { todayFromFacts } from './EligibilityPanel.js';
import { addDays } from './format.js';
import { useDecodedLicense } from './hooks/useDecodedLicense.js';
import { useDeliveryProgress } from './hooks/useDeliveryProgress.js';
import { useEarlierRequests } from './hooks/useEarlierRequests.js';
import { useEligibility } from './hooks/useEligibility.js';
import { useFieldVisits } from './hooks/useFieldVisits.js';
import { PHONE, useMediaQuery } from './hooks/useMediaQuery.js';
import { ActionBar } from './issue/ActionBar.js';
import { useScreenshots } from './hooks/useScreenshots.js';
import { ConfirmIssue } from './issue/ConfirmIssue.js';
import { EarlierRequests } from './issue/EarlierRequests.js';
import { EligibilityBox } from './issue/EligibilityBox.js';
import { EvidenceFields } from './issue/EvidenceFields.js';
import {
  FIELD_LABELS,
  FieldNotesContext,
  fieldNotes,
  fieldsWithErrors,
  ruleViewOf,
  userWords,
} from './issue/field-notes.js';
import {
  bodyOf,
  EMPTY_FIELDS,
  filledFromLicense,
  focusField,
  isReady,
  prefilled,
  type Fields,
} from './issue/fields.js';
import { IssueResult } from './issue/IssueResult.js';
import { OverrideFields } from './issue/OverrideFields.js';
import { readForm } from './issue/readings.js';
import { filledFromScreenshots } from './issue/screenshot-fields.js';
import { ScreenshotDrop } from './issue/ScreenshotDrop.js';
import { TextField } from './issue/TextField.js';
import { useRules } from './rules.js';

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
  /** After a result, instead of starting over (the sidebar shows the ticket's request). */
  afterIssue?: { label: string; onClick: () => void };
}

type Phase = 'edit' | 'confirm' | 'submitting' | 'done';

export function IssueForm(props: IssueFormProps) {
  const { api } = props;
  const sidebar = props.sidebar === true;
  const [fields, setFields] = useState<Fields>(() => prefilled(props.prefill));
  const [override, setOverride] = useState(false);
  const [reason, setReason] = useState('');
  const [phase, setPhase] = useState<Phase>('edit');
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<number | null>(null);
  /** A refused submit that named a field: said beside it, in the user's words. */
  const [submitFinding, setSubmitFinding] = useState<Finding | null>(null);
  const visits = useFieldVisits();
  const phone = useMediaQuery(PHONE);

  const set = (name: keyof Fields, value: string) => {
    setFields((f) => ({ ...f, [name]: value }));
    if (submitFinding?.field === name) setSubmitFinding(null);
  };
  // Screenshots fill the empty fields; the request names the read (recorded, never decided on).
  const screenshots = useScreenshots(api, (read) => setFields((f) => filledFromScreenshots(f, read)));
  const evidenceId = screenshots.read?.evidenceId ?? null;
  const body: Record<string, unknown> = { ...bodyOf(fields), ...(evidenceId ? { evidenceId } : {}) };
  const ready = isReady(fields);
  const ticket = String(body['ticketId']);

  const rules = useRules(api);
  const eligibility = useEligibility(api, ready && phase !== 'done' ? body : null);
  const decoded = useDecodedLicense(api, fields.previousLicense, {
    onValid: (report) => setFields((f) => filledFromLicense(f, report)),
    onRefused: eligibility.setError,
  });
  const earlier = useEarlierRequests(api, ticket, phase !== 'done');
  const progress = useDeliveryProgress(api, phase === 'done', props.pollMs);

  const { check } = eligibility;
  const canOverride = check !== null && !check.eligible && check.overridable;
  const overriding = canOverride && override;
  const reasonShort = reason.trim().length < OVERRIDE_REASON_MIN_LENGTH;
  const waitsForApproval = overriding && props.actor?.role === 'engineer';
  const today = check ? todayFromFacts(check) : null;
  const noteInput = { fields, readings: readForm(fields), check, submitFinding };
  const notes = fieldNotes({
    ...noteInput,
    shown: (f) => visits.shown(f, fields[f]),
    submitted: visits.submitted,
  });
  const view = ruleViewOf({ fields, check, notes, reached: visits.reached, submitted: visits.submitted });

  function review(event: Event): void {
    event.preventDefault();
    setSubmitError(null);
    visits.setSubmitted(true);
    // Every field's error on show now, the first one focused.
    const bad = fieldsWithErrors(fieldNotes({ ...noteInput, shown: () => true, submitted: true }));
    if (!ready || bad.length > 0) {
      setSubmitError(
        `Fix the ${bad.length === 1 ? 'field' : 'fields'} marked: ${bad.map((f) => FIELD_LABELS[f]).join(', ')}.`,
      );
      focusField(bad[0]);
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
      setSubmitError(`Write the override reason: at least ${OVERRIDE_REASON_MIN_LENGTH} characters.`);
      focusField('overrideReason');
      return;
    }
    setPhase('confirm');
  }

  function finish(record: RecordJson, status: number): void {
    progress.setRecord(record);
    setOutcome(status);
    setPhase('done');
  }

  async function submit(): Promise<void> {
    setPhase('submitting');
    setSubmitError(null);
    try {
      const res = await api.post<Record<string, unknown>>('/api/v1/emergency-licenses', {
        ...body,
        ...(overriding ? { overrideReason: reason.trim() } : {}),
      });
      if (res.status === 200 || res.status === 201 || res.status === 202)
        return finish(res.body as unknown as RecordJson, res.status);
      const error = errorOf(res.body);
      if (res.status === 422 && Array.isArray(res.body['refusals']))
        eligibility.setCheck(res.body as unknown as CheckResult);
      if (res.status === 500 && res.body['record']) return finish(res.body['record'] as RecordJson, 500);
      const field = error?.field && error.field in FIELD_LABELS ? error.field : undefined;
      if (error && field) setSubmitFinding({ code: error.code, message: error.message, field });
      setSubmitError(
        error && field ? `${userWords(error.message, field)} (${error.code})` : describeFailure(res),
      );
      setPhase('edit');
      focusField(field);
    } catch {
      setSubmitError('Lifeline could not be reached. Nothing was issued; try again.');
      setPhase('edit');
    }
  }

  function startOver(): void {
    // In the sidebar the ticket and its requester stay: they are Zendesk's.
    setFields((f) => ({
      ...EMPTY_FIELDS,
      ...(sidebar ? { ticketId: f.ticketId, ticketUrl: f.ticketUrl, requesterEmail: f.requesterEmail } : {}),
    }));
    progress.setRecord(null);
    screenshots.clear();
    setOutcome(null);
    eligibility.setCheck(null);
    setOverride(false);
    setReason('');
    setSubmitFinding(null);
    visits.reset();
    setPhase('edit');
  }

  if (phase === 'done' && progress.record) {
    return (
      <IssueResult
        record={progress.record}
        outcome={outcome}
        pollError={progress.error}
        {...(props.requestHref ? { requestHref: props.requestHref } : {})}
        sidebar={sidebar}
        next={
          props.afterIssue ?? { label: sidebar ? 'Back to the form' : 'Issue another', onClick: startOver }
        }
      />
    );
  }

  const editing = phase === 'edit';
  const field = (name: keyof Fields, label: string, extra: Record<string, unknown>) => (
    <TextField name={name} label={label} fields={fields} onChange={set} extra={extra} />
  );

  return (
    <div class={`issue${sidebar ? ' narrow' : ''}`}>
      <FieldNotesContext.Provider value={notes}>
        <form
          class="issue-form"
          onSubmit={review}
          noValidate
          aria-describedby="issue-form-help"
          {...visits.handlers}
        >
          <p id="issue-form-help" class="muted small">
            Eligibility updates as you type. Nothing is issued until you confirm.
          </p>
          <fieldset disabled={!editing}>
            <legend>Ticket and customer</legend>
            <div class="grid">
              {field('ticketId', 'Ticket', {
                // In Zendesk the ticket is the one the sidebar is on (the API refuses another).
                readOnly: sidebar && (props.prefill?.ticketId ?? '') !== '',
                autoComplete: 'off',
              })}
              {sidebar
                ? null
                : field('ticketUrl', 'Ticket URL (optional)', { type: 'url', autoComplete: 'off' })}
              {field('requesterEmail', 'Requester email', {
                // Text, not type=email: the browser would rewrite or refuse what the form reads forgivingly.
                inputMode: 'email',
                autoComplete: 'off',
                spellcheck: false,
              })}
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
          <ScreenshotDrop screenshots={screenshots} ticketId={sidebar ? ticket : null} disabled={!editing} />
          <div data-field-area="evidence">
            <EvidenceFields
              fields={fields}
              onChange={set}
              decoded={decoded}
              disabled={!editing}
              sidebar={sidebar}
              screenshots={screenshots.read}
              api={api}
            />
          </div>
          <fieldset disabled={!editing}>
            <legend>Emergency license</legend>
            <div class="grid">
              {field('seats', 'Seats', { inputMode: 'numeric', 'aria-describedby': 'issue-seats-hint' })}
            </div>
            <p id="issue-seats-hint" class="muted small">
              The license lasts {EMERGENCY_TERM_DAYS} days; its licensee details are fixed.
            </p>
          </fieldset>

          <EarlierRequests
            ticket={ticket}
            earlier={earlier}
            {...(props.requestHref ? { requestHref: props.requestHref } : {})}
            sidebar={sidebar}
          />

          <EligibilityBox
            eligibility={eligibility}
            rules={rules}
            ready={ready}
            seats={typeof body['seats'] === 'number' ? body['seats'] : null}
            onUseSeats={(n) => set('seats', String(n))}
            view={view}
            compact={sidebar || phone}
          />

          {canOverride ? (
            <OverrideFields
              override={override}
              onOverride={setOverride}
              reason={reason}
              onReason={setReason}
              role={props.actor?.role ?? null}
              disabled={!editing}
            />
          ) : null}

          {editing ? (
            <ActionBar eligibility={eligibility} ready={ready} view={view} error={submitError}>
              <button type="submit" class="primary">
                {waitsForApproval ? 'Review override request…' : 'Review and issue…'}
              </button>
            </ActionBar>
          ) : submitError ? (
            <Alert kind="error">{submitError}</Alert>
          ) : null}
        </form>
      </FieldNotesContext.Provider>

      {phase === 'confirm' || phase === 'submitting' ? (
        <ConfirmIssue
          seats={String(body['seats'])}
          email={String(body['requesterEmail'])}
          ticket={ticket}
          expiry={today ? addDays(today, EMERGENCY_TERM_DAYS) : null}
          overriding={overriding}
          waitsForApproval={waitsForApproval}
          submitting={phase === 'submitting'}
          onConfirm={() => void submit()}
          onBack={() => setPhase('edit')}
        />
      ) : null}
    </div>
  );
}
