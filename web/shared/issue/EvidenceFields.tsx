/** The "Previous license" fieldset: the customer's license (decoded by the API) or the screenshots' figures. */
import type { LicenseReport } from '../api.js';
import { LicenseInput } from '../components.js';
import { FIELD_IDS, type Fields } from './fields.js';
import { TextField } from './TextField.js';

const PLANS = ['starter', 'premium', 'ultimate'];

export function EvidenceFields(props: {
  fields: Fields;
  onChange: (name: keyof Fields, value: string) => void;
  decoded: LicenseReport | null;
  disabled: boolean;
  sidebar: boolean;
}) {
  const { fields, decoded, onChange } = props;
  const field = (name: keyof Fields, label: string) => (
    <TextField
      name={name}
      label={label}
      fields={fields}
      onChange={onChange}
      extra={{ inputMode: 'numeric' }}
    />
  );
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
      <p class="muted small">Or enter what the customer's screenshots show:</p>
      <div class="grid">
        <div class="field">
          <label for={FIELD_IDS['plan']}>Plan</label>
          <select
            id={FIELD_IDS['plan']}
            name="plan"
            value={fields.plan}
            onChange={(e) => onChange('plan', e.currentTarget.value)}
          >
            <option value="">—</option>
            <option value="starter">Starter</option>
            <option value="premium">Premium</option>
            <option value="ultimate">Ultimate</option>
            {fields.plan && !PLANS.includes(fields.plan) ? (
              <option value={fields.plan}>{fields.plan}</option>
            ) : null}
          </select>
        </div>
        <TextField
          name="expiresAt"
          label="Expired on"
          fields={fields}
          onChange={onChange}
          extra={{ type: 'date' }}
        />
        {field('previousSeats', 'Seats of the previous license')}
        {field('maximumUsers', 'Maximum users')}
        {field('billableUsers', 'Billable users')}
      </div>
    </fieldset>
  );
}
