/**
 * What the form says beside each field: an error in the user's words (what to type), what was
 * understood of a pasted value, a warning. Errors come from the forgiving readings (readings.ts),
 * from the API's rule-1 findings (field + code; their wording rewritten here, the API keeps its
 * own), or from a refused submit naming a field. Shown once the engineer has left the field (or it
 * was filled for them), and for every field after they asked to review.
 */
import { createContext } from 'preact';
import { countExpectation, groupDigits } from '../../../src/core/forgiving-input.js';
import { MAX_SEATS } from '../../../src/core/limits.js';
import type { CheckResult, Finding } from '../api.js';
import type { RuleView } from '../rules.js';
import type { Fields } from './fields.js';
import { COUNT_MIN, type CountField, type FormReadings } from './readings.js';

/** Each field as people call it, in messages (the API's names never reach the screen). */
export const FIELD_LABELS: Record<string, string> = {
  ticketId: 'Ticket',
  ticketUrl: 'Ticket URL',
  requesterEmail: 'Requester email',
  seats: 'Seats',
  plan: 'Plan',
  expiresAt: 'Expired on',
  previousSeats: 'Seats of the previous license',
  maximumUsers: 'Maximum users',
  billableUsers: 'Billable users',
  previousLicense: 'Previous license',
  overrideReason: 'Override reason',
};

export interface FieldNote {
  error: string | null;
  understood: string | null;
  warning: string | null;
}

/** The notes of the fields that have one, by field name (read by TextField). */
export type FieldNotes = Partial<Record<keyof Fields, FieldNote>>;
export const FieldNotesContext = createContext<FieldNotes>({});

/** What to type in a required field left empty. */
const REQUIRED: Partial<Record<keyof Fields, string>> = {
  ticketId: 'the ticket number, like 50300, or the ticket’s link',
  requesterEmail: 'the email address of the person who asked, like ops@example.com',
  seats: countExpectation(COUNT_MIN.seats, MAX_SEATS),
};

/**
 * An API sentence about a field in the user's words: the field's name becomes its label, the
 * configuration variables and the JSON types go, and large numbers are grouped.
 */
export function userWords(message: string, field: string): string {
  const label = FIELD_LABELS[field] ?? field;
  return message
    .replace(/^The field "[^"]*" /, `${label} `)
    .replace(/,? sent as a number, not as text/g, '')
    .replace(/ \((?:LIFELINE|ZENDESK)_[A-Z_]+\)/g, '')
    .replace(/"(\w+)"/g, (quoted, name: string) => (FIELD_LABELS[name] ? `“${FIELD_LABELS[name]}”` : quoted))
    .replace(
      /\b(from|to|above|below|got) (\d{5,})\b/g,
      (_, word: string, digits: string) => `${word} ${groupDigits(Number(digits))}`,
    );
}

export interface NoteInput {
  fields: Fields;
  readings: FormReadings;
  check: CheckResult | null;
  /** A refused submit that named a field (the API's message). */
  submitFinding: Finding | null;
  /** Whether a field's error may be shown yet (see useFieldVisits). */
  shown: (field: keyof Fields) => boolean;
  /** The engineer asked to review: required fields left empty are errors too. */
  submitted: boolean;
}

const COUNTS: CountField[] = ['seats', 'previousSeats', 'maximumUsers', 'billableUsers'];

export function fieldNotes(input: NoteInput): FieldNotes {
  const { fields, readings } = input;
  const errors: Partial<Record<keyof Fields, string>> = {};
  const api = [
    ...(input.check?.refusals ?? []).filter((r) => r.code === 'INPUT_INVALID'),
    ...(input.submitFinding ? [input.submitFinding] : []),
  ];
  for (const finding of api) {
    const field = finding.field as keyof Fields | undefined;
    if (field && field in fields && !errors[field]) errors[field] = userWords(finding.message, field);
  }
  const local: [keyof Fields, FormReadings[keyof FormReadings]][] = [
    ['ticketId', readings.ticketId],
    ['requesterEmail', readings.requesterEmail],
    ...COUNTS.map((f): [CountField, FormReadings[CountField]] => [f, readings[f]]),
  ];
  for (const [field, reading] of local) {
    if (!reading.ok) errors[field] = `${FIELD_LABELS[field]}: ${reading.problem}.`;
  }
  if (input.submitted) {
    for (const [field, expected] of Object.entries(REQUIRED) as [keyof Fields, string][])
      if (fields[field].trim() === '') errors[field] = `${FIELD_LABELS[field]}: required — ${expected}.`;
  }
  const notes: FieldNotes = {};
  for (const [field, reading] of local) {
    const error = errors[field] && input.shown(field) ? errors[field] : null;
    const understood = reading.ok ? reading.understood : null;
    const warning = reading.ok ? reading.warning : null;
    if (error || understood || warning) notes[field] = { error, understood, warning };
  }
  for (const [field, error] of Object.entries(errors) as [keyof Fields, string][])
    if (!notes[field] && input.shown(field)) notes[field] = { error, understood: null, warning: null };
  return notes;
}

/** The fields with an error on show, in the form's order. */
export const fieldsWithErrors = (notes: FieldNotes): (keyof Fields)[] =>
  (Object.keys(FIELD_LABELS) as (keyof Fields)[]).filter((f) => notes[f]?.error);

/** The fields of the "Previous license" part (and `evidence`, anything else focused inside it). */
const EVIDENCE_FIELDS = [
  'evidence',
  'previousLicense',
  'plan',
  'expiresAt',
  'previousSeats',
  'maximumUsers',
  'billableUsers',
] as const;

/**
 * How the eligibility box shows the API's verdict: PROSPECT (no evidence) waits until the engineer
 * has reached the evidence fields, rule 1 until a field it names may be marked; rule 1's sentence
 * points at the fields marked (and says in words what is wrong with any other).
 */
export function ruleViewOf(input: {
  fields: Fields;
  check: CheckResult | null;
  notes: FieldNotes;
  reached: ReadonlySet<string>;
  submitted: boolean;
}): RuleView {
  const held = new Set<string>();
  const { fields } = input;
  const evidenceReached = EVIDENCE_FIELDS.some(
    (f) => input.reached.has(f) || (f in fields && fields[f as keyof Fields].trim() !== ''),
  );
  if (!input.submitted && !evidenceReached) held.add('PROSPECT');
  const findings = (input.check?.refusals ?? []).filter((r) => r.code === 'INPUT_INVALID');
  const marked = fieldsWithErrors(input.notes);
  const elsewhere = findings.filter((f) => !marked.includes(f.field as keyof Fields));
  const markable = (field: string | undefined): boolean =>
    field !== undefined && field in fields && field !== 'plan' && field !== 'previousLicense';
  if (!input.submitted && marked.length === 0 && elsewhere.every((f) => markable(f.field)))
    held.add('INPUT_INVALID');
  const sentences = [
    ...(marked.length > 0
      ? [
          `Fix the ${marked.length === 1 ? 'field' : 'fields'} marked above: ${marked.map((f) => FIELD_LABELS[f]).join(', ')}.`,
        ]
      : []),
    ...elsewhere.filter((f) => !markable(f.field)).map((f) => userWords(f.message, f.field ?? '')),
  ];
  return { held, messages: sentences.length > 0 ? { INPUT_INVALID: sentences.join(' ') } : {} };
}
