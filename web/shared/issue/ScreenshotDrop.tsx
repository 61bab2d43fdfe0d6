/**
 * The customer's screenshots (step 1): in the console, dropped, pasted or chosen, and read by the
 * API; in the sidebar, the ticket's attachments read on request. Says what was read, which of the
 * two screenshots (the dashboard, the subscription page) is missing, and that nothing is issued
 * until the engineer confirms.
 */
import { useEffect } from 'preact/hooks';
import type { EvidenceJson } from '../api.js';
import { Alert, useId } from '../components.js';
import { useDropTarget } from '../hooks/useDropTarget.js';
import type { Screenshots } from '../hooks/useScreenshots.js';

const NAMES = { dashboard: 'the Admin Area dashboard', subscription: 'the Subscription (or License) page' };

function Summary(props: { read: EvidenceJson }) {
  const { read } = props;
  const n = read.images.length;
  return (
    <p class="screenshots-summary">
      {n === 0
        ? 'No screenshot could be read.'
        : `Read ${n} screenshot${n === 1 ? '' : 's'}; the empty fields below are filled from ${n === 1 ? 'it' : 'them'}: check each one.`}{' '}
      <strong class={read.missing.length > 0 ? 'screenshots-missing' : 'screenshots-complete'}>
        {read.missing.length === 0
          ? 'Both screenshots are there.'
          : `Missing: ${read.missing.map((m) => NAMES[m]).join(' and ')}.`}
      </strong>
      {read.skipped && read.skipped.length > 0
        ? ` ${read.skipped.length} attachment${read.skipped.length === 1 ? ' was' : 's were'} not read.`
        : ''}
    </p>
  );
}

export function ScreenshotDrop(props: {
  screenshots: Screenshots;
  /** The sidebar: the ticket's attachments, not files. */
  ticketId: string | null;
  disabled: boolean;
}) {
  const { screenshots: s } = props;
  const fileId = useId('screenshot-files');
  const hintId = useId('screenshot-hint');

  // A screenshot pasted anywhere on the page (Ctrl+V after a screen capture).
  useEffect(() => {
    if (props.ticketId !== null || props.disabled) return;
    const onPaste = (event: ClipboardEvent): void => {
      const files = [...(event.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
      if (files.length === 0) return;
      event.preventDefault();
      s.readFiles(files);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [props.ticketId, props.disabled, s.readFiles]);

  const drop = useDropTarget((files) => {
    if (!props.disabled) s.readFiles(files);
  });

  return (
    <fieldset disabled={props.disabled} class="screenshots" aria-busy={s.reading}>
      <legend>Customer's screenshots</legend>
      {props.ticketId !== null ? (
        <div class="button-row">
          <button type="button" onClick={() => s.readTicket(props.ticketId ?? '')} disabled={s.reading}>
            Fill from the ticket's screenshots
          </button>
        </div>
      ) : (
        <div class={`dropzone${drop.dragging ? ' dropzone-active' : ''}`} {...drop.handlers}>
          <p id={hintId} class="muted small">
            Drop or paste the Dashboard and Subscription screenshots here (PNG, JPEG or WebP), or choose them:
          </p>
          <label for={fileId}>Choose screenshots</label>
          <input
            id={fileId}
            type="file"
            multiple
            accept="image/png,image/jpeg,image/webp"
            aria-describedby={hintId}
            onChange={(e) => s.readFiles([...(e.currentTarget.files ?? [])])}
          />
        </div>
      )}
      <div role="status" aria-live="polite">
        {s.reading ? <p>Reading the screenshots…</p> : s.read ? <Summary read={s.read} /> : null}
      </div>
      {s.error ? <Alert kind="error">{s.error}</Alert> : null}
      <p class="muted small">Values read are only suggestions: nothing is issued until you confirm.</p>
    </fieldset>
  );
}
