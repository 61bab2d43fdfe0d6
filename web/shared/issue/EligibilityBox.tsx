/** The live verdict under the fields: what to fill in, the API's error, or every rule with its sentence. */
import type { EligibilityRules } from '../api.js';
import { Alert } from '../components.js';
import { EligibilityPanel } from '../EligibilityPanel.js';
import type { Eligibility } from '../hooks/useEligibility.js';

export function EligibilityBox(props: {
  eligibility: Eligibility;
  rules: EligibilityRules | null;
  ready: boolean;
  seats: number | null;
  onUseSeats: (seats: number) => void;
}) {
  const { check, checking, error } = props.eligibility;
  return (
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
        {!props.ready ? (
          <p class="muted">Fill in the ticket, the requester email and the seats to see eligibility.</p>
        ) : error ? (
          <Alert kind="error">{error}</Alert>
        ) : check ? (
          <EligibilityPanel
            result={check}
            rules={props.rules}
            seats={props.seats}
            onUseSeats={props.onUseSeats}
          />
        ) : (
          <p class="muted">Checking…</p>
        )}
      </div>
    </section>
  );
}
