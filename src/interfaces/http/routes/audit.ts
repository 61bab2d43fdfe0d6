/** `GET /api/v1/audit/verify` (licensing and admin): the hash chain checked, as `lifeline audit verify`. */
import { verifyAuditTrail } from '../../../core/issuance/index.js';
import { unwrap } from '../../../core/outcome.js';
import type { ApiRoute } from '../route.js';
import { ErrorBody } from '../schemas.js';
import { z } from 'zod';

const Verification = z.object({
  ok: z.boolean(),
  entries: z.number(),
  brokenAt: z.object({ seq: z.number(), reason: z.string() }).optional(),
});

export const auditRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/audit/verify',
    summary: 'Check the audit hash chain (licensing, admin)',
    responses: {
      200: { description: 'the verification', schema: Verification },
      403: { description: 'engineers may not', schema: ErrorBody },
    },
    async handler(ctx) {
      return unwrap(await verifyAuditTrail(ctx.actor, ctx.app.ports));
    },
  },
];
