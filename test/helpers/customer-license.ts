/** A customer's previous (paid) license, signed with the test key the test apps verify with. */
import type { CalendarDate } from '../../src/core/dates.js';
import { encodeLicense } from '../../src/core/license/index.js';
import { testPrivateKey } from './vectors.js';

export function customerLicense(options: {
  company: string;
  email: string;
  expiresAt: string;
  plan?: string;
  seats?: number;
}): string {
  const encoded = encodeLicense(
    {
      version: 1,
      licensee: { Name: 'Pat Admin', Company: options.company, Email: options.email },
      issued_at: `${Number(options.expiresAt.slice(0, 4)) - 1}${options.expiresAt.slice(4)}` as CalendarDate,
      expires_at: options.expiresAt as CalendarDate,
      restrictions: {
        plan: options.plan ?? 'premium',
        active_user_count: options.seats ?? 100,
        trial: false,
      },
    },
    testPrivateKey(),
  );
  if (!encoded.ok) throw new Error(encoded.error.message);
  return encoded.value.text;
}
