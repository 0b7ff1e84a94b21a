/** The leases port: scheduled work claimed in the database, so it runs once across nodes. */
export { CLAIM_RETRY_FIRST_MS, CLAIM_RETRY_MAX_MS, createLeases, nodeName, type LeaseOutcome, type Leases } from './leases.js';
export { lastClaim } from './store.js';
export { onceRetryingClaim, type RetriedClaim, type RetryOptions } from './retry.js';
