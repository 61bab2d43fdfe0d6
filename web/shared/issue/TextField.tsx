/** One labelled text input of the issue form, bound to its field. */
import { FIELD_IDS, type Fields } from './fields.js';

export function TextField(props: {
  name: keyof Fields;
  label: string;
  fields: Fields;
  onChange: (name: keyof Fields, value: string) => void;
  /** Further attributes of the input (type, inputMode, readOnly…). */
  extra?: Record<string, unknown>;
}) {
  const { name } = props;
  return (
    <div class="field">
      <label for={FIELD_IDS[name]}>{props.label}</label>
      <input
        id={FIELD_IDS[name]}
        name={name}
        value={props.fields[name]}
        onInput={(e) => props.onChange(name, e.currentTarget.value)}
        {...props.extra}
      />
    </div>
  );
}
