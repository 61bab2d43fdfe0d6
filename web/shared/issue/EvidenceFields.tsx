/**
 * The "Previous license" fieldset: the customer's license (decoded by the API) or the screenshots'
 * figures, each field read from a screenshot marked (and flagged where it disagrees).
 */
import type { ApiClient, EvidenceJson, LicenseReport } from '../api.js';
import { LicenseInput } from '../components.js';
import { FIELD_IDS, type Fields } from './fields.js';
import { ReadMark, readMarkId } from './ReadMark.js';
import { readMark, type ReadFieldName } from './screenshot-fields.js';
import { TextField } from './TextField.js';

const PLANS = ['starter', 'premium', 'ultimate'];

export function EvidenceFields(props: {
  fields: Fields;
  onChange: (name: keyof Fields, value: string) => void;
  decoded: LicenseReport | null;
  disabled: boolean;
  sidebar: boolean;
  /** The screenshots read, when there are. */
  screenshots: EvidenceJson | null;
  api: ApiClient;
}) {
  const { fields, decoded, onChange, screenshots } = props;
  const marked = (name: ReadFieldName) => {
    const mark = readMark(name, fields, screenshots, decoded);
    const evidenceId = screenshots?.evidenceId;
    if (!mark || !evidenceId) return { class: undefined, node: null, describedBy: {} };
    const flagged = !mark.matches || mark.licenseSays !== null;
    return {
      class: [mark.check ? 'field-check' : '', flagged ? 'field-differs' : ''].join(' ').trim() || undefined,
      node: <ReadMark mark={mark} evidenceId={evidenceId} api={props.api} />,
      describedBy: { 'aria-describedby': readMarkId(name) },
    };
  };
  const field = (
    name: ReadFieldName,
    label: string,
    extra: Record<string, unknown> = { inputMode: 'numeric' },
  ) => {
    const m = marked(name);
    return (
      <TextField
        name={name}
        label={label}
        fields={fields}
        onChange={onChange}
        extra={{ ...extra, ...m.describedBy }}
        {...(m.class ? { class: m.class } : {})}
      >
        {m.node}
      </TextField>
    );
  };
  const plan = marked('plan');
  return (
    <fieldset disabled={props.disabled}>
      <legend>Previous license</legend>
      <LicenseInput
        label="Customer's expired license (optional, the strongest evidence)"
        value={fields.previousLicense}
        onChange={(text) => onChange('previousLicense', text)}
        rows={props.sidebar ? 3 : 4}
      />
      {decoded ? (
        decoded.valid ? (
          <p class="decoded" role="status">
            Decoded: {decoded.plan} plan{decoded.trial ? ' (trial)' : ''}, {decoded.activeUserCount} seats,
            expired {decoded.expiresAt}
            {decoded.licensee ? `, ${decoded.licensee.company}` : ''}. The fields below are filled from it.
          </p>
        ) : (
          <p class="field-error" role="status">
            This license cannot be read ({decoded.code}): {decoded.message}
          </p>
        )
      ) : null}
      <p class="muted small">Or enter (or check) what the customer's screenshots show:</p>
      <div class="grid">
        <div class={`field${plan.class ? ` ${plan.class}` : ''}`}>
          <label for={FIELD_IDS['plan']}>Plan</label>
          <select
            id={FIELD_IDS['plan']}
            name="plan"
            value={fields.plan}
            onChange={(e) => onChange('plan', e.currentTarget.value)}
            {...plan.describedBy}
          >
            <option value="">—</option>
            <option value="starter">Starter</option>
            <option value="premium">Premium</option>
            <option value="ultimate">Ultimate</option>
            {fields.plan && !PLANS.includes(fields.plan) ? (
              <option value={fields.plan}>{fields.plan}</option>
            ) : null}
          </select>
          {plan.node}
        </div>
        {field('expiresAt', 'Expired on', { type: 'date' })}
        {field('previousSeats', 'Seats of the previous license')}
        {field('maximumUsers', 'Maximum users')}
        {field('billableUsers', 'Billable users')}
      </div>
    </fieldset>
  );
}
