/**
 * What a request was decided on: the refusals and the override (who asked, when, from where, why)
 * beside the evidence (plan, previous expiry and seats, user counts, license file or typed values,
 * the screenshots on the ticket). The approver decides with it; every request shows it.
 */
import type { ComponentChildren } from 'preact';
import type { DecidedOn, RecordJson } from '../../../shared/api.js';
import { ReportRows } from '../../../shared/components.js';
import { formatInstant } from '../../../shared/format.js';
import { refusalsByCode } from '../../../shared/rules.js';

/** The two screenshots of step 1 (the core's SCREENSHOTS). */
const SCREENSHOTS_NEEDED = 2;

const INTERFACES: Record<string, string> = {
  sidebar: 'the Zendesk sidebar',
  console: 'the web console',
  api: 'the API (with a token)',
  cli: 'the command line',
};

/** "the Zendesk sidebar (Sam Agent)", "the web console"… or why it is not known. */
export function madeFromWords(r: RecordJson): string {
  const agent = r.origin?.via === 'zendesk' ? (r.origin.agentName ?? r.origin.agentEmail) : null;
  const where = r.madeFrom
    ? INTERFACES[r.madeFrom]
    : r.origin?.via === 'zendesk'
      ? INTERFACES['sidebar']
      : null;
  if (!where) return 'not recorded (made before Lifeline recorded it)';
  return agent ? `${where} (${agent})` : where;
}

const SOURCES: Record<DecidedOn['source'], string> = {
  license: "the customer's license file (decoded and verified)",
  typed: 'values typed from the screenshots',
  none: 'none',
};

function screenshotsWords(count: number | null): string {
  if (count === null) return 'not counted (no ticket system connected, or it did not answer)';
  const missing = Math.max(0, SCREENSHOTS_NEEDED - count);
  return `${count} image${count === 1 ? '' : 's'} on the ticket${missing ? ` (${missing} of ${SCREENSHOTS_NEEDED} screenshots missing)` : ''}`;
}

const shown = (v: string | number | null | undefined): ComponentChildren =>
  v === null || v === undefined || v === '' ? <span class="muted">not given</span> : v;

export function EvidenceList(props: { evidence: DecidedOn }) {
  const e = props.evidence;
  const previous = e.previousLicense;
  const rows: [string, ComponentChildren][] = [
    ['Evidence from', SOURCES[e.source]],
    ['Plan', shown(e.plan)],
    ['Previous expiry', shown(e.expiresAt)],
    ['Previous seats', shown(e.previousSeats)],
    ['Maximum users', shown(e.maximumUsers)],
    ['Billable users', shown(e.billableUsers)],
    ['Screenshots', screenshotsWords(e.ticketImages)],
    ...(previous
      ? ([
          ['Licensee', shown([previous.licenseeCompany, previous.licenseeEmail].filter(Boolean).join(', '))],
          ['Previous license', <span class="mono break">sha256:{previous.fingerprint}</span>],
        ] as [string, ComponentChildren][])
      : []),
  ];
  return <ReportRows rows={rows} />;
}

/** The refusals and the override beside the evidence; for a pending approval, at the top of the page. */
export function DecisionEvidence(props: { record: RecordJson }) {
  const r = props.record;
  const refusals = r.eligibility ? [...refusalsByCode(r.eligibility)] : [];
  const warnings = r.eligibility?.warnings ?? [];
  return (
    <section aria-labelledby="detail-decision" class="decision">
      <h2 id="detail-decision">
        {r.status === 'pending_approval'
          ? 'The decision: the refusal and the evidence'
          : 'Eligibility and evidence'}
      </h2>
      <div class="decision-grid">
        <section aria-labelledby="detail-refusal">
          <h3 id="detail-refusal">{refusals.length ? 'Refused by the rules' : 'The rules'}</h3>
          {refusals.length ? (
            <ul class="refusal-list">
              {refusals.map(([code, list]) => (
                <li key={code}>
                  <code class="code">{code}</code> {list.map((f) => f.message).join(' ')}
                </li>
              ))}
            </ul>
          ) : (
            <p>Every rule passed.</p>
          )}
          {warnings.length ? (
            <ul class="refusal-list" aria-label="Warnings">
              {warnings.map((w) => (
                <li key={w.code}>
                  <code class="code">{w.code}</code> {w.message}
                </li>
              ))}
            </ul>
          ) : null}
          {r.override ? (
            <>
              <h3>The override</h3>
              <p class="asked">
                Asked by <strong>{r.override.by}</strong> ({r.override.role}) on {formatInstant(r.createdAt)}{' '}
                from {madeFromWords(r)}:
              </p>
              <blockquote class="break">{r.override.reason}</blockquote>
            </>
          ) : null}
        </section>
        <section aria-labelledby="detail-evidence">
          <h3 id="detail-evidence">Evidence</h3>
          {r.evidence ? <EvidenceList evidence={r.evidence} /> : <p class="muted">Not recorded.</p>}
        </section>
      </div>
    </section>
  );
}
