/** Small helpers for the sentences the engineer reads. */

/** A short, safe quotation of a value for a message (never a whole 1 MB input). */
export function quote(text: string, max = 40): string {
  const chars = [...text];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : text);
}

/** "1 day", "3 days". */
export const days = (n: number): string => `${n} day${Math.abs(n) === 1 ? '' : 's'}`;

export const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;

/** 0.1 → "10%", 0.125 → "12.5%". */
export const percent = (fraction: number): string => `${Math.round(fraction * 1000) / 10}%`;
