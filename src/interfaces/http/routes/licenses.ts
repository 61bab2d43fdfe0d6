/** `POST /api/v1/licenses/decode`: any license, decoded with the configured verification keys. */
import { calendarDateIn, parseCalendarDate } from '../../../core/dates.js';
import { LifelineError } from '../../../core/errors.js';
import {
  decodeLicense,
  licenseFingerprint,
  refusedLicenseReport,
  validLicenseReport,
} from '../../../core/license/index.js';
import { parse, type ApiRoute } from '../route.js';
import { DecodeBody, ErrorBody } from '../schemas.js';
import { z } from 'zod';

const DecodeReport = z
  .object({ valid: z.boolean(), code: z.string().nullable(), message: z.string().nullable() })
  .passthrough();

export const licenseRoutes: ApiRoute[] = [
  {
    method: 'POST',
    url: '/api/v1/licenses/decode',
    summary: 'Decode and validate any license (200 whether valid or not), as `license decode --json`',
    body: DecodeBody,
    responses: {
      200: { description: 'the decoded license, or why it is invalid', schema: DecodeReport },
      400: { description: 'invalid input', schema: ErrorBody },
    },
    async handler(ctx) {
      const body = parse(DecodeBody, ctx.body, 'body');
      const today =
        body.today !== undefined
          ? parseCalendarDate(body.today)
          : calendarDateIn(ctx.app.ports.clock.now(), ctx.app.settings.supportTimeZone);
      if (!today)
        throw new LifelineError('VALIDATION_FAILED', 'today: must be a real date', { field: 'today' });
      const fingerprint = licenseFingerprint(body.text);
      const result = decodeLicense(body.text, ctx.app.ports.verifier.publicKeys);
      if (!result.ok) return refusedLicenseReport(result.error, today, fingerprint);
      const issued = await ctx.app.ports.store.findLicenseByFingerprint(fingerprint);
      return validLicenseReport(result.value, today, fingerprint, {
        issuedBy: issued ? { requestId: issued.requestId } : null,
      });
    },
  },
];
