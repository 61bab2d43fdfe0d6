/** The live verdict under the fields: what to fill in, the API's error, or every rule with its sentence. */
import type { EligibilityRules } from '../api.js';
import { Alert } from '../components.js';
import { EligibilityPanel } from '../EligibilityPanel.js';
import type { Eligibility } from '../hooks/useEligibility.js';
import { shownRefusals, type RuleView } from '../rules.js';

export function EligibilityBox(props: {
  eligibility: Eligibility;
  rules: EligibilityRules | null;
  ready: boolean;
  seats: number | null;
  onUseSeats: (seats: number) => void;
  /** Refusals held back, sentences of the form's own (rules.ts). */
  view: RuleView;
  /** Fold the rule list when every rule passes (a phone, the sidebar). */
  compact: boolean;
}) {
  const { check, checking, error } = props.eligibility;
  const refusals = check ? shownRefusals(check, props.view) : [];
  return (
    <section class="eligibility-box" aria-labelledby="issue-eligibility-title" aria-busy={checking}>
      <h2 id="issue-eligibility-title">
        Eligibility {checking ? <span class="muted small">(checking…)</span> : null}
      </h2>
      {/* Screen readers hear the verdict only, not the whole list, as it changes. */}
      <p class="visually-hidden" role="status">
        {checking
          ? ''
          : check
            ? check.eligible
              ? 'Eligibility: eligible.'
              : refusals.length > 0
                ? `Eligibility: refused by ${refusals.map((r) => r.code).join(', ')}.`
                : ''
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
            view={props.view}
            compact={props.compact}
          />
        ) : (
          <p class="muted">Checking…</p>
        )}
      </div>
    </section>
  );
}
