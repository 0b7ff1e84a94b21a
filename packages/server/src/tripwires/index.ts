/**
 * Tripwires (issue 6, item 2; docs/security.md "Tripwires"): operator alerts, canary accounts,
 * honeywords checked by a separate honeychecker, and canary rows and blobs.
 */
export * from './alert.js';
export * from './config.js';
export * from './decoys.js';
export * from './honeywords.js';
export * from './plant.js';
export * from './service.js';
