/**
 * Beside a field read from a screenshot: "read from screenshot N", highlighted for checking when the
 * read was unsure, flagged when the field or the license file says otherwise, and a button that
 * shows the part of the screenshot it was read from (a PNG crop made by the API).
 */
import { useState } from 'preact/hooks';
import { FIELD_LABELS } from '../../../src/core/evidence/fields.js';
import type { ApiClient } from '../api.js';
import type { ReadMarkState } from './screenshot-fields.js';

/** The id of a field's mark (its input is described by it). */
export const readMarkId = (field: string): string => `read-mark-${field}`;

export function ReadMark(props: { mark: ReadMarkState; evidenceId: string; api: ApiClient }) {
  const { mark } = props;
  const [crop, setCrop] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const shot = mark.read.image + 1;
  const id = readMarkId(mark.field);

  async function toggle(): Promise<void> {
    setOpen(!open);
    if (open || crop) return;
    try {
      const res = await props.api.get<{ png: string }>(
        `/api/v1/evidence/${encodeURIComponent(props.evidenceId)}/crop?field=${mark.field}`,
      );
      if (res.status === 200) setCrop(`data:image/png;base64,${res.body.png}`);
      else setFailed('The crop could not be made.');
    } catch {
      setFailed('Lifeline could not be reached.');
    }
  }

  const flagged = !mark.matches || mark.licenseSays !== null;
  return (
    <div
      id={id}
      class={`read-mark${mark.check ? ' read-mark-check' : ''}${flagged ? ' read-mark-differs' : ''}`}
      data-field={mark.field}
    >
      <span class="read-mark-source">
        {mark.matches
          ? `Read from screenshot ${shot}.`
          : `Differs from screenshot ${shot}, which reads “${mark.read.value}”.`}
      </span>
      {mark.check ? (
        <strong class="read-mark-warning">
          {' '}
          Check it: read with low confidence ({Math.round(mark.read.confidence * 100)}%).
        </strong>
      ) : null}
      {mark.licenseSays !== null ? (
        <strong class="read-mark-warning"> The license file says “{mark.licenseSays}”.</strong>
      ) : null}{' '}
      <button
        type="button"
        class="link-button"
        aria-expanded={open}
        aria-controls={`${id}-crop`}
        onClick={() => void toggle()}
      >
        {open ? 'Hide' : 'Show'} where it was read
      </button>
      <div id={`${id}-crop`} hidden={!open}>
        {crop ? (
          <img
            class="read-crop"
            src={crop}
            alt={`The part of screenshot ${shot} where “${FIELD_LABELS[mark.field]}” was read`}
          />
        ) : (
          <p class="muted small">{failed ?? 'Loading…'}</p>
        )}
      </div>
    </div>
  );
}
