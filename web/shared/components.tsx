/** Small building blocks shared by the console and the sidebar. No inline styles (the CSP forbids them). */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Delivery, LicenseInfo, LicenseReport } from './api.js';
import { DELIVERY_LABELS, formatInstant, IN_FLIGHT, plural, STATUS_LABELS, webHref } from './format.js';
import { useDropTarget } from './hooks/useDropTarget.js';

let nextId = 0;
/** A stable id for label/field pairs. */
export function useId(prefix: string): string {
  const ref = useRef<string | null>(null);
  if (ref.current === null) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
}

export function Alert(props: {
  kind: 'error' | 'info' | 'success' | 'warning';
  children: ComponentChildren;
}) {
  return (
    <div class={`alert alert-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge-${props.status}`}>{STATUS_LABELS[props.status] ?? props.status}</span>;
}

/** Each delivery with its state, attempts and last error (and `times`: when); announced politely as it changes. */
export function DeliveryList(props: { deliveries: Delivery[]; live?: boolean; times?: boolean }) {
  if (props.deliveries.length === 0) return <p>No deliveries.</p>;
  return (
    <ul class="deliveries" aria-live={props.live ? 'polite' : undefined}>
      {props.deliveries.map((d) => (
        <li
          key={d.id}
          class={`delivery delivery-${d.status}`}
          data-channel={d.channel}
          data-status={d.status}
        >
          <span class="delivery-icon" aria-hidden="true">
            {d.status === 'sent' ? '✓' : d.status === 'failed' ? '✗' : d.status === 'unknown' ? '?' : '…'}
          </span>
          <span class="delivery-main">
            <strong>{d.channelLabel ?? d.channel}</strong>
            {d.purpose !== 'issue' ? <span class="muted"> ({d.purpose})</span> : null}
            {d.recipient ? <span class="muted break"> to {d.recipient}</span> : null}
            <span class="delivery-state">
              {DELIVERY_LABELS[d.status] ?? d.status}
              {d.attempts > 1 ? `, ${d.attempts} attempts` : ''}
              {props.times ? <span class="muted"> · {formatInstant(d.updatedAt)}</span> : null}
            </span>
            {d.reference ? (
              <span class="delivery-reference break">
                {webHref(d.reference.url) ? (
                  <a href={webHref(d.reference.url) ?? undefined} target="_blank" rel="noreferrer">
                    {d.reference.text}
                  </a>
                ) : (
                  d.reference.text
                )}
              </span>
            ) : null}
            {d.lastError ? <span class="delivery-error break">Last error: {d.lastError}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

export const deliveriesInFlight = (deliveries: Delivery[]): boolean =>
  deliveries.some((d) => IN_FLIGHT.has(d.status));

/** A download address for the license file (a blob URL, released with the component). */
function useLicenseFileUrl(text: string): string {
  const url = useMemo(
    () => URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' })),
    [text],
  );
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return url;
}

/** A link that downloads the license file. */
export function LicenseDownload(props: { license: LicenseInfo; children: ComponentChildren }) {
  const url = useLicenseFileUrl(props.license.text);
  return (
    <a class="button" href={url} download={props.license.fileName}>
      {props.children}
    </a>
  );
}

/** The license text, with copy and download. */
export function LicenseActions(props: { license: LicenseInfo }) {
  const id = useId('license-text');
  const [copied, setCopied] = useState<string | null>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(props.license.text);
      setCopied('License copied to the clipboard.');
    } catch {
      textRef.current?.select();
      setCopied('Copy was blocked by the browser: the text is selected, press Ctrl+C.');
    }
  }
  return (
    <div class="license-actions">
      <label for={id}>License file {props.license.fileName}</label>
      <textarea id={id} ref={textRef} readOnly rows={5} class="mono" value={props.license.text} />
      <div class="button-row">
        <button type="button" onClick={() => void copy()}>
          Copy license
        </button>
        <LicenseDownload license={props.license}>Download {props.license.fileName}</LicenseDownload>
      </div>
      {copied ? <p role="status">{copied}</p> : null}
      <p class="muted small break">SHA-256 {props.license.fingerprint}</p>
    </div>
  );
}

/** Reads a dropped or chosen file as text (license files are small base64 text). */
export async function readFileText(file: File): Promise<string> {
  if (file.size > 1_000_000) throw new Error('That file is larger than 1 MB: it is not a license file.');
  return file.text();
}

/** A textarea that also takes a dropped file, with a file picker beside it for keyboard users. */
export function LicenseInput(props: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  hint?: string;
  rows?: number;
}) {
  const id = useId('license-input');
  const fileId = useId('license-file');
  const hintId = useId('license-hint');
  const [error, setError] = useState<string | null>(null);
  async function take(file: File | undefined): Promise<void> {
    if (!file) return;
    try {
      setError(null);
      props.onChange(await readFileText(file));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  const drop = useDropTarget((files) => void take(files[0]));
  return (
    <div class={`dropzone${drop.dragging ? ' dropzone-active' : ''}`} {...drop.handlers}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        class="mono"
        rows={props.rows ?? 4}
        value={props.value}
        aria-describedby={hintId}
        spellcheck={false}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
      <p id={hintId} class="muted small">
        {props.hint ?? 'Paste the license text, drop the .gitlab-license file here, or choose it:'}
      </p>
      <label for={fileId} class="visually-hidden">
        Choose a license file
      </label>
      <input
        id={fileId}
        type="file"
        accept=".gitlab-license,.txt,text/plain"
        onChange={(e) => void take(e.currentTarget.files?.[0])}
      />
      {error ? <p class="field-error">{error}</p> : null}
    </div>
  );
}

/** A decoded license report as a definition list. */
export function LicenseReportView(props: { report: LicenseReport; requestHref?: (id: string) => string }) {
  const r = props.report;
  if (!r.valid)
    return (
      <Alert kind="error">
        <strong>Not a valid license ({r.code}).</strong> {r.message}
      </Alert>
    );
  const status = r.expired
    ? r.daysSinceGraceEnd !== null && r.daysSinceGraceEnd >= 0
      ? `expired; grace period ended ${r.graceEndsOn} (${r.daysSinceGraceEnd === 0 ? 'today' : `${plural(r.daysSinceGraceEnd, 'day')} ago`}): read-only`
      : `expired; in the grace period until ${r.graceEndsOn ?? '—'}`
    : 'not expired';
  const rows: [string, ComponentChildren][] = [
    ['Plan', r.plan ?? '—'],
    ['Trial', r.trial ? 'yes' : 'no'],
    ['Seats (active users)', r.activeUserCount ?? '—'],
    ['Licensee', r.licensee ? `${r.licensee.name} · ${r.licensee.company} · ${r.licensee.email}` : '—'],
    ['Issued', r.issuedAt ?? '—'],
    ['Expires', r.expiresAt ?? '—'],
    [`Status on ${r.today}`, status],
    ['Grace period ends', r.graceEndsOn ?? '—'],
    ['Block changes at', r.blockChangesAt ?? '—'],
    ['Notify admins at', r.notifyAdminsAt ?? '—'],
    ['Notify users at', r.notifyUsersAt ?? '—'],
    [
      'Issued by Lifeline',
      r.issuedBy ? (
        props.requestHref ? (
          <a href={props.requestHref(r.issuedBy.requestId)}>yes, request {r.issuedBy.requestId}</a>
        ) : (
          `yes, request ${r.issuedBy.requestId}`
        )
      ) : (
        'no'
      ),
    ],
    ['Verified with key', r.verifiedBy ? `#${r.verifiedBy.index + 1}` : '—'],
    ['SHA-256', <span class="mono break">{r.fingerprint ?? '—'}</span>],
  ];
  return <ReportRows rows={rows} />;
}

/** Label and value pairs as a definition list (a decoded license, a request, its evidence). */
export function ReportRows(props: { rows: readonly [string, ComponentChildren][] }) {
  return (
    <dl class="report">
      {props.rows.map(([k, v]) => (
        <div class="report-row" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export { formatInstant };
