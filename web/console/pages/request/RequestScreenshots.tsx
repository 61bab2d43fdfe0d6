/**
 * What a request recorded of the customer's screenshots: the values read (with how sure), the
 * fields the engineer changed from them, which screenshot was missing, and links to the images.
 */
import { COMPARED_FIELDS, FIELD_LABELS } from '../../../../src/core/evidence/fields.js';
import type { ScreenshotsJson } from '../../../shared/api.js';
import { formatInstant } from '../../../shared/format.js';

const LABELS: Record<string, string> = FIELD_LABELS;
/** The fields an issue call sends (the others are only read). */
const SENT = new Set<string>(COMPARED_FIELDS);

export function RequestScreenshots(props: { screenshots: ScreenshotsJson }) {
  const s = props.screenshots;
  const changed = new Map(s.changed.map((c) => [c.field, c]));
  const images = [...new Set(Object.values(s.read).map((r) => r.image))].sort();
  const image = (n: number) => `/api/v1/evidence/${encodeURIComponent(s.evidenceId)}/images/${n}`;
  return (
    <section aria-labelledby="detail-screenshots">
      <h2 id="detail-screenshots">Customer's screenshots</h2>
      <p class="muted small">
        Read {formatInstant(s.readAt)} ({s.evidenceId}).{' '}
        {s.missing.length === 0 ? 'Both screenshots were there.' : `Missing: ${s.missing.join(' and ')}.`}
      </p>
      <table class="screenshots-read">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Read</th>
            <th scope="col">Sent by the engineer</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(s.read).map(([field, r]) => {
            const c = changed.get(field);
            return (
              <tr key={field} data-field={field} class={c ? 'changed' : undefined}>
                <th scope="row">{LABELS[field] ?? field}</th>
                <td>
                  {r.value}{' '}
                  <span class="muted small">
                    ({Math.round(r.confidence * 100)}%, screenshot {r.image + 1})
                  </span>
                </td>
                <td>
                  {c ? <strong>changed to {c.sent ?? 'nothing'}</strong> : SENT.has(field) ? 'as read' : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>
        {images.map((n) => (
          <a key={n} href={image(n)} target="_blank" rel="noreferrer" class="screenshot-link">
            Open screenshot {n + 1}
          </a>
        ))}
      </p>
    </section>
  );
}
