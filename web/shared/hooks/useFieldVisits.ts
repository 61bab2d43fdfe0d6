/**
 * Where the engineer has been in a form: the fields reached (focused once), the one being edited,
 * the ones left, and whether they asked to review. The form says nothing about a field it has not
 * reached (no red PROSPECT before the evidence fields) and no error while a field is being typed in.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';

export interface FieldVisits {
  reached: ReadonlySet<string>;
  focused: string | null;
  submitted: boolean;
  setSubmitted: (submitted: boolean) => void;
  /** A new form: nowhere reached yet. */
  reset: () => void;
  /** An error about this field may be shown: asked to review, or left, or filled and not being edited. */
  shown: (field: string, value: string) => boolean;
  /** For the form element: focus events bubble up from every field. */
  handlers: {
    onFocusIn: (event: JSX.TargetedFocusEvent<HTMLFormElement>) => void;
    onFocusOut: (event: JSX.TargetedFocusEvent<HTMLFormElement>) => void;
  };
}

/** The field an element edits: its `name`, or `area` for an element inside `[data-field-area]`. */
function fieldOf(target: EventTarget | null): string | null {
  if (!(target instanceof HTMLElement)) return null;
  const name = target.getAttribute('name');
  if (name) return name;
  return target.closest<HTMLElement>('[data-field-area]')?.dataset['fieldArea'] ?? null;
}

export function useFieldVisits(): FieldVisits {
  const [reached, setReached] = useState<ReadonlySet<string>>(() => new Set());
  const [left, setLeft] = useState<ReadonlySet<string>>(() => new Set());
  const [focused, setFocused] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const add = (set: ReadonlySet<string>, field: string): ReadonlySet<string> =>
    set.has(field) ? set : new Set([...set, field]);
  return {
    reached,
    focused,
    submitted,
    setSubmitted,
    reset: () => {
      setReached(new Set());
      setLeft(new Set());
      setSubmitted(false);
    },
    shown: (field, value) => submitted || (focused !== field && (left.has(field) || value.trim() !== '')),
    handlers: {
      onFocusIn: (event) => {
        const field = fieldOf(event.target);
        setFocused(field);
        if (field) setReached((r) => add(r, field));
      },
      onFocusOut: (event) => {
        const field = fieldOf(event.target);
        setFocused(null);
        if (field) setLeft((l) => add(l, field));
      },
    },
  };
}
