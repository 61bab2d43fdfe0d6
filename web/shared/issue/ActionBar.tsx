/**
 * The form's last row: the verdict in a line and the primary action, with the form's error. On a
 * phone it stays at the bottom of the screen (sticky), so the verdict and Review are always in reach.
 */
import type { ComponentChildren } from 'preact';
import { Alert } from '../components.js';
import type { Eligibility } from '../hooks/useEligibility.js';
import { verdictOf, type RuleView } from '../rules.js';

function verdictLine(eligibility: Eligibility, ready: boolean, view: RuleView) {
  if (!ready) return { kind: 'waiting', text: 'Fill in the ticket, the requester email and the seats.' };
  if (eligibility.checking) return { kind: 'waiting', text: 'Checking eligibility…' };
  if (eligibility.error) return { kind: 'refused', text: 'Eligibility is unknown: see below.' };
  if (!eligibility.check) return { kind: 'waiting', text: 'Checking eligibility…' };
  return verdictOf(eligibility.check, view);
}

export function ActionBar(props: {
  eligibility: Eligibility;
  ready: boolean;
  view: RuleView;
  error: string | null;
  children: ComponentChildren;
}) {
  const verdict = verdictLine(props.eligibility, props.ready, props.view);
  return (
    <div class="action-bar" data-verdict={verdict.kind}>
      {props.error ? <Alert kind="error">{props.error}</Alert> : null}
      <div class="action-bar-row">
        <p class={`action-verdict verdict-${verdict.kind === 'eligible' ? 'ok' : verdict.kind}`}>
          {verdict.text}
          {verdict.kind === 'refused' ? (
            <>
              {' '}
              <a href="#issue-eligibility-title">See the rules</a>
            </>
          ) : null}
        </p>
        {props.children}
      </div>
    </div>
  );
}
