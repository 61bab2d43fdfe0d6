/**
 * OCR output → screenshot evidence. GitLab's labels (of the Subscription page, the older License
 * page and the Admin dashboard, across versions) are found among the page's cells; each value is
 * read from the label's own cell, the cell to its right, or (for the big numbers of the user-count
 * cards) the cell below or above it, and must parse as that field's kind of value. A field's
 * confidence is its least sure word's, lowered for lenient reading, and capped when two places
 * disagree or the user counts contradict each other.
 */
import {
  cellAbove,
  cellBelow,
  cellRight,
  confidenceOf,
  findLabel,
  layoutOf,
  textOf,
  type Cell,
  type LabelHit,
} from './layout.js';
import type {
  Box,
  EvidenceField,
  EvidencePage,
  LicenseeFieldName,
  OcrBlock,
  OcrWord,
  ScreenshotEvidence,
  ValueFieldName,
} from './types.js';
import { VALUE_FIELDS } from './types.js';
import {
  parseCountText,
  parseDateText,
  parseEmailText,
  parseFreeText,
  parsePlanText,
  parseVersionText,
  type ParsedValue,
} from './values.js';
import { checkConsistency } from './consistency.js';

type Direction = 'same' | 'right' | 'below' | 'above';

/** How far a value may be from its label, in the label's heights, and how sure that place is. */
const PLACES: Record<Direction, { factor: number }> = {
  same: { factor: 1 },
  right: { factor: 1 },
  below: { factor: 0.97 },
  above: { factor: 0.93 },
};
const NEAR_LINES = 3.5;

interface Rule<T> {
  labels: string[];
  parse: (text: string) => ParsedValue<T> | null;
  places: Direction[];
}

const BESIDE: Direction[] = ['same', 'right'];
/** The user counts: GitLab shows them beside their label in lists, and under it in cards. */
const CARD: Direction[] = ['same', 'right', 'below', 'above'];

const count = (labels: string[]): Rule<number> => ({ labels, parse: parseCountText, places: CARD });

/** Every label of GitLab's that names a field, in every version's words. */
const RULES: { [K in ValueFieldName]: Rule<NonNullable<ScreenshotEvidence[K]>['value']> } = {
  plan: { labels: ['plan'], parse: parsePlanText, places: BESIDE },
  startedAt: {
    labels: ['started', 'started on', 'starts on', 'start date'],
    parse: parseDateText,
    places: BESIDE,
  },
  expiresAt: {
    labels: [
      'expires on',
      'expires',
      'expired on',
      'expired',
      'ends on',
      'ends',
      'renews on',
      'renews',
      'valid until',
    ],
    parse: parseDateText,
    places: BESIDE,
  },
  // GitLab writes "User in subscription" for a count of 1.
  previousSeats: count(['users in subscription', 'user in subscription', 'users in license']),
  billableUsers: count(['billable users']),
  maximumUsers: count(['maximum users']),
  usersOverSubscription: count(['users over subscription', 'users over license']),
  activeUsers: count(['active users']),
  // "GitLab 16.5.1-ee" in the dashboard's Components; "GitLab Shell 14.29.0" is not it.
  gitlabVersion: { labels: ['gitlab'], parse: parseVersionText, places: BESIDE },
};

const LICENSED_TO = ['licensed', 'to'];
/** Every word that is a label on these pages: a table header beside a label is not a name. */
const LABEL_TEXTS: ReadonlySet<string> = new Set([
  ...Object.values(RULES).flatMap((r) => r.labels),
  'name',
  'email',
  'e-mail',
  'company',
  'address',
  'licensed to',
  'id',
  'last sync',
  'uploaded',
  'uploaded on',
  'activated on',
  'valid from',
  'seats',
]);
const LICENSEE_RULES: { [K in LicenseeFieldName]: Rule<string> } = {
  name: { labels: ['name'], parse: (t) => parseFreeText(t, LABEL_TEXTS), places: BESIDE },
  email: { labels: ['email', 'e-mail'], parse: parseEmailText, places: BESIDE },
  company: { labels: ['company'], parse: (t) => parseFreeText(t, LABEL_TEXTS), places: BESIDE },
};

/** Below "Licensed to", how many of its heights down its Name/Email/Company rows may be. */
const LICENSEE_SECTION_LINES = 10;

const PAGE_MARKERS: Record<Exclude<EvidencePage, 'unknown'>, string[]> = {
  subscription: [
    'subscription details',
    'users in subscription',
    'users over subscription',
    'billable users',
    'subscription history',
  ],
  license: ['users in license', 'users over license', 'your license', 'license history'],
  dashboard: ['components', 'statistics', 'features', 'dashboard'],
};

const words = (label: string): string[] => label.split(' ');

interface Candidate<T> {
  value: T;
  confidence: number;
  words: OcrWord[];
}

function valueAt(rows: Cell[][], hit: LabelHit, place: Direction): OcrWord[] | null {
  if (place === 'same') return hit.rest.length > 0 ? hit.rest : null;
  // A value in another cell belongs to a label that is alone in its own cell.
  if (hit.rest.length > 0) return null;
  const cell =
    place === 'right'
      ? cellRight(rows, hit.cell)
      : place === 'below'
        ? cellBelow(rows, hit.box, NEAR_LINES)
        : cellAbove(rows, hit.box, NEAR_LINES);
  return cell ? cell.words : null;
}

function candidatesFor<T>(rows: Cell[][], rule: Rule<T>, hits: LabelHit[]): Candidate<T>[] {
  const found: Candidate<T>[] = [];
  for (const hit of hits) {
    for (const place of rule.places) {
      const valueWords = valueAt(rows, hit, place);
      if (!valueWords) continue;
      const parsed = rule.parse(textOf(valueWords));
      if (!parsed) continue;
      const labelSure = hit.factor < 1 ? Math.min(1, confidenceOf(hit.cell.words) + 0.05) : 1;
      found.push({
        value: parsed.value,
        confidence: confidenceOf(valueWords) * parsed.factor * PLACES[place].factor * hit.factor * labelSure,
        words: valueWords,
      });
      break; // the nearest place that holds such a value is this label's value
    }
  }
  return found;
}

/** Two places that disagree: neither is trusted to be the one. */
const DISAGREEMENT_CAP = 0.6;

function choose<T>(candidates: Candidate<T>[]): EvidenceField<T> | null {
  if (candidates.length === 0) return null;
  const best = candidates.reduce((a, b) => (b.confidence > a.confidence ? b : a));
  const agree = candidates.every((c) => c.value === best.value);
  const box: Box = {
    x0: Math.min(...best.words.map((w) => w.bbox.x0)),
    y0: Math.min(...best.words.map((w) => w.bbox.y0)),
    x1: Math.max(...best.words.map((w) => w.bbox.x1)),
    y1: Math.max(...best.words.map((w) => w.bbox.y1)),
  };
  const confidence = agree ? best.confidence : Math.min(best.confidence, DISAGREEMENT_CAP);
  return { value: best.value, confidence: round(confidence), text: textOf(best.words), box };
}

const round = (n: number): number => Math.round(Math.max(0, Math.min(1, n)) * 1000) / 1000;

function readField<T>(
  rows: Cell[][],
  rule: Rule<T>,
  keep: (hit: LabelHit) => boolean = () => true,
): EvidenceField<T> | null {
  const hits = rule.labels.flatMap((l) => findLabel(rows, words(l))).filter(keep);
  return choose(candidatesFor(rows, rule, hits));
}

/** Name/Email/Company rows count only under a "Licensed to" heading, in its column. */
function inLicenseeSection(sections: LabelHit[]): (hit: LabelHit) => boolean {
  return (hit) =>
    sections.some((s) => {
      const h = s.box.y1 - s.box.y0;
      return (
        hit.box.y0 >= s.box.y1 - 0.2 * h &&
        hit.box.y0 <= s.box.y1 + LICENSEE_SECTION_LINES * h &&
        Math.abs(hit.box.x0 - s.box.x0) <= 2 * h
      );
    });
}

function pageOf(rows: Cell[][], gitlabVersionRead: boolean): EvidencePage {
  const scores = Object.entries(PAGE_MARKERS).map(([page, markers]) => ({
    page: page as EvidencePage,
    score:
      markers.filter((m) =>
        findLabel(rows, words(m)).some((h) => h.rest.length === 0 || page !== 'dashboard'),
      ).length + (page === 'dashboard' && gitlabVersionRead ? 2 : 0),
  }));
  const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
  return best.score > 0 && scores.filter((s) => s.score === best.score).length === 1 ? best.page : 'unknown';
}

/** A value touching the image's edge may have been cut off ("1,2" of "1,250"). */
const EDGE_PX = 3;
const CUT_OFF_CAP = 0.5;

function capAtEdges(e: ScreenshotEvidence, image: { width: number; height: number }): ScreenshotEvidence {
  const cap = <T>(f: EvidenceField<T> | null): EvidenceField<T> | null => {
    if (!f) return f;
    const { x0, y0, x1, y1 } = f.box;
    const cut = x0 <= EDGE_PX || y0 <= EDGE_PX || x1 >= image.width - EDGE_PX || y1 >= image.height - EDGE_PX;
    return cut ? { ...f, confidence: Math.min(f.confidence, CUT_OFF_CAP) } : f;
  };
  const licensee = {
    name: cap(e.licensee.name),
    email: cap(e.licensee.email),
    company: cap(e.licensee.company),
  };
  const capped = Object.fromEntries(VALUE_FIELDS.map((k) => [k, cap<unknown>(e[k])]));
  return { ...e, ...capped, licensee } as ScreenshotEvidence;
}

/**
 * Reads the evidence from tesseract's blocks (boxes in the original image's pixels); with the
 * image's size, values at its edges are marked as possibly cut off.
 */
export function evidenceFromOcr(
  blocks: readonly OcrBlock[],
  image?: { width: number; height: number },
): ScreenshotEvidence {
  const rows = layoutOf(blocks);
  const sections = findLabel(rows, LICENSED_TO);
  const inSection = inLicenseeSection(sections);
  const evidence: ScreenshotEvidence = {
    page: 'unknown',
    plan: readField(rows, RULES.plan),
    startedAt: readField(rows, RULES.startedAt),
    expiresAt: readField(rows, RULES.expiresAt),
    previousSeats: readField(rows, RULES.previousSeats),
    billableUsers: readField(rows, RULES.billableUsers),
    maximumUsers: readField(rows, RULES.maximumUsers),
    usersOverSubscription: readField(rows, RULES.usersOverSubscription),
    licensee: {
      name: readField(rows, LICENSEE_RULES.name, inSection),
      email: readField(rows, LICENSEE_RULES.email, inSection),
      company: readField(rows, LICENSEE_RULES.company, inSection),
    },
    activeUsers: readField(rows, RULES.activeUsers),
    gitlabVersion: readField(rows, RULES.gitlabVersion),
  };
  evidence.page = pageOf(rows, evidence.gitlabVersion !== null);
  const checked = checkConsistency(evidence);
  return image ? capAtEdges(checked, image) : checked;
}
