/**
 * Retention (issue 13, docs/privacy.md): a family's retention period (route, store) and the sweep
 * that deletes what the server no longer needs to keep (sweep.ts, run by the daily maintenance and
 * by `burrow retention run`).
 */
export { createRetention, type Retention } from './service.js';
export { retentionRoutes } from './routes.js';
export { createRetentionSweep, dueAction, EXPIRED_NOTICE_DAYS, ORPHAN_BLOB_GRACE_MS, type RetentionSweep } from './sweep.js';
