/** `POST /api/v1/licenses/decode`: any license, decoded with the configured verification keys. */
import { calendarDateIn, parseCalendarDate } from '../../../core/dates.js';
import { LifelineError } from '../../../core/errors.js';
import {
  decodeLicense,
  licenseeField,
  licenseFingerprint,
  licensePlan,
  licenseSeats,
  licenseStatus,
  licenseTrial,
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
      if (!result.ok) {
        return {
          valid: false,
          code: result.error.code,
          message: result.error.message,
          field: result.error.field ?? null,
          today,
          fingerprint,
        };
      }
      const license = result.value.license;
      const status = licenseStatus(license, today);
      const issued = await ctx.app.store.findLicenseByFingerprint(fingerprint);
      return {
        valid: true,
        code: null,
        message: null,
        field: null,
        attributes: result.value.json,
        today,
        plan: licensePlan(license),
        trial: licenseTrial(license),
        activeUserCount: licenseSeats(license),
        licensee: {
          name: licenseeField(license, 'Name'),
          company: licenseeField(license, 'Company'),
          email: licenseeField(license, 'Email'),
        },
        issuedAt: license.issuedAt,
        expiresAt: license.expiresAt,
        expired: status.expired,
        graceEndsOn: status.graceEndsOn,
        daysSinceGraceEnd: status.daysSinceGraceEnd,
        notifyAdminsAt: license.notifyAdminsAt,
        notifyUsersAt: license.notifyUsersAt,
        blockChangesAt: license.blockChangesAt,
        notifyAdmins: status.notifyAdmins,
        notifyUsers: status.notifyUsers,
        blockChanges: status.blockChanges,
        fingerprint,
        verifiedBy: { index: result.value.keyIndex },
        issuedBy: issued ? { requestId: issued.requestId } : null,
      };
    },
  },
];
