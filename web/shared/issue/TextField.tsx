/**
 * One labelled text input of the issue form, bound to its field, with its note (field-notes.ts)
 * beside it: the error marks the input invalid and describes it; what was understood is said too.
 * `children` follow the input (a screenshot read's mark).
 */
import type { ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { FieldNotesContext } from './field-notes.js';
import { FIELD_IDS, type Fields } from './fields.js';

export function TextField(props: {
  name: keyof Fields;
  label: string;
  fields: Fields;
  onChange: (name: keyof Fields, value: string) => void;
  /** Further attributes of the input (type, inputMode, readOnly…). */
  extra?: Record<string, unknown>;
  /** A class for the field (e.g. highlighted for checking). */
  class?: string;
  children?: ComponentChildren;
}) {
  const { name } = props;
  const id = FIELD_IDS[name] as string;
  const note = useContext(FieldNotesContext)[name];
  const describedBy = [
    props.extra?.['aria-describedby'],
    note?.error ? `${id}-error` : null,
    note?.understood ? `${id}-understood` : null,
    note?.warning ? `${id}-warning` : null,
  ]
    .filter(Boolean)
    .join(' ');
  const classes = ['field', note?.error ? 'field-invalid' : null, props.class ?? null].filter(Boolean);
  return (
    <div class={classes.join(' ')}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={name}
        value={props.fields[name]}
        onInput={(e) => props.onChange(name, e.currentTarget.value)}
        {...props.extra}
        aria-invalid={note?.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.children}
      {note?.error ? (
        <p id={`${id}-error`} class="field-error small">
          {note.error}
        </p>
      ) : null}
      {note?.understood ? (
        <p id={`${id}-understood`} class="understood small">
          Understood: {note.understood}
        </p>
      ) : null}
      {note?.warning ? (
        <p id={`${id}-warning`} class="field-warning small">
          {note.warning}
        </p>
      ) : null}
    </div>
  );
}
