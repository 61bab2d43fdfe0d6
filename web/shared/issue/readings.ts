/**
 * The issue form's fields read forgivingly (src/core/forgiving-input.ts, shared with the CLI): what
 * was understood, or what to type instead. The API stays strict: it receives the values understood.
 */
import {
  readCount,
  readEmail,
  readTicket,
  type Reading,
  type TicketRef,
} from '../../../src/core/forgiving-input.js';
import { MAX_SEATS } from '../../../src/core/limits.js';
import type { Fields } from './fields.js';

export type CountField = 'seats' | 'previousSeats' | 'maximumUsers' | 'billableUsers';

/** The smallest value of each count (rule 1: a license has at least one seat). */
export const COUNT_MIN: Record<CountField, number> = {
  seats: 1,
  previousSeats: 0,
  maximumUsers: 0,
  billableUsers: 0,
};

export interface FormReadings {
  ticketId: Reading<TicketRef>;
  requesterEmail: Reading<string>;
  seats: Reading<number>;
  previousSeats: Reading<number>;
  maximumUsers: Reading<number>;
  billableUsers: Reading<number>;
}

const count = (text: string, field: CountField): Reading<number> =>
  readCount(text, { min: COUNT_MIN[field], max: MAX_SEATS });

export const readForm = (fields: Fields): FormReadings => ({
  ticketId: readTicket(fields.ticketId),
  requesterEmail: readEmail(fields.requesterEmail),
  seats: count(fields.seats, 'seats'),
  previousSeats: count(fields.previousSeats, 'previousSeats'),
  maximumUsers: count(fields.maximumUsers, 'maximumUsers'),
  billableUsers: count(fields.billableUsers, 'billableUsers'),
});

/** The value understood, or null when nothing was typed or it could not be read. */
export const understoodValue = <T>(reading: Reading<T>): T | null => (reading.ok ? reading.value : null);
