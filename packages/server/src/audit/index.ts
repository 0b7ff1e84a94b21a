/** The audit trail (issue 6; docs/operations.md "Audit trail"). */
export * from './actions.js';
export * from './hook.js';
export * from './queries.js';
export * from './recorder.js';
export * from './request-facts.js';
export * from './activity-log.js';
export { activityRoutes } from './activity-routes.js';
export { pruneActivityBatch } from './activity-store.js';
export { verifyActivity, type ChainProblem, type VerifyReport } from './activity-verify.js';
export { activitySummaryRoutes } from './activity-summary-routes.js';
export { createSummarySettings, type SummarySettings } from './activity-summary-settings.js';
export { createActivitySummaries } from './activity-summary.js';
