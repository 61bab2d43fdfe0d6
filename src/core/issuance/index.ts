/**
 * The issuance use cases (PRODUCT.md §3–§7, §12), one per file; what every interface calls.
 * Shared checks are in guards.ts, shared writes in records.ts, the facts the rules need in prepare.ts.
 */
export { approveRequest } from './approve.js';
export { verifyAuditTrail } from './audit.js';
export { checkRequest } from './check.js';
export type { IssuancePorts, IssuanceSettings } from './context.js';
export { assertTicketOfOrigin, issueEmergencyLicense, type IssueOutcome } from './issue.js';
export { listRequests, lookupById, lookupRequests, type ListInput, type LookupQuery } from './lookup.js';
export type { IssueInput } from './prepare.js';
export { assertLicenseKept, type DecisionInput } from './records.js';
export { rejectRequest } from './reject.js';
export { replaceRequest, type ReplaceInput, type ReplaceOutcome } from './replace.js';
export { resendLicense, type ResendInput } from './resend.js';
export { RETRY_WINDOW_DAYS, retryRequest, type RetryInput, type RetryOutcome } from './retry.js';
export { dashboardStatsFor } from './stats.js';
export { recordJson, type RequestView } from './view.js';
export { voidRequest } from './void.js';
