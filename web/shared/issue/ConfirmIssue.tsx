/** The last step before issuing: what will be sent to whom, asked once more. Takes the focus when shown. */
import { useLayoutEffect, useRef } from 'preact/hooks';
import { EMERGENCY_TERM_DAYS } from '../../../src/core/limits.js';

export function ConfirmIssue(props: {
  seats: string;
  email: string;
  ticket: string;
  /** The license's last day, when the API's facts tell today. */
  expiry: string | null;
  overriding: boolean;
  waitsForApproval: boolean;
  submitting: boolean;
  onConfirm: () => void;
  onBack: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // At once, before the next key press.
  useLayoutEffect(() => heading.current?.focus(), []);
  const { waitsForApproval, submitting } = props;
  return (
    <section class="confirm" aria-labelledby="issue-confirm-title">
      <h2 id="issue-confirm-title" tabIndex={-1} ref={heading}>
        {waitsForApproval ? 'Confirm the override request' : 'Confirm the emergency license'}
      </h2>
      <p class="confirm-text">
        {waitsForApproval ? 'Ask licensing to approve' : 'Send'} a {EMERGENCY_TERM_DAYS}-day emergency license
        for <strong>{props.seats} seats</strong> to <strong>{props.email}</strong>
        {props.expiry ? (
          <>
            , expiring on <strong>{props.expiry}</strong>
          </>
        ) : null}
        , for ticket {props.ticket}
        {props.overriding ? ', overriding the refusal' : ''}?
      </p>
      <div class="button-row">
        <button type="button" class="primary" disabled={submitting} onClick={props.onConfirm}>
          {submitting
            ? 'Working…'
            : waitsForApproval
              ? 'Send for approval'
              : `Issue and send to ${props.email}`}
        </button>
        <button type="button" disabled={submitting} onClick={props.onBack}>
          Back to the form
        </button>
      </div>
    </section>
  );
}
