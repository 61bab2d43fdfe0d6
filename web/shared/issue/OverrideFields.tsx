/** Overriding a refusal: the checkbox and the written reason, with what happens for the actor's role. */
import { OVERRIDE_REASON_MIN_LENGTH } from '../../../src/core/limits.js';
import type { Role } from '../api.js';
import { FIELD_IDS } from './fields.js';

export function OverrideFields(props: {
  override: boolean;
  onOverride: (on: boolean) => void;
  reason: string;
  onReason: (reason: string) => void;
  role: Role | null;
  disabled: boolean;
}) {
  const { reason } = props;
  return (
    <fieldset class="override" disabled={props.disabled}>
      <legend>Override</legend>
      <div class="check">
        <input
          id="issue-override"
          type="checkbox"
          checked={props.override}
          onChange={(e) => props.onOverride(e.currentTarget.checked)}
        />
        <label for="issue-override">Override the refusal with a written reason</label>
      </div>
      {props.override ? (
        <div class="field">
          <label for={FIELD_IDS['overrideReason']}>
            Reason (at least {OVERRIDE_REASON_MIN_LENGTH} characters)
          </label>
          <textarea
            id={FIELD_IDS['overrideReason']}
            rows={3}
            value={reason}
            aria-describedby="issue-override-hint"
            onInput={(e) => props.onReason(e.currentTarget.value)}
          />
          <p id="issue-override-hint" class="muted small">
            {reason.trim().length}/{OVERRIDE_REASON_MIN_LENGTH} characters.{' '}
            {props.role === 'engineer'
              ? 'As an engineer, your override creates a request pending approval by licensing.'
              : 'Your override takes effect at once and is recorded.'}
          </p>
        </div>
      ) : null}
    </fieldset>
  );
}
