/** The leases port: scheduled work claimed in the database, so it runs once across nodes. */
export { createLeases, nodeName, type LeaseOutcome, type Leases } from './leases.js';
export { lastClaim } from './store.js';
