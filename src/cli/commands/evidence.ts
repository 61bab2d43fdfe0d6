/**
 * `lifeline evidence read IMAGE… [--json]`: reads customers' GitLab screenshots (issue 21) and
 * prints what each says and, together, what the form would be filled with. Exit 0 when at least
 * one field was read, 1 when none (a refused image says why, with its code), 2 for a usage error
 * (no such file). Loaded only when the command runs (tesseract.js and sharp are large).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { EXIT } from '../../core/errors.js';
import {
  FIELD_LABELS,
  HIGH_CONFIDENCE,
  LICENSEE_FIELDS,
  VALUE_FIELDS,
  fieldsRead,
  mergeEvidence,
  missingScreenshots,
  readScreenshots,
  type EvidenceField,
  type EvidencePage,
  type MergedEvidence,
  type ScreenshotEvidence,
  type ScreenshotRead,
} from '../../core/evidence/index.js';
import { createScreenshotReader, IMAGE_LIMITS } from '../../compose/ocr.js';
import { unwrap } from '../../core/outcome.js';
import { actorFrom, withApp } from '../context.js';
import { failure, type CommandOutcome, type OutputOptions } from '../output.js';

export interface EvidenceReadOptions extends OutputOptions {
  /** Seconds of OCR allowed per image. */
  timeout?: string;
  /** Keep the read in the database, for `issue --evidence-id`. */
  keep?: boolean;
  engineer?: string;
}

type ImageReport = { file: string } & (
  | {
      ok: true;
      page: EvidencePage;
      format: string;
      width: number;
      height: number;
      evidence: ScreenshotEvidence;
    }
  | { ok: false; error: { code: string; message: string } }
);

const PAGE_NAMES: Record<EvidencePage, string> = {
  subscription: 'Subscription page',
  license: 'License page (older GitLab)',
  dashboard: 'Admin dashboard',
  unknown: 'not a page the reader knows',
};

/** Reads a file of at most `limit` bytes (plus one, to tell that it is larger). */
function readImageFile(path: string, limit: number): { bytes: Buffer } | { outcome: CommandOutcome } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'error');
    return { outcome: failure('USAGE', `cannot read the image ${path}: ${why}.`) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { outcome: failure('USAGE', `the image ${path} is not a file.`) };
    const size = Math.min(stat.size, limit + 1);
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { bytes: bytes.subarray(0, read) };
  } finally {
    closeSync(fd);
  }
}

/** Text read from an image reaches the terminal quoted (the OCR text) or without control characters. */
const shown = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const plain = (value: unknown): string => String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

function fieldLine(label: string, field: EvidenceField<unknown> | null, image?: number): string {
  const name = label.padEnd(24);
  if (!field) return `  ${name}-`;
  const sure = field.confidence >= HIGH_CONFIDENCE ? '' : '   CHECK: low confidence';
  const from = image === undefined ? '' : `, image ${image + 1}`;
  return `  ${name}${plain(field.value)}   (${field.confidence.toFixed(2)}${from}; read ${shown(field.text)})${sure}`;
}

function fieldLines(e: ScreenshotEvidence | MergedEvidence, sourced: boolean): string[] {
  const image = (f: unknown): number | undefined =>
    sourced && f ? (f as { image: number }).image : undefined;
  return [
    ...VALUE_FIELDS.map((k) => fieldLine(FIELD_LABELS[k], e[k], image(e[k]))),
    ...LICENSEE_FIELDS.map((k) => fieldLine(`Licensee ${k}`, e.licensee[k], image(e.licensee[k]))),
  ];
}

const missingLine = (missing: readonly string[]): string =>
  missing.length === 0
    ? 'Screenshots: the dashboard and the subscription (or license) page are both there.'
    : `Missing screenshot${missing.length > 1 ? 's' : ''}: ${missing.join(' and ')}.`;
const CONFIRM = 'Values read from screenshots are for the engineer to confirm, never used unchecked.';

function human(reports: ImageReport[], merged: MergedEvidence, missing: string[]): string {
  const lines: string[] = [];
  reports.forEach((r, i) => {
    if (!r.ok) {
      lines.push(`${i + 1}. ${r.file}: refused [${r.error.code}] ${r.error.message}`, '');
      return;
    }
    lines.push(
      `${i + 1}. ${r.file}: ${PAGE_NAMES[r.page]} (${r.format.toUpperCase()} ${r.width}×${r.height})`,
    );
    lines.push(...(fieldsRead(r.evidence) === 0 ? ['  nothing read'] : fieldLines(r.evidence, false)), '');
  });
  if (reports.filter((r) => r.ok).length > 1) lines.push('Together:', ...fieldLines(merged, true), '');
  lines.push(missingLine(missing), CONFIRM);
  return lines.join('\n');
}

function reportOf(file: string, read: ScreenshotRead): ImageReport {
  if (!read.ok) return { file, ok: false, error: { code: read.code, message: read.message } };
  return { file, ok: true, page: read.evidence.page, ...read.image, evidence: read.evidence };
}

export async function evidenceRead(files: string[], options: EvidenceReadOptions): Promise<CommandOutcome> {
  const seconds = options.timeout === undefined ? 20 : Number(options.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    return failure(
      'USAGE',
      `--timeout must be a number of seconds between 0 and 600, got ${JSON.stringify(options.timeout)}.`,
    );
  }
  // Every file is opened before any OCR starts: a typo fails at once.
  const inputs: { file: string; bytes: Buffer }[] = [];
  for (const file of files) {
    const got = readImageFile(file, IMAGE_LIMITS.maxBytes);
    if ('outcome' in got) return got.outcome;
    inputs.push({ file, bytes: got.bytes });
  }
  if (options.keep) return keepRead(inputs, options);
  const reader = createScreenshotReader({ timeoutMs: seconds * 1000 });
  const reports: ImageReport[] = [];
  try {
    for (const input of inputs) reports.push(reportOf(input.file, await reader.read(input.bytes)));
  } finally {
    await reader.close();
  }
  const merged = mergeEvidence(reports.map((r) => (r.ok ? r.evidence : null)));
  const missing = missingScreenshots(merged.pages);
  const anything = fieldsRead(merged) > 0;
  let text = human(reports, merged, missing);
  if (!anything) text += '\nerror: no field could be read from the image(s).';
  return {
    exit: anything ? EXIT.OK : EXIT.REFUSED,
    human: text,
    json: { evidence: merged, missing, images: reports },
  };
}

/**
 * `--keep`: the read made as the API makes it (one refused image refuses all) and kept in the
 * database, so that `lifeline issue --evidence-id` records it with the request.
 */
function keepRead(
  inputs: { file: string; bytes: Buffer }[],
  options: EvidenceReadOptions,
): Promise<CommandOutcome> {
  return withApp(async (app) => {
    const images = inputs.map((i) => ({ bytes: i.bytes, fileName: basename(i.file) }));
    const view = unwrap(await readScreenshots({ images, actor: actorFrom(options, 'engineer') }, app.ports));
    const anything = fieldsRead(view.evidence) > 0;
    const text = [
      ...fieldLines(view.evidence, true),
      '',
      missingLine(view.missing),
      CONFIRM,
      `Kept as ${view.evidenceId}: give it to \`lifeline issue --evidence-id ${view.evidenceId}\` (within 24 hours).`,
    ];
    return { exit: anything ? EXIT.OK : EXIT.REFUSED, human: text.join('\n'), json: view };
  });
}
