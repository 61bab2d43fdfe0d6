/** What the admin lists share: their notices, and a table that says when it is loading or empty. */
import type { ComponentChildren } from 'preact';
import { Alert } from '../../../shared/components.js';

/** A failed action, a finished one, and a list that could not be loaded. */
export function Notices(props: { problem: string | null; done: string | null; error: string | null }) {
  return (
    <>
      {props.problem ? <Alert kind="error">{props.problem}</Alert> : null}
      {props.done ? <Alert kind="success">{props.done}</Alert> : null}
      {props.error ? <Alert kind="error">{props.error}</Alert> : null}
    </>
  );
}

/** The rows (`children`) under `columns` and a last, unlabelled column of actions. */
export function ListTable(props: {
  caption: string;
  columns: string[];
  count: number | null;
  failed: boolean;
  empty: string;
  children: ComponentChildren;
}) {
  if (props.count === null) return props.failed ? null : <p class="muted">Loading…</p>;
  if (props.count === 0) return <p>{props.empty}</p>;
  return (
    <table class="list">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
